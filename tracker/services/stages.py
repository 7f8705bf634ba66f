"""Stages and their plans: finding a stage as people name it, its tolerances in words, its
baselines, and board decisions that change a stage.

A stage row holds the current plan; ``stage_baseline`` keeps every approved plan (number 1 is the
original), so an exception plan can replace the plan while the original stays for comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from db.models import Decision, Project, Stage, StageBaseline, Tolerance, ToleranceAspect
from tracker.domain.dates import format_date
from tracker.domain.money import format_money
from tracker.domain.tolerance import ToleranceStatus
from tracker.domain.validation import InvalidValue
from tracker.errors import NotFound
from tracker.services.risks import next_number

BOARD = "Project board"


def find_stage(session: Session, project: Project, wanted: str | int) -> Stage:
    """A stage by its number in the sequence (``3``), its name, or the unique start of its name
    (``implementation``, ``procurement``), ignoring case."""
    stages = list(
        session.exec(select(Stage).where(Stage.project_id == project.id).order_by(Stage.sequence))
    )
    text = str(wanted).strip()
    if text.isdigit():
        found = [s for s in stages if s.sequence == int(text)]
    else:
        folded = text.casefold()
        found = [s for s in stages if s.name.casefold() == folded] or [
            s for s in stages if s.name.casefold().startswith(folded)
        ]
    if len(found) == 1:
        return found[0]
    listed = "; ".join(f"{s.sequence} {s.name}" for s in stages) or "none"
    if not text:
        raise NotFound(f"{project.key}: say which stage ({listed})")
    if len(found) > 1:
        raise NotFound(f"{project.key}: {text!r} matches more than one stage ({listed})")
    raise NotFound(f"{project.key} has no stage {text!r} (stages: {listed})")


def stage_label(stage: Stage) -> str:
    return f"stage {stage.sequence} {stage.name}"


# --------------------------------------------------------------------------- tolerances in words


def percent_text(basis_points: int) -> str:
    """500 basis points as ``5%``, 250 as ``2.5%``."""
    whole, part = divmod(basis_points, 100)
    return f"{whole}%" if not part else f"{whole}.{part:02d}".rstrip("0") + "%"


def amount_text(value: int | None, unit: str | None) -> str:
    """One side of a tolerance as it was set: ``10 days``, ``5%``, ``£20,000``."""
    if value is None:
        return ""
    if unit == "days":
        return f"{value} day" + ("" if value == 1 else "s")
    if unit == "basis_points":
        return percent_text(value)
    return format_money(value)


def bounds_text(plus: int | None, minus: int | None, unit: str | None) -> str:
    """Both sides of a numeric tolerance: ``+10 days / -10 days``."""
    if plus is None and minus is None:
        return ""
    over = f"+{amount_text(plus, unit)}" if plus is not None else "no overrun tolerance"
    under = f"-{amount_text(minus, unit)}" if minus is not None else "no underrun tolerance"
    return f"{over} / {under}"


@dataclass(frozen=True)
class ToleranceView:
    """One aspect's tolerance as set: numbers for time and cost, words for the others."""

    aspect: str
    kind: str  # time, cost or descriptive
    plus: int | None
    minus: int | None
    unit: str | None
    description: str
    set_on: date | None
    set_by: str

    @property
    def is_set(self) -> bool:
        return self.plus is not None or self.minus is not None or bool(self.description)

    @property
    def text(self) -> str:
        numbers = bounds_text(self.plus, self.minus, self.unit)
        if numbers and self.description:
            return f"{numbers} ({self.description})"
        return numbers or self.description or "not set"


def tolerance_views(
    session: Session, project_id: int, stage_id: int | None
) -> tuple[ToleranceView, ...]:
    """Every tolerance aspect of the project in its profile's order, set or not."""
    rows = session.exec(
        select(ToleranceAspect, Tolerance)
        .join(
            Tolerance,
            (Tolerance.aspect_id == ToleranceAspect.id)
            & (
                (Tolerance.stage_id == stage_id)
                if stage_id is not None
                else col(Tolerance.stage_id).is_(None)
            ),
            isouter=True,
        )
        .where(ToleranceAspect.project_id == project_id)
        .order_by(ToleranceAspect.rank)
    ).all()
    return tuple(
        ToleranceView(
            aspect.name,
            aspect.kind,
            tolerance.plus if tolerance else None,
            tolerance.minus if tolerance else None,
            tolerance.unit if tolerance else None,
            tolerance.description if tolerance else "",
            tolerance.set_on if tolerance else None,
            tolerance.set_by if tolerance else "",
        )
        for aspect, tolerance in rows
    )


