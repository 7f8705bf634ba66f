"""The project's stage plan as the stages screen and ``tracker stages list`` show it: every stage
with its current plan, original baseline, actuals, forecast, progress history, tolerances and
tolerance status, and the project's own, read in one session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from db.models import Decision, Project, Stage
from tracker.domain.rag import worst
from tracker.domain.tolerance import ToleranceStatus, expected_end
from tracker.services.end_stage import reports_for as end_stage_reports
from tracker.services.exceptions import BoardException, board_exceptions
from tracker.services.exceptions import reports_for as exception_reports
from tracker.services.progress import ProgressLine, progress_lines
from tracker.services.stages import ToleranceView, baselines, tolerance_views
from tracker.services.status import plan_cost_pence, project_status, stage_forecast_cost


@dataclass(frozen=True)
class BaselineView:
    number: int
    kind: str
    planned_start: date | None
    planned_end: date | None
    planned_cost_pence: int | None
    approved_on: date | None
    decision: str  # D-010, or ""
    note: str


@dataclass(frozen=True)
class ReportLine:
    identifier: str
    kind: str  # "exception report" or "end stage report"
    title: str
    status: str
    drafted_on: date
    issued_on: date | None
    decided_on: date | None


@dataclass(frozen=True)
class StageView:
    id: int
    sequence: int
    name: str
    kind: str
    status: str
    description: str
    planned_start: date | None
    planned_end: date | None
    planned_cost_pence: int | None
    actual_start: date | None
    actual_end: date | None
    actual_cost_pence: int | None
    forecast_end: (
        date | None
    )  # when the work will finish (actual, forecast or plan; not before today)
    forecast_cost_pence: int | None  # forecast at completion (actual once completed)
    percent_complete: int
    authorised_on: date | None
    version: int
    tolerances: tuple[ToleranceView, ...]
    time: ToleranceStatus | None
    cost: ToleranceStatus | None
    baselines: tuple[BaselineView, ...]
    progress: tuple[ProgressLine, ...]
    reports: tuple[ReportLine, ...]
    notes: str

    @property
    def rag(self) -> str | None:
        return worst([c.rag for c in (self.time, self.cost) if c])

    @property
    def original(self) -> BaselineView | None:
        return self.baselines[0] if self.baselines else None

    @property
    def replanned(self) -> bool:
        """The current plan differs from the original baseline (an exception plan)."""
        first = self.original
        return first is not None and (
            first.planned_start,
            first.planned_end,
            first.planned_cost_pence,
        ) != (self.planned_start, self.planned_end, self.planned_cost_pence)

    @property
    def estimate_to_complete_pence(self) -> int | None:
        if self.forecast_cost_pence is None:
            return None
        return self.forecast_cost_pence - (self.actual_cost_pence or 0)

    @property
    def open_report(self) -> ReportLine | None:
        return next(
            (r for r in self.reports if r.status in ("draft", "issued")),
            None,
        )


@dataclass(frozen=True)
class StagePlan:
    key: str
    name: str
    status: str
    today: date
    version: int
    planned_start: date | None
    planned_end: date | None
    forecast_end: date | None
    budget_pence: int | None
    plan_cost_pence: int | None  # what the project cost tolerance is measured against
    forecast_cost_pence: int | None
    tolerances: tuple[ToleranceView, ...]
    time: ToleranceStatus | None
    cost: ToleranceStatus | None
    overall_rag: str | None
    current_stage: str
    stages: tuple[StageView, ...]
    exceptions: tuple[BoardException, ...]
    reports: tuple[ReportLine, ...]  # project-level exception reports

    @property
    def rag(self) -> str | None:
        return worst([c.rag for c in (self.time, self.cost) if c])

    def stage(self, sequence: int) -> StageView:
        return next(s for s in self.stages if s.sequence == sequence)


def _decision_identifiers(session: Session, project_id: int) -> dict[int, str]:
    return dict(
        session.exec(
            select(Decision.id, Decision.identifier).where(Decision.project_id == project_id)
        ).all()
    )


def build_stage_plan(session: Session, project: Project, today: date) -> StagePlan:
    status = project_status(session, project, today)
    stages = list(
        session.exec(select(Stage).where(Stage.project_id == project.id).order_by(Stage.sequence))
    )
    by_id = {s.stage_id: s for s in status.stages}
    decisions = _decision_identifiers(session, project.id)
    reports: dict[int | None, list[ReportLine]] = {}
    for r in exception_reports(session, project.id):
        reports.setdefault(r.stage_id, []).append(
            ReportLine(
                r.identifier,
                "exception report",
                r.title,
                r.status,
                r.drafted_on,
                r.issued_on,
                r.decided_on,
            )
        )
    names = {s.id: s.name for s in stages}
    for r in end_stage_reports(session, project.id):
        reports.setdefault(r.stage_id, []).append(
            ReportLine(
                r.identifier,
                "end stage report",
                f"End of the {names[r.stage_id]} stage",
                r.status,
                r.drafted_on,
                r.issued_on,
                r.decided_on,
            )
        )
    views = []
    for stage in stages:
        checks = by_id[stage.id]
        rows = baselines(session, stage.id)
        if not rows:  # stages made before baselines were kept: the plan is the baseline
            shown = (
                BaselineView(
                    1,
                    "stage plan",
                    stage.planned_start,
                    stage.planned_end,
                    stage.planned_cost_pence,
                    stage.authorised_on,
                    "",
                    "",
                ),
            )
        else:
            shown = tuple(
                BaselineView(
                    b.number,
                    b.kind,
                    b.planned_start,
                    b.planned_end,
                    b.planned_cost_pence,
                    b.approved_on,
                    decisions.get(b.decision_id, ""),
                    b.note,
                )
                for b in rows
            )
        views.append(
            StageView(
                id=stage.id,
                sequence=stage.sequence,
                name=stage.name,
                kind=stage.kind,
                status=stage.status,
                description=stage.description,
                planned_start=stage.planned_start,
                planned_end=stage.planned_end,
                planned_cost_pence=stage.planned_cost_pence,
                actual_start=stage.actual_start,
                actual_end=stage.actual_end,
                actual_cost_pence=stage.actual_cost_pence,
                forecast_end=expected_end(
                    stage.planned_end, stage.actual_end, stage.forecast_end, today
                ),
                forecast_cost_pence=stage_forecast_cost(stage),
                percent_complete=stage.percent_complete,
                authorised_on=stage.authorised_on,
                version=stage.version,
                tolerances=tolerance_views(session, project.id, stage.id),
                time=checks.time,
                cost=checks.cost,
                baselines=shown,
                progress=tuple(progress_lines(session, stage)),
                reports=tuple(sorted(reports.get(stage.id, []), key=lambda r: r.drafted_on)),
                notes=stage.notes,
            )
        )
    last = views[-1] if views else None
    forecasts = [v.forecast_cost_pence for v in views]
    return StagePlan(
        key=project.key,
        name=project.name,
        status=project.status,
        today=today,
        version=project.version,
        planned_start=project.planned_start,
        planned_end=project.planned_end,
        forecast_end=last.forecast_end if last else None,
        budget_pence=project.budget_pence,
        plan_cost_pence=plan_cost_pence(project),
        forecast_cost_pence=sum(forecasts) if views and None not in forecasts else None,
        tolerances=tolerance_views(session, project.id, None),
        time=status.time,
        cost=status.cost,
        overall_rag=status.overall_rag,
        current_stage=status.current_stage.name if status.current_stage else "",
        stages=tuple(views),
        exceptions=tuple(board_exceptions(session, project, status)),
        reports=tuple(reports.get(None, [])),
    )


def stage_plan(db, key: str, today: date | None = None) -> StagePlan:
    from tracker.domain.clock import today as clock_today
    from tracker.services.projects import project_by_key

    today = today or clock_today()
    with db.read() as session:
        return build_stage_plan(session, project_by_key(session, key), today)
