"""Finding a stage report to print: a stored exception or end stage report by identifier or by
stage, or, where a stage has none, a preview drafted from the data and not saved."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from db.models import EndStageReport, ExceptionReport, Project, Stage
from tracker.errors import Conflict, NotFound
from tracker.reports.document import Document
from tracker.services import end_stage, exceptions
from tracker.services.stages import find_stage, status_text

PREVIEW = "preview"


def _preview_exception(session: Session, project: Project, stage: Stage, today: date) -> Document:
    from tracker.services.status import project_status

    status = project_status(session, project, today)
    mine = next(s for s in status.stages if s.stage_id == stage.id)
    if not exceptions.beyond_tolerance(mine.time, mine.cost):
        described = "; ".join(f"{c.aspect} {status_text(c)}" for c in (mine.time, mine.cost) if c)
        raise Conflict(
            f"{project.key}: {stage.name} has no exception report, and nothing in it is forecast "
            f"beyond tolerance ({described or 'no plan to measure against'})"
        )
    fields = exceptions.draft_fields(session, project, stage, status, today)
    draft = ExceptionReport(
        project_id=project.id,
        number=1,
        identifier=f"({PREVIEW}, not saved)",
        level="stage",
        stage_id=stage.id,
        drafted_on=today,
        author_id=exceptions.project_manager_id(session, project.id),
        status="draft",
        **fields,
    )
    return exceptions.report_document(session, draft)


def _preview_end_stage(session: Session, project: Project, stage: Stage, today: date) -> Document:
    from tracker.services.status import project_status

    end_stage.check_stage_boundary(project, stage)
    mine = next(s for s in project_status(session, project, today).stages if s.stage_id == stage.id)
    following = end_stage.next_stage(session, stage)
    draft = EndStageReport(
        project_id=project.id,
        number=1,
        identifier=f"({PREVIEW}, not saved)",
        stage_id=stage.id,
        next_stage_id=following.id if following else None,
        drafted_on=today,
        author_id=exceptions.project_manager_id(session, project.id),
        status="draft",
        **end_stage.draft_fields(session, project, stage, mine, today),
    )
    return end_stage.report_document(session, draft, today)


def stage_report_document(
    db,
    key: str,
    *,
    identifier: str | None = None,
    stage: str | int | None = None,
    kind: str = "exception",
    today: date,
) -> Document:
    """The report named by ``identifier`` (``ER-001``, ``ES-001``), else the latest of ``kind``
    (``exception`` or ``end``) for ``stage``, else a preview drafted from the data."""
    from tracker.services.projects import project_by_key

    with db.read() as session:
        project = project_by_key(session, key)
        if identifier:
            wanted = identifier.strip().upper()
            if wanted.startswith(f"{end_stage.PREFIX}-"):
                report = end_stage.find_end_stage_report(session, project, wanted)
                return end_stage.report_document(session, report, today)
            if wanted.startswith(f"{exceptions.PREFIX}-"):
                report = exceptions.find_exception_report(session, project, wanted)
                return exceptions.report_document(session, report)
            raise NotFound(f"{project.key}: {identifier!r} is not a report like ER-001 or ES-001")
        found = find_stage(session, project, stage)
        if kind == "end":
            stored = session.exec(
                select(EndStageReport).where(EndStageReport.stage_id == found.id)
            ).first()
            if stored is not None:
                return end_stage.report_document(session, stored, today)
            return _preview_end_stage(session, project, found, today)
        stored = session.exec(
            select(ExceptionReport)
            .where(ExceptionReport.stage_id == found.id)
            .order_by(col(ExceptionReport.number).desc())
        ).first()
        if stored is not None:
            return exceptions.report_document(session, stored)
        return _preview_exception(session, project, found, today)
