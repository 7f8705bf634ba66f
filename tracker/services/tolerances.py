"""Changing tolerances: a board decision for a stage, a corporate or programme decision for the
project. Each change is recorded as a ``Decision`` (with its date and rationale), as a
``tolerance_change`` row with the values before and after, and in the audit trail.

Time is in days either side; cost in money (``£20,000``) or as a percentage of the plan
(``5%``), the same way on both sides; scope, quality, risk, benefits (and sustainability in
PRINCE2 7) in words. ``parse_tolerances`` is the one validation path for the form and the
command line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from db.clock import utcnow
from db.models import Project, Stage, Tolerance, ToleranceChange
from tracker.domain.dates import parse_optional_date
from tracker.domain.money import format_money, parse_money
from tracker.domain.validation import (
    InvalidValue,
    Problems,
    ValidationError,
    optional_text,
    required_text,
    whole_number,
)
from tracker.services.records import apply_edit, run_write
from tracker.services.stages import (
    ToleranceView,
    bounds_text,
    find_stage,
    not_after_today,
    percent_text,
    record_decision,
    tolerance_views,
)

PERCENTAGE = re.compile(r"^(\d{1,4})(?:\.(\d{1,2}))?\s*%$")
STAGE_ACTIVITY = "authorise a stage or exception plan"
PROJECT_ACTIVITY = "corporate or programme direction"
STAGE_SETTER = "Project board"
PROJECT_SETTER = "Corporate or programme management"
MAX_DAYS = 3660
DECISION_FIELDS = ("decided on", "rationale")


@dataclass(frozen=True)
class ToleranceSetting:
    """One aspect as a decision leaves it. ``description`` None keeps the words already set (the
    form and the command line edit time and cost as numbers only)."""

    aspect: str
    kind: str
    plus: int | None
    minus: int | None
    unit: str | None
    description: str | None

    def text(self, current_description: str = "") -> str:
        numbers = bounds_text(self.plus, self.minus, self.unit)
        words = current_description if self.description is None else self.description
        return numbers or words or "not set"


@dataclass(frozen=True)
class ToleranceChangeInput:
    settings: tuple[ToleranceSetting, ...]
    decided_on: date
    rationale: str


def tolerance_fields(aspects: Sequence[tuple[str, str]]) -> list[str]:
    """The raw field names for a project's aspects, e.g. ``time plus``, ``cost minus``,
    ``scope``, then ``decided on`` and ``rationale``."""
    names: list[str] = []
    for name, kind in aspects:
        names += [f"{name} plus", f"{name} minus"] if kind in ("time", "cost") else [name]
    return [*names, *DECISION_FIELDS]


def parse_percentage(text: str) -> int:
    """``5%`` or ``2.5%`` to basis points (hundredths of a per cent)."""
    match = PERCENTAGE.match(text)
    if not match:
        raise InvalidValue(f"{text!r} is not a percentage like 5% or 2.5%")
    return int(match[1]) * 100 + int((match[2] or "0").ljust(2, "0"))


def parse_cost_side(value: object) -> tuple[int, str] | None:
    """One side of a cost tolerance: money (``£20,000``, ``£20k``) or a percentage of the plan
    (``5%``); None when blank."""
    text = str(value or "").strip()
    if not text:
        return None
    if text.endswith("%"):
        return parse_percentage(text), "basis_points"
    try:
        return parse_money(text), "pence"
    except InvalidValue:
        raise InvalidValue(
            f"{text!r} is not an amount of money (£20,000) or a percentage of the plan (5%)"
        ) from None


def parse_days(value: object) -> int | None:
    text = str(value or "").strip().removesuffix("days").removesuffix("day").strip()
    if not text:
        return None
    return whole_number(text, low=0, high=MAX_DAYS)


def current_raw_values(views: Sequence[ToleranceView]) -> dict[str, str]:
    """The tolerances as the raw text values ``parse_tolerances`` takes (and the form shows)."""

    def side(value: int | None, unit: str | None) -> str:
        if value is None:
            return ""
        if unit == "basis_points":
            return percent_text(value)
        if unit == "pence":
            return format_money(value)
        return str(value)

    raw: dict[str, str] = {}
    for view in views:
        if view.kind in ("time", "cost"):
            raw[f"{view.aspect} plus"] = side(view.plus, view.unit)
            raw[f"{view.aspect} minus"] = side(view.minus, view.unit)
        else:
            raw[view.aspect] = view.description
    return raw


def parse_tolerances(
    raw: Mapping[str, object], aspects: Sequence[tuple[str, str]], *, today: date
) -> ToleranceChangeInput:
    """Validate tolerances for every aspect given as ``(name, kind)``, with the decision's date
    (default today) and rationale, from raw values keyed by ``tolerance_fields(aspects)``."""
    problems = Problems()

    def get(name: str) -> object:
        value = raw.get(name)
        return value.strip() if isinstance(value, str) else value

    settings = []
    for name, kind in aspects:
        if kind == "time":
            plus = problems.take(f"{name} plus", parse_days, get(f"{name} plus"))
            minus = problems.take(f"{name} minus", parse_days, get(f"{name} minus"))
            unit = "days" if plus is not None or minus is not None else None
            settings.append(ToleranceSetting(name, kind, plus, minus, unit, None))
        elif kind == "cost":
            over = problems.take(f"{name} plus", parse_cost_side, get(f"{name} plus"))
            under = problems.take(f"{name} minus", parse_cost_side, get(f"{name} minus"))
            if over and under and over[1] != under[1]:
                problems.add(
                    f"{name} minus",
                    "give both sides the same way: both as money or both as a percentage",
                )
            unit = (over or under or (None, None))[1]
            settings.append(
                ToleranceSetting(
                    name,
                    kind,
                    over[0] if over else None,
                    under[0] if under else None,
                    unit,
                    None,
                )
            )
        else:
            settings.append(
                ToleranceSetting(name, kind, None, None, None, optional_text(get(name)))
            )
    decided_on = problems.take("decided on", parse_optional_date, get("decided on")) or today
    problems.take("decided on", not_after_today, decided_on, today)
    rationale = problems.take("rationale", required_text, get("rationale"))
    problems.check()
    return ToleranceChangeInput(tuple(settings), decided_on, rationale)


def changed_settings(
    data: ToleranceChangeInput, views: Sequence[ToleranceView]
) -> list[tuple[ToleranceSetting, ToleranceView, str]]:
    """(new setting, tolerance as it was, new description) for each aspect the decision changes;
    a ValidationError if it changes none (a decision that changes nothing is not recorded)."""
    current = {v.aspect: v for v in views}
    changes = []
    for setting in data.settings:
        was = current.get(setting.aspect)
        if was is None:
            continue
        description = was.description if setting.description is None else setting.description
        if (setting.plus, setting.minus, setting.unit, description) != (
            was.plus,
            was.minus,
            was.unit,
            was.description,
        ):
            changes.append((setting, was, description))
    if not changes:
        raise ValidationError.single("tolerances", "no tolerance changed; nothing was recorded")
    return changes


@dataclass(frozen=True)
class SavedTolerances:
    decision: str  # D-014
    level: str  # "stage" or "project"
    changed: tuple[str, ...]  # aspects
    version: int  # of the stage or project


def _tolerance_row(
    session: Session, project: Project, stage: Stage | None, aspect_id: int
) -> Tolerance | None:
    return session.exec(
        select(Tolerance).where(
            Tolerance.project_id == project.id,
            Tolerance.aspect_id == aspect_id,
            (Tolerance.stage_id == stage.id) if stage else col(Tolerance.stage_id).is_(None),
        )
    ).first()


def apply_tolerances(
    session: Session,
    project: Project,
    stage: Stage | None,
    data: ToleranceChangeInput,
    *,
    opened_version: int | None,
) -> SavedTolerances:
    """Inside the caller's transaction: the decision, the changed tolerances and their history;
    the stage (or project) gets a new version, so an edit based on older tolerances is refused."""
    from tracker.services.configuration import load_vocabulary

    owner = stage or project
    label = f"{project.key} {stage.name} tolerances" if stage else f"{project.key} tolerances"
    aspects = load_vocabulary(session, project.id).aspects
    for setting in data.settings:
        if setting.aspect not in aspects:
            raise ValidationError.single(setting.aspect, "is not a tolerance aspect of the project")
    changes = changed_settings(data, tolerance_views(session, project.id, stage and stage.id))
    apply_edit(session, owner, opened_version, {"updated_at": utcnow()}, label=label)
    what = f"the {stage.name} stage" if stage else "the project"
    summary = f"Set {what} tolerances: " + "; ".join(
        f"{s.aspect} {s.text(description)} (was {was.text})" for s, was, description in changes
    )
    decision = record_decision(
        session,
        project,
        activity=STAGE_ACTIVITY if stage else PROJECT_ACTIVITY,
        decided_on=data.decided_on,
        summary=summary + ".",
        rationale=data.rationale,
        stage=stage,
    )
    setter = f"{STAGE_SETTER if stage else PROJECT_SETTER} ({decision.identifier})"
    for setting, was, description in changes:
        aspect_id = aspects[setting.aspect][0]
        row = _tolerance_row(session, project, stage, aspect_id)
        if row is None:
            row = Tolerance(
                project_id=project.id, stage_id=stage.id if stage else None, aspect_id=aspect_id
            )
            session.add(row)
        row.plus, row.minus, row.unit = setting.plus, setting.minus, setting.unit
        row.description = description
        row.set_on, row.set_by = data.decided_on, setter
        session.add(
            ToleranceChange(
                project_id=project.id,
                stage_id=stage.id if stage else None,
                aspect_id=aspect_id,
                decision_id=decision.id,
                old_plus=was.plus,
                old_minus=was.minus,
                old_unit=was.unit,
                old_description=was.description,
                new_plus=setting.plus,
                new_minus=setting.minus,
                new_unit=setting.unit,
                new_description=description,
            )
        )
    session.flush()
    return SavedTolerances(
        decision.identifier,
        "stage" if stage else "project",
        tuple(s.aspect for s, _, _ in changes),
        owner.version,
    )


def change_tolerances(
    db,
    key: str,
    stage: str | int | None,
    data: ToleranceChangeInput | Mapping[str, object],
    *,
    today: date,
    opened_version: int | None = None,
    actor: str | None = None,
) -> SavedTolerances:
    """Change a stage's tolerances (``stage`` given) or the project's (``stage`` None), from the
    form's typed input or from raw changes (command line: only the fields given change)."""
    from tracker.services.configuration import load_vocabulary
    from tracker.services.projects import project_by_key

    def work(session: Session) -> SavedTolerances:
        project = project_by_key(session, key)
        found = find_stage(session, project, stage) if stage is not None else None
        typed = data
        if not isinstance(typed, ToleranceChangeInput):
            aspects = [
                (name, kind)
                for name, (_, kind) in load_vocabulary(session, project.id).aspects.items()
            ]
            unknown = sorted(set(typed) - set(tolerance_fields(aspects)))
            if unknown:
                raise ValidationError.single(unknown[0], "is not a tolerance field of the project")
            views = tolerance_views(session, project.id, found and found.id)
            typed = parse_tolerances(current_raw_values(views) | dict(typed), aspects, today=today)
        return apply_tolerances(session, project, found, typed, opened_version=opened_version)

    return run_write(db, work, actor=actor)
