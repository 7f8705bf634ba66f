"""The financial summary the ICT strategy minutes asked for: historical costs, current budget
provision and projected costs, for the project, per stage and per UK financial year.

- **Budget provision**: what is approved to spend: each stage's current plan (an exception plan
  where the board approved one), plus the change and risk budgets held at project level.
- **Historical**: spent to date: a completed stage's actual cost, else the actual cost to date of
  its latest progress update.
- **Projected**: still to spend: the estimate to complete (forecast at completion less
  historical); a stage not started yet projects its whole forecast (or plan).
- **Forecast outturn** = historical + projected; **variance** = forecast outturn - budget.

By financial year (April to March, ``tracker.domain.finance``), each amount is apportioned by
days over the dates it belongs to: a stage's budget over its planned dates; what was spent
between two progress updates over the days between them (from the actual start for the first);
what is still to spend over the days from the latest update (or today, if later) to the forecast
end. So a stage that crosses 1 April is split between the two years in proportion to its days
in each. The change and risk budgets have no dates and are shown unphased.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, select

from db.models import Project, Stage
from tracker.domain.finance import FinancialYear, add_into, apportion
from tracker.domain.tolerance import expected_end
from tracker.services.progress import progress_lines
from tracker.services.stages import baselines
from tracker.services.status import stage_forecast_cost

CHANGE_BUDGET = "Change budget (held by the project)"
RISK_BUDGET = "Risk budget (held by the project)"
OTHER_BUDGET = "Budget outside the stage plans"
OVER_ALLOCATED = "Stage plans and project-held budgets beyond the budget"
UNPHASED = "Not phased (project-held budgets, undated costs)"
TOTAL = "Project total"


@dataclass(frozen=True)
class FinanceLine:
    label: str
    status: str  # a stage's status; "" for other lines
    baseline_pence: int | None  # the original baseline (stages only)
    budget_pence: int | None
    historical_pence: int
    projected_pence: int

    @property
    def forecast_pence(self) -> int:
        return self.historical_pence + self.projected_pence

    @property
    def variance_pence(self) -> int | None:
        return None if self.budget_pence is None else self.forecast_pence - self.budget_pence


@dataclass(frozen=True)
class FinancialSummary:
    key: str
    name: str
    as_at: date
    by_stage: tuple[FinanceLine, ...]  # stages in order, then the project-held budgets
    by_year: tuple[FinanceLine, ...]  # financial years in order, then the unphased budgets
    total: FinanceLine


@dataclass
class _Phased:
    """Amounts by financial year, and what has no dates to phase it by."""

    budget: dict[FinancialYear, int] = field(default_factory=dict)
    historical: dict[FinancialYear, int] = field(default_factory=dict)
    projected: dict[FinancialYear, int] = field(default_factory=dict)
    unphased_budget: int = 0
    unphased_historical: int = 0
    unphased_projected: int = 0


def _spread(totals: dict[FinancialYear, int], pence: int, start: date, end: date) -> None:
    """Add ``pence`` spread over ``start``..``end``; a period that ends before it starts (spending
    recorded on the day the work finished) falls on its end date."""
    if pence:
        add_into(totals, apportion(pence, min(start, end), end))


def phase_stage(session: Session, stage: Stage, today: date, into: _Phased) -> None:
    """Apportion one stage's budget, spending and projection by financial year (see the module
    docstring for the rule)."""
    if stage.planned_cost_pence:
        if stage.planned_start and stage.planned_end:
            _spread(into.budget, stage.planned_cost_pence, stage.planned_start, stage.planned_end)
        else:
            into.unphased_budget += stage.planned_cost_pence
    historical = stage.actual_cost_pence or 0
    projected = (stage_forecast_cost(stage) or 0) - historical
    start = stage.actual_start or stage.planned_start
    end = expected_end(stage.planned_end, stage.actual_end, stage.forecast_end, today)
    if start is None or end is None:
        into.unphased_historical += historical
        into.unphased_projected += projected
        return
    cursor, spent = start, 0  # the first day not yet accounted for, and what was spent before it
    for update in progress_lines(session, stage):
        if update.as_at > today:
            break
        _spread(into.historical, update.actual_cost_pence - spent, cursor, update.as_at)
        cursor, spent = update.as_at + timedelta(days=1), update.actual_cost_pence
    if historical != spent:
        last_day = stage.actual_end or today
        _spread(into.historical, historical - spent, cursor, last_day)
        cursor = last_day + timedelta(days=1)
    started = stage.actual_start is not None or historical > 0
    _spread(into.projected, projected, max(cursor, today) if started else start, end)


def _stage_line(session: Session, stage: Stage) -> FinanceLine:
    originals = baselines(session, stage.id)
    historical = stage.actual_cost_pence or 0
    forecast = stage_forecast_cost(stage)
    return FinanceLine(
        label=f"{stage.sequence} {stage.name}",
        status=stage.status,
        baseline_pence=originals[0].planned_cost_pence if originals else stage.planned_cost_pence,
        budget_pence=stage.planned_cost_pence,
        historical_pence=historical,
        projected_pence=(forecast or 0) - historical,
    )


def summarise(session: Session, project: Project, today: date) -> FinancialSummary:
    stages = list(
        session.exec(select(Stage).where(Stage.project_id == project.id).order_by(Stage.sequence))
    )
    by_stage = [_stage_line(session, s) for s in stages]
    held = [
        (CHANGE_BUDGET, project.change_budget_pence),
        (RISK_BUDGET, project.risk_budget_pence),
    ]
    held_lines = [FinanceLine(label, "", None, amount, 0, 0) for label, amount in held if amount]
    planned = sum(s.planned_cost_pence or 0 for s in stages)
    reserves = sum(amount or 0 for _, amount in held)
    if project.budget_pence is not None and project.budget_pence != planned + reserves:
        outside = project.budget_pence - planned - reserves
        held_lines.append(
            FinanceLine(OTHER_BUDGET if outside > 0 else OVER_ALLOCATED, "", None, outside, 0, 0)
        )
    phased = _Phased()
    for stage in stages:
        phase_stage(session, stage, today, phased)
    years = sorted(set(phased.budget) | set(phased.historical) | set(phased.projected))
    by_year = [
        FinanceLine(
            year.label,
            "",
            None,
            phased.budget.get(year, 0),
            phased.historical.get(year, 0),
            phased.projected.get(year, 0),
        )
        for year in years
    ]
    unphased_budget = phased.unphased_budget + sum(line.budget_pence for line in held_lines)
    if unphased_budget or phased.unphased_historical or phased.unphased_projected:
        by_year.append(
            FinanceLine(
                UNPHASED,
                "",
                None,
                unphased_budget,
                phased.unphased_historical,
                phased.unphased_projected,
            )
        )
    budgets = [line.budget_pence for line in by_stage + held_lines if line.budget_pence is not None]
    total = FinanceLine(
        TOTAL,
        project.status,
        None,
        project.budget_pence
        if project.budget_pence is not None
        else (sum(budgets) if budgets else None),
        sum(line.historical_pence for line in by_stage),
        sum(line.projected_pence for line in by_stage),
    )
    return FinancialSummary(
        project.key, project.name, today, tuple(by_stage + held_lines), tuple(by_year), total
    )


def financial_summary(db, key: str, today: date | None = None) -> FinancialSummary:
    from tracker.domain.clock import today as clock_today
    from tracker.services.projects import project_by_key

    today = today or clock_today()
    with db.read() as session:
        return summarise(session, project_by_key(session, key), today)
