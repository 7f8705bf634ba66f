"""Highlight reports: the list of a project's reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from db.engine import Database
from db.models import HighlightReport, HighlightReportRating, Person
from tracker.services.projects import project_by_key


@dataclass(frozen=True)
class ReportRow:
    number: int
    period_start: date
    period_end: date
    report_date: date
    author: str
    status: str
    overall_rag: str | None


def list_highlight_reports(db: Database, key: str) -> list[ReportRow]:
    with db.read() as session:
        project = project_by_key(session, key)
        reports = session.exec(
            select(HighlightReport, Person.name)
            .join(Person, Person.id == HighlightReport.author_id, isouter=True)
            .where(HighlightReport.project_id == project.id)
            .order_by(col(HighlightReport.number).desc())
        ).all()
        overall = dict(
            session.exec(
                select(HighlightReportRating.report_id, HighlightReportRating.rag).where(
                    col(HighlightReportRating.report_id).in_([r.id for r, _ in reports]),
                    HighlightReportRating.level == "project",
                    HighlightReportRating.aspect == "overall",
                )
            ).all()
        )
        return [
            ReportRow(
                r.number,
                r.period_start,
                r.period_end,
                r.report_date,
                author or "",
                r.status,
                overall.get(r.id),
            )
            for r, author in reports
        ]
