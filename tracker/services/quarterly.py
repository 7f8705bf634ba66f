"""The quarterly summary for a scrutiny committee: the quarter's issued highlight reports and
their ratings, the stage ends and board decisions that fall in it, spend, top risks (as the
board last saw them in the quarter, once it is over) and requests for change."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlmodel import col, select

from db.engine import Database
from db.models import Decision, HighlightReport, HighlightReportRating, ReportingSchedule, Stage
from tracker.domain.clock import today as clock_today
from tracker.domain.dates import format_date
from tracker.domain.highlight import Quarter
from tracker.reports.document import Document
from tracker.reports.quarterly import (
    BoardDecision,
    Milestone,
    QuarterlyData,
    QuarterReport,
    build_quarterly_summary,
)
from tracker.services.highlight_data import Frame, RegisterReader
from tracker.services.projects import project_by_key
from tracker.services.status import current_stage


def _in_quarter(stage: Stage, quarter: Quarter) -> str:
    if stage.actual_end and quarter.contains(stage.actual_end):
        return "Completed"
    if stage.status == "completed":
        return ""
    if stage.forecast_end and quarter.contains(stage.forecast_end):
        return "Forecast to end"
    if stage.planned_end and quarter.contains(stage.planned_end):
        return "Planned to end"
    return ""


def quarterly_document(
    db: Database, key: str, quarter: Quarter, *, today: date | None = None
) -> Document:
    today = today or clock_today()
    with db.read() as session:
        project = project_by_key(session, key)
        reports = session.exec(
            select(HighlightReport)
            .where(
                HighlightReport.project_id == project.id,
                HighlightReport.status == "issued",
                HighlightReport.period_end >= quarter.start,
                HighlightReport.period_end <= quarter.end,
            )
            .order_by(HighlightReport.period_end, HighlightReport.number)
        ).all()
        stages = list(
            session.exec(
                select(Stage).where(Stage.project_id == project.id).order_by(Stage.sequence)
            )
        )
        names = {s.id: s.name for s in stages}
        ratings: dict[int, dict[tuple[str, str], str]] = {r.id: {} for r in reports}
        for row in session.exec(
            select(HighlightReportRating).where(
                col(HighlightReportRating.report_id).in_(list(ratings))
            )
        ):
            if row.rag:
                ratings[row.report_id][(row.level, row.aspect)] = row.rag
        frame = Frame(
            number=0,
            status="issued",
            period_start=quarter.start,
            period_end=quarter.end,
            report_date=today,
            as_at=today,
            stage_id=None,
            author="",
            distribution="",
        )
        reader = RegisterReader(session, project, frame)
        _, _, counts, committed = reader.issues()
        last = reports[-1] if reports else None
        if last is not None and quarter.end < today:
            as_board_saw = replace(frame, recorded=True, report_id=last.id)
            risks = RegisterReader(session, project, as_board_saw).risks(None)
            risks_as_at = (
                f"As the board saw them in highlight report {last.number} "
                f"({format_date(last.report_date)}), the last of the quarter."
            )
        else:
            risks = reader.risks(None)
            risks_as_at = f"The risk register on {format_date(today)}."
        if not risks["top"] and last is not None and quarter.end < today:
            risks = reader.risks(None)  # no snapshot was kept with that report
            risks_as_at = f"The risk register on {format_date(today)}."
        decisions = session.exec(
            select(Decision)
            .where(
                Decision.project_id == project.id,
                Decision.decision_date >= quarter.start,
                Decision.decision_date <= quarter.end,
            )
            .order_by(Decision.decision_date, Decision.number)
        ).all()
        audience = session.exec(
            select(ReportingSchedule.audience).where(
                ReportingSchedule.project_id == project.id,
                ReportingSchedule.report == "committee update",
            )
        ).first()
        stage = current_stage(stages)
        data = QuarterlyData(
            project_key=project.key,
            project_name=project.name,
            organisation=project.organisation,
            quarter=quarter,
            as_at=today,
            audience=audience or "",
            current_stage=stage.name if stage else "",
            reports=tuple(
                QuarterReport(
                    r.number,
                    r.period_end,
                    r.report_date,
                    ratings[r.id],
                    names.get(r.stage_id, ""),
                )
                for r in reports
            ),
            latest_summary=last.status_summary if last else "",
            milestones=tuple(
                Milestone(
                    s.sequence,
                    s.name,
                    s.status,
                    s.planned_end,
                    s.forecast_end,
                    s.actual_end,
                    _in_quarter(s, quarter),
                )
                for s in stages
            ),
            decisions=tuple(
                BoardDecision(d.decision_date, d.identifier, d.activity, d.summary)
                for d in decisions
            ),
            budget=reader.budget(committed),
            top_risks=risks["top"],
            risks_as_at=risks_as_at,
            change_counts=counts,
        )
        return build_quarterly_summary(data)
