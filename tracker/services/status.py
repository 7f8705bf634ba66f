"""Tolerance status of stages and projects, computed from the plans and forecasts in the database
(the rule itself is in ``tracker.domain.tolerance``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from db.models import Project, Stage, Tolerance, ToleranceAspect
from tracker.domain.rag import BLUE, worst
from tracker.domain.tolerance import ToleranceStatus, cost_status, time_status


@dataclass(frozen=True)
class StageStatus:
    stage_id: int
    sequence: int
    name: str
    status: str
    time: ToleranceStatus | None
    cost: ToleranceStatus | None

    @property
    def rag(self) -> str | None:
        return worst([self.time.rag if self.time else None, self.cost.rag if self.cost else None])


@dataclass(frozen=True)
class ProjectStatus:
    time: ToleranceStatus | None
    cost: ToleranceStatus | None
    stages: tuple[StageStatus, ...]
    current_stage: StageStatus | None
    closed: bool = False

    @property
    def overall_rag(self) -> str | None:
        if self.closed:
            return BLUE
        ratings = [self.time.rag if self.time else None, self.cost.rag if self.cost else None]
        if self.current_stage:
            ratings.append(self.current_stage.rag)
        return worst(ratings)

    @property
    def exceptions(self) -> list[str]:
        """Plain-English lines for every forecast beyond tolerance."""
        found = []
        for label, check in (("Project time", self.time), ("Project cost", self.cost)):
            if check and check.status == "beyond tolerance":
                found.append(label)
        if self.current_stage:
            for label, check in (
                ("time", self.current_stage.time),
                ("cost", self.current_stage.cost),
            ):
                if check and check.status == "beyond tolerance":
                    found.append(f"{self.current_stage.name} {label}")
        return found


def current_stage(stages: Sequence[Stage]) -> Stage | None:
    """The stage in progress, else the next one authorised or planned, else the last."""
    ordered = sorted(stages, key=lambda s: s.sequence)
    for wanted in ("in progress", "authorised", "planned"):
        for stage in ordered:
            if stage.status == wanted:
                return stage
    return ordered[-1] if ordered else None


def plan_cost_pence(project: Project) -> int | None:
    """The cost the project's time-and-cost tolerance is measured against: the budget less the
    risk and change budgets, which PRINCE2 holds apart from the plan."""
    if project.budget_pence is None:
        return None
    return (
        project.budget_pence - (project.change_budget_pence or 0) - (project.risk_budget_pence or 0)
    )


def stage_forecast_cost(stage: Stage) -> int | None:
    if stage.status == "completed" and stage.actual_cost_pence is not None:
        return stage.actual_cost_pence
    if stage.forecast_cost_pence is not None:
        return stage.forecast_cost_pence
    return stage.planned_cost_pence


def _bounds(
    tolerances: dict[str, Tolerance], aspect: str
) -> tuple[int | None, int | None, str | None]:
    tolerance = tolerances.get(aspect)
    if tolerance is None:
        return None, None, None
    return tolerance.plus, tolerance.minus, tolerance.unit


def stage_status(stage: Stage, tolerances: dict[str, Tolerance], today: date) -> StageStatus:
    plus_days, minus_days, _ = _bounds(tolerances, "time")
    plus, minus, unit = _bounds(tolerances, "cost")
    return StageStatus(
        stage_id=stage.id,
        sequence=stage.sequence,
        name=stage.name,
        status=stage.status,
        time=time_status(
            stage.planned_end, stage.actual_end, stage.forecast_end, today, plus_days, minus_days
        ),
        cost=cost_status(stage.planned_cost_pence, stage_forecast_cost(stage), plus, minus, unit),
    )


def project_status(session: Session, project: Project, today: date) -> ProjectStatus:
    stages = list(
        session.exec(select(Stage).where(Stage.project_id == project.id).order_by(Stage.sequence))
    )
    rows = session.exec(
        select(Tolerance, ToleranceAspect.name)
        .join(ToleranceAspect, ToleranceAspect.id == Tolerance.aspect_id)
        .where(Tolerance.project_id == project.id)
    ).all()
    by_stage: dict[int | None, dict[str, Tolerance]] = {}
    for tolerance, aspect in rows:
        by_stage.setdefault(tolerance.stage_id, {})[aspect] = tolerance
    stage_statuses = tuple(stage_status(s, by_stage.get(s.id, {}), today) for s in stages)
    current = current_stage(stages)
    current_status = next((s for s in stage_statuses if current and s.stage_id == current.id), None)

    project_tolerances = by_stage.get(None, {})
    last = stages[-1] if stages else None
    plus_days, minus_days, _ = _bounds(project_tolerances, "time")
    time = None
    if last is not None and project.planned_end is not None:
        time = time_status(
            project.planned_end,
            last.actual_end if last.status == "completed" else None,
            last.forecast_end or last.planned_end,
            today,
            plus_days,
            minus_days,
        )
    forecasts = [stage_forecast_cost(s) for s in stages]
    plus, minus, unit = _bounds(project_tolerances, "cost")
    cost = None
    if stages and all(f is not None for f in forecasts):
        cost = cost_status(plan_cost_pence(project), sum(forecasts), plus, minus, unit)
    return ProjectStatus(
        time=time,
        cost=cost,
        stages=stage_statuses,
        current_stage=current_status,
        closed=project.status == "closed",
    )