def variance_text(check: ToleranceStatus) -> str:
    """``+9 days``, ``+£55,000``, ``-3 days``: the forecast's deviation from plan."""
    if check.aspect == "time":
        return f"{check.variance:+d} day" + ("" if abs(check.variance) == 1 else "s")
    sign = "+" if check.variance > 0 else ""
    return sign + format_money(check.variance)


def allowed_text(check: ToleranceStatus) -> str:
    """The tolerance on the side the variance falls, in the variance's units."""
    if check.allowed is None:
        return "no tolerance set"
    side = "-" if check.variance < 0 else "+"
    if check.aspect == "time":
        return f"{side}{check.allowed} day" + ("" if check.allowed == 1 else "s")
    return side + format_money(check.allowed)


def status_text(check: ToleranceStatus | None) -> str:
    """``at risk: +9 days, 90% of the +10 days tolerance``."""
    if check is None:
        return "no plan to measure against"
    if check.allowed is None:
        return f"{check.status} (variance {variance_text(check)})"
    if check.variance == 0:
        return f"{check.status}: on plan"
    used = f", {check.percent_used}% of" if check.percent_used is not None else " against"
    return f"{check.status}: {variance_text(check)}{used} the {allowed_text(check)} tolerance"


# --------------------------------------------------------------------------- baselines


def baselines(session: Session, stage_id: int) -> list[StageBaseline]:
    return list(
        session.exec(
            select(StageBaseline)
            .where(StageBaseline.stage_id == stage_id)
            .order_by(StageBaseline.number)
        )
    )


def ensure_baseline(session: Session, stage: Stage) -> StageBaseline:
    """The stage's original baseline, recording the current plan as it if there is none yet (a
    stage created before baselines were kept)."""
    existing = baselines(session, stage.id)
    if existing:
        return existing[0]
    first = StageBaseline(
        project_id=stage.project_id,
        stage_id=stage.id,
        number=1,
        kind="stage plan",
        planned_start=stage.planned_start,
        planned_end=stage.planned_end,
        planned_cost_pence=stage.planned_cost_pence,
        approved_on=stage.authorised_on,
    )
    session.add(first)
    session.flush()
    return first


def add_baseline(
    session: Session,
    stage: Stage,
    *,
    kind: str,
    approved_on: date,
    decision: Decision,
    note: str = "",
) -> StageBaseline:
    """Record the stage's (new) current plan as its next baseline, after the original."""
    ensure_baseline(session, stage)
    number = len(baselines(session, stage.id)) + 1
    baseline = StageBaseline(
        project_id=stage.project_id,
        stage_id=stage.id,
        number=number,
        kind=kind,
        planned_start=stage.planned_start,
        planned_end=stage.planned_end,
        planned_cost_pence=stage.planned_cost_pence,
        approved_on=approved_on,
        decision_id=decision.id,
        note=note,
    )
    session.add(baseline)
    session.flush()
    return baseline


def plan_text(start: date | None, end: date | None, cost: int | None) -> str:
    """``19/09/2011 to 30/03/2012, £1,150,000``."""
    dates = f"{format_date(start) or '?'} to {format_date(end) or '?'}"
    return f"{dates}, {format_money(cost)}" if cost is not None else dates


# --------------------------------------------------------------------------- decisions


def record_decision(
    session: Session,
    project: Project,
    *,
    activity: str,
    decided_on: date,
    summary: str,
    rationale: str,
    stage: Stage | None = None,
    issue_id: int | None = None,
) -> Decision:
    """A board (or corporate) decision with the next identifier (``D-014``)."""
    number = next_number(session, Decision, project.id)
    decision = Decision(
        project_id=project.id,
        number=number,
        identifier=f"D-{number:03d}",
        decision_date=decided_on,
        activity=activity,
        summary=summary,
        rationale=rationale,
        stage_id=stage.id if stage else None,
        issue_id=issue_id,
    )
    session.add(decision)
    session.flush()
    return decision


def not_after_today(value: date, today: date) -> date:
    """A date something was done or decided: never in the future."""
    if value > today:
        raise InvalidValue(f"{format_date(value)} is after today ({format_date(today)})")
    return value
