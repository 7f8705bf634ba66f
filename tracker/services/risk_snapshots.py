"""Risk snapshots: the register as it stood when each highlight report was issued.

Issuing a report takes a snapshot (``take_risk_snapshot``); the register shows each risk's
movement against the latest one, and the next report lists what is new, increased, decreased or
closed since. Snapshots are written once and never changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlmodel import Session, col, select

from db.models import HighlightReport, Risk, RiskSnapshot


def take_risk_snapshot(
    session: Session,
    report: HighlightReport,
    *,
    as_at: date | None = None,
    residual_overrides: Mapping[str, tuple[int, int]] | None = None,
) -> int:
    """Record every risk of the report's project as it stands now, inside the caller's
    transaction; returns the number of risks recorded.

    ``as_at`` and ``residual_overrides`` serve a report issued in the past (the worked example):
    risks registered after ``as_at`` are left out, risks closed after it count as active, and the
    overrides give residual (probability, impact) by identifier where they differed then."""
    overrides = residual_overrides or {}
    query = select(Risk).where(Risk.project_id == report.project_id)
    if as_at is not None:
        query = query.where(Risk.date_registered <= as_at)
    rows = []
    for risk in session.exec(query):
        status = risk.status
        if as_at is not None and status == "closed" and (risk.closed_on or as_at) > as_at:
            status = "active"
        residual = overrides.get(risk.identifier, (risk.residual_probability, risk.residual_impact))
        rows.append(
            RiskSnapshot(
                report_id=report.id,
                risk_id=risk.id,
                status=status,
                inherent_probability=risk.inherent_probability,
                inherent_impact=risk.inherent_impact,
                residual_probability=residual[0],
                residual_impact=residual[1],
            )
        )
    session.add_all(rows)
    session.flush()
    return len(rows)


def baseline_report(session: Session, project_id: int) -> HighlightReport | None:
    """The latest issued highlight report with a snapshot: what movement is measured against."""
    return session.exec(
        select(HighlightReport)
        .where(
            HighlightReport.project_id == project_id,
            HighlightReport.status == "issued",
            col(HighlightReport.id).in_(select(RiskSnapshot.report_id).distinct()),
        )
        .order_by(col(HighlightReport.issued_at).desc(), col(HighlightReport.number).desc())
        .limit(1)
    ).first()
