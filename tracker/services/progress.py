"""Progress updates: actual cost to date, estimate to complete (so the forecast at completion),
forecast end and per cent complete, as at a date.

``parse_progress`` is the one validation path for the form and the command line. Every update is
kept (``stage_progress``) so the trend of the forecasts can be shown; the stage row carries the
latest one, which is what the tolerance status is worked out from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from db.models import Stage, StageProgress
from tracker.domain.dates import format_date, parse_optional_date
from tracker.domain.money import format_money, parse_money, parse_optional_money
from tracker.domain.tolerance import BEYOND, ToleranceStatus
from tracker.domain.validation import InvalidValue, Problems, optional_text
from tracker.errors import Conflict
from tracker.services.records import apply_edit, run_write
from tracker.services.stages import find_stage, not_after_today

PROGRESS_FIELDS = (
    "as at",
    "started on",
    "actual cost to date",
    "estimate to complete",
    "forecast at completion",
    "forecast end",
    "per cent complete",
    "note",
)
RECORDABLE = ("authorised", "in progress")
PERCENT = re.compile(r"^(\d{1,3})\s*%?$")


@dataclass(frozen=True)
class StageFacts:
    """What checking a progress update needs to know about its stage."""

    name: str
    status: str
    actual_start: date | None


@dataclass(frozen=True)
class ProgressInput:
    as_at: date
    started_on: date | None  # only for a stage's first update: when it actually started
    actual_cost_pence: int
    estimate_to_complete_pence: int
    forecast_cost_pence: int
    forecast_end: date
    percent_complete: int
    note: str


def facts_of(stage: Stage) -> StageFacts:
    return StageFacts(stage.name, stage.status, stage.actual_start)


def progress_refusal(stage: StageFacts) -> str | None:
    """Why progress cannot be recorded against this stage now, or None."""
    if stage.status == "planned":
        return (
            f"{stage.name} is planned but not authorised: the board authorises a stage before "
            "work (and progress) starts"
        )
    if stage.status == "completed":
        return f"{stage.name} is completed: its final figures were recorded when it closed"
    return None


def parse_percent_complete(value: object) -> int:
    """``70``, ``"70"`` or ``"70%"``: a whole per cent from 0 to 100."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value or "").strip()
        if not text:
            raise InvalidValue("is required")
        match = PERCENT.match(text)
        if not match:
            raise InvalidValue(f"{text!r} is not a whole per cent, e.g. 70 or 70%")
        number = int(match[1])
    if not 0 <= number <= 100:
        raise InvalidValue(f"{number}% is outside 0% to 100%")
    return number


def _stage_checks(
    problems: Problems,
    stage: StageFacts,
    *,
    as_at: date | None,
    started_on: date | None,
    forecast_end: date | None,
    percent: int | None,
) -> None:
    """The rules that depend on the stage: kept in one place for the parser and the save."""
    if stage.actual_start is None and started_on is None:
        problems.add(
            "started on",
            f"is required: this is the first progress update of {stage.name}, "
            "so say when the work actually started",
        )
    if stage.actual_start is not None and started_on not in (None, stage.actual_start):
        problems.add(
            "started on",
            f"{stage.name} started on {format_date(stage.actual_start)}; leave this blank",
        )
    start = stage.actual_start or started_on
    if start is not None and as_at is not None and as_at < start:
        problems.add(
            "as at", f"{format_date(as_at)} is before the stage started ({format_date(start)})"
        )
    if start is not None and forecast_end is not None and forecast_end < start:
        problems.add(
            "forecast end",
            f"{format_date(forecast_end)} is before the stage started ({format_date(start)})",
        )
    elif (
        forecast_end is not None
        and as_at is not None
        and percent is not None
        and percent < 100
        and forecast_end < as_at
    ):
        problems.add(
            "forecast end",
            f"{format_date(forecast_end)} is before the update's date ({format_date(as_at)}) "
            f"but the stage is only {percent}% complete",
        )


def parse_progress(raw: Mapping[str, object], stage: StageFacts, *, today: date) -> ProgressInput:
    """Validate a progress update given as raw values keyed by the names in
    ``PROGRESS_FIELDS``. Give the estimate to complete or the forecast at completion (or both, if
    they agree); the other follows from the actual cost to date."""
    problems = Problems()

    def get(name: str) -> object:
        value = raw.get(name)
        return value.strip() if isinstance(value, str) else value

    as_at = problems.take("as at", parse_optional_date, get("as at")) or today
    if problems.take("as at", not_after_today, as_at, today) is None:
        as_at = None
    started_on = problems.take("started on", parse_optional_date, get("started on"))
    if started_on is not None:
        problems.take("started on", not_after_today, started_on, today)
    actual = problems.take("actual cost to date", parse_money, get("actual cost to date") or "")
    to_complete = problems.take(
        "estimate to complete", parse_optional_money, get("estimate to complete")
    )
    at_completion = problems.take(
        "forecast at completion", parse_optional_money, get("forecast at completion")
    )
    bad = {e.field for e in problems.errors}
    if (
        to_complete is None
        and at_completion is None
        and not bad
        & {
            "estimate to complete",
            "forecast at completion",
        }
    ):
        problems.add(
            "estimate to complete", "give the estimate to complete or the forecast at completion"
        )
    if actual is not None and at_completion is not None:
        if at_completion < actual:
            problems.add(
                "forecast at completion",
                f"{format_money(at_completion)} is less than the {format_money(actual)} "
                "already spent",
            )
        elif to_complete is not None and actual + to_complete != at_completion:
            problems.add(
                "forecast at completion",
                f"{format_money(at_completion)} is not the actual cost to date plus the estimate "
                f"to complete ({format_money(actual + to_complete)})",
            )
    forecast_end = problems.take("forecast end", parse_optional_date, get("forecast end"))
    if forecast_end is None and "forecast end" not in {e.field for e in problems.errors}:
        problems.add("forecast end", "is required")
    percent = problems.take("per cent complete", parse_percent_complete, get("per cent complete"))
    _stage_checks(
        problems,
        stage,
        as_at=as_at,
        started_on=started_on,
        forecast_end=forecast_end,
        percent=percent,
    )
    problems.check()
    if to_complete is None:
        to_complete = at_completion - actual
    return ProgressInput(
        as_at=as_at,
        started_on=started_on if stage.actual_start is None else None,
        actual_cost_pence=actual,
        estimate_to_complete_pence=to_complete,
        forecast_cost_pence=actual + to_complete,
        forecast_end=forecast_end,
        percent_complete=percent,
        note=optional_text(get("note")),
    )


