"""Highlight report rules: the RAG grid, the reporting period and the quarters of a year.

The grid has Overall, Time, Cost, Scope, Quality, Benefits and Risk rows for the project and for
its current stage. Time and cost are worked out from the tolerance status wherever a tolerance
and a plan are set; the other aspects (and time or cost with no tolerance) are the project
manager's judgement; Overall is the worst of the six, so it can never read green while an aspect
reads amber. Every rating that is not green needs a comment before the report can be issued
(councillors have repeatedly challenged ratings they could not interpret).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from tracker.domain.rag import GREEN, SEVERITY_ORDER, rag_word, worst
from tracker.domain.validation import FieldError, InvalidValue

LEVELS = ("project", "stage")
ASPECTS = ("overall", "time", "cost", "scope", "quality", "benefits", "risk")
WORKED_OUT = ("time", "cost")
JUDGED = ("scope", "quality", "benefits", "risk")

TOLERANCE, JUDGEMENT, WORST, AS_ISSUED = "tolerance", "judgement", "worst", "as issued"
BASIS_WORDS = {
    TOLERANCE: "Tolerance status",
    JUDGEMENT: "PM judgement",
    WORST: "Worst of the six",
    AS_ISSUED: "As issued",
}

WORSE, BETTER, SAME, NEW_RATING = "Worse", "Better", "No change", "First rating"

Key = tuple[str, str]  # (level, aspect)


@dataclass(frozen=True)
class Rating:
    """One row of the RAG grid as the board reads it."""

    level: str
    aspect: str
    rag: str | None
    comment: str
    basis: str
    last: str | None = None

    @property
    def label(self) -> str:
        return rating_label(self.level, self.aspect)

    @property
    def direction(self) -> str:
        return direction(self.last, self.rag)


def rating_label(level: str, aspect: str) -> str:
    """``Project risk``, ``Stage time``: how a row is named in messages."""
    return f"{level.capitalize()} {aspect}"


def direction(last: str | None, this: str | None) -> str:
    """Direction of travel since the last report, in words (a monochrome print still reads)."""
    if this is None:
        return ""
    if last is None:
        return NEW_RATING
    then, now = SEVERITY_ORDER.get(last, 0), SEVERITY_ORDER.get(this, 0)
    if now > then:
        return WORSE
    if now < then:
        return BETTER
    return SAME


def rating_grid(
    levels: Sequence[str],
    worked_out: Mapping[Key, str | None],
    judged: Mapping[Key, str | None],
    comments: Mapping[Key, str],
    last: Mapping[Key, str],
) -> list[Rating]:
    """The grid for ``levels``: worked-out ratings where the tolerance status gives one (keys in
    ``worked_out`` with a value), the project manager's ``judged`` ratings elsewhere, and
    Overall as the worst of the six."""
    grid: list[Rating] = []
    for level in levels:
        rows = []
        for aspect in ASPECTS[1:]:
            key = (level, aspect)
            computed = worked_out.get(key)
            if computed is not None:
                rag, basis = computed, TOLERANCE
            else:
                rag, basis = judged.get(key), JUDGEMENT
            rows.append(Rating(level, aspect, rag, comments.get(key, ""), basis, last.get(key)))
        ratings = [r.rag for r in rows]
        overall = None if any(r is None for r in ratings) else worst(ratings)
        key = (level, "overall")
        grid.append(Rating(level, "overall", overall, comments.get(key, ""), WORST, last.get(key)))
        grid.extend(rows)
    return grid


def recorded_grid(
    levels: Sequence[str],
    recorded: Mapping[Key, tuple[str, str]],
    last: Mapping[Key, str],
) -> list[Rating]:
    """The grid of a report issued before the tracker held it: the ratings as the board had them."""
    grid = []
    for level in levels:
        for aspect in ASPECTS:
            rag, comment = recorded.get((level, aspect), (None, ""))
            grid.append(Rating(level, aspect, rag, comment, AS_ISSUED, last.get((level, aspect))))
    return grid


def issue_problems(grid: Sequence[Rating]) -> list[FieldError]:
    """Why the grid cannot be issued yet, naming each row: a rating missing, or a rating that is
    not green without a comment."""
    problems = []
    for rating in grid:
        field = f"{rating.level} {rating.aspect}"
        if rating.rag is None:
            if rating.aspect == "overall":
                continue  # follows from the rows below, each named on its own
            problems.append(FieldError(field, "has no rating"))
        elif rating.rag != GREEN and not rating.comment.strip():
            problems.append(
                FieldError(
                    field,
                    f"is {rag_word(rating.rag)}, so it needs a comment (every rating that is not "
                    "green does)",
                )
            )
    return problems


# --------------------------------------------------------------------------- periods


def default_period(
    last_period_end: date | None, project_start: date | None, today: date
) -> tuple[date, date]:
    """The period a new report covers: from the day after the last issued report's period (else
    the project's start, else the first of this month) up to today."""
    if last_period_end is not None:
        start = last_period_end + timedelta(days=1)
    elif project_start is not None:
        start = project_start
    else:
        start = today.replace(day=1)
    return start, today


def check_period(start: date, end: date, today: date) -> None:
    """Raise InvalidValue if a period end cannot close the period starting ``start``."""
    if end < start:
        raise InvalidValue(f"{end:%d/%m/%Y} is before the period start {start:%d/%m/%Y}")
    if end > today:
        raise InvalidValue(f"{end:%d/%m/%Y} is after today ({today:%d/%m/%Y})")


# --------------------------------------------------------------------------- quarters

_QUARTER = re.compile(r"^\s*(?:(\d{4})\s*-?\s*Q([1-4])|Q([1-4])\s*[-/ ]?\s*(\d{4}))\s*$", re.I)


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter: 2012Q3 is July to September 2012."""

    year: int
    number: int

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        return self.start + relativedelta(months=3) - timedelta(days=1)

    @property
    def name(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def months(self) -> str:
        return f"{self.start:%B} to {self.end:%B %Y}"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def parse_quarter(value: str | None) -> Quarter:
    """``2012Q3`` (also ``2012-Q3``, ``Q3 2012``): a calendar quarter."""
    text = (value or "").strip()
    if not text:
        raise InvalidValue("is required, e.g. 2012Q3")
    match = _QUARTER.match(text)
    if not match:
        raise InvalidValue(f"{text!r} is not a quarter like 2012Q3 (July to September 2012)")
    year = int(match[1] or match[4])
    number = int(match[2] or match[3])
    return Quarter(year, number)