@dataclass(frozen=True)
class RecordedProgress:
    stage: str
    as_at: date
    version: int
    latest: bool  # the stage now shows this update (it is the most recent by date)
    time: ToleranceStatus | None
    cost: ToleranceStatus | None

    @property
    def beyond_tolerance(self) -> list[str]:
        return [c.aspect for c in (self.time, self.cost) if c and c.status == BEYOND]


def add_progress(
    session: Session, stage: Stage, data: ProgressInput, *, recorded_by: str = ""
) -> bool:
    """Record ``data`` against ``stage`` inside the caller's transaction; the stage takes its
    figures if it is the latest update. Returns whether it is."""
    problems = Problems()
    _stage_checks(
        problems,
        facts_of(stage),
        as_at=data.as_at,
        started_on=data.started_on,
        forecast_end=data.forecast_end,
        percent=data.percent_complete,
    )
    problems.check()
    update = StageProgress(
        project_id=stage.project_id,
        stage_id=stage.id,
        as_at=data.as_at,
        actual_cost_pence=data.actual_cost_pence,
        estimate_to_complete_pence=data.estimate_to_complete_pence,
        forecast_cost_pence=data.forecast_cost_pence,
        forecast_end=data.forecast_end,
        percent_complete=data.percent_complete,
        note=data.note,
        recorded_by=recorded_by,
    )
    session.add(update)
    session.flush()
    latest = session.exec(
        select(StageProgress)
        .where(StageProgress.stage_id == stage.id)
        .order_by(col(StageProgress.as_at).desc(), col(StageProgress.id).desc())
        .limit(1)
    ).one()
    changes: dict[str, object] = {}
    if stage.status == "authorised":
        changes["status"] = "in progress"
    if stage.actual_start is None and data.started_on is not None:
        changes["actual_start"] = data.started_on
    if latest.id == update.id:
        changes |= {
            "actual_cost_pence": data.actual_cost_pence,
            "forecast_cost_pence": data.forecast_cost_pence,
            "forecast_end": data.forecast_end,
            "percent_complete": data.percent_complete,
        }
    for name, value in changes.items():
        setattr(stage, name, value)
    session.flush()
    return latest.id == update.id


def record_progress(
    db,
    key: str,
    stage: str | int,
    data: ProgressInput | Mapping[str, object],
    *,
    today: date,
    opened_version: int | None = None,
    actor: str | None = None,
) -> RecordedProgress:
    """Record a progress update (typed, from the form, or raw values, from the command line)
    in one transaction, provided the stage has not been changed since ``opened_version``."""
    from tracker.services.projects import project_by_key
    from tracker.services.status import project_status

    def work(session: Session) -> RecordedProgress:
        project = project_by_key(session, key)
        found = find_stage(session, project, stage)
        refusal = progress_refusal(facts_of(found))
        if refusal:
            raise Conflict(f"{project.key}: {refusal}")
        label = f"{project.key} {found.name}"
        apply_edit(session, found, opened_version, {}, label=label)
        typed = (
            data
            if isinstance(data, ProgressInput)
            else parse_progress(data, facts_of(found), today=today)
        )
        latest = add_progress(session, found, typed, recorded_by=session.info.get("actor", ""))
        status = project_status(session, project, today)
        mine = next(s for s in status.stages if s.stage_id == found.id)
        return RecordedProgress(
            found.name, typed.as_at, found.version, latest, mine.time, mine.cost
        )

    return run_write(db, work, actor=actor)


@dataclass(frozen=True)
class ProgressLine:
    """One update, for the trend on screen and the history export."""

    stage: str
    as_at: date
    actual_cost_pence: int
    estimate_to_complete_pence: int
    forecast_cost_pence: int
    forecast_end: date
    percent_complete: int
    note: str
    recorded_by: str


def progress_lines(session: Session, stage: Stage) -> list[ProgressLine]:
    """A stage's updates, oldest first; read as columns, not ORM objects (a stage with 10,000
    updates loads in a fifth of the time)."""
    rows = session.execute(
        select(
            StageProgress.as_at,
            StageProgress.actual_cost_pence,
            StageProgress.estimate_to_complete_pence,
            StageProgress.forecast_cost_pence,
            StageProgress.forecast_end,
            StageProgress.percent_complete,
            StageProgress.note,
            StageProgress.recorded_by,
        )
        .where(StageProgress.stage_id == stage.id)
        .order_by(StageProgress.as_at, StageProgress.id)
    )
    return [ProgressLine(stage.name, *row) for row in rows]


def progress_history(db, key: str, stage: str | int) -> list[ProgressLine]:
    from tracker.services.projects import project_by_key

    with db.read() as session:
        project = project_by_key(session, key)
        return progress_lines(session, find_stage(session, project, stage))
