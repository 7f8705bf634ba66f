"""Rules of the project board: quorum and the monthly meeting calendar."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, rrule, weekday

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


@dataclass(frozen=True)
class Quorum:
    quorate: bool
    reason: str


def quorum(
    present: Collection[int], executives: Collection[int], deputies: Collection[int]
) -> Quorum:
    """A board is quorate when its Executive, or a named deputy of the Executive, is present:
    the Executive has the final say on board decisions and cannot be outvoted or replaced."""
    if not executives:
        return Quorum(False, "the project has no Executive")
    if any(p in present for p in executives):
        return Quorum(True, "the Executive is present")
    if any(p in present for p in deputies):
        return Quorum(True, "a named deputy of the Executive is present")
    return Quorum(False, "neither the Executive nor a named deputy is present")


def weekday_of_month(day: date) -> tuple[int, int]:
    """(weekday, n) for e.g. the second Wednesday: n is 1-4, or -1 for a last occurrence that is
    also the fifth (the 29th-31st), so the series never skips a month that has only four."""
    n = (day.day - 1) // 7 + 1
    return day.weekday(), (-1 if n == 5 else n)


def describe_weekday_of_month(day: date) -> str:
    weekday_index, n = weekday_of_month(day)
    return f"the {ORDINALS[n]} {WEEKDAY_NAMES[weekday_index]} of the month"


def next_meeting_date(previous: date) -> date:
    """By default the board meets on the same weekday of the month next month: the second
    Wednesday after the second Wednesday; a meeting on a fifth (last) Thursday is followed by the
    last Thursday of next month."""
    weekday_index, n = weekday_of_month(previous)
    start = datetime.combine(previous + relativedelta(days=1), datetime.min.time())
    rule = rrule(MONTHLY, dtstart=start, byweekday=weekday(weekday_index)(n), count=1)
    found = rule[0].date()
    # rrule starts counting from dtstart's month; if the occurrence is still this month (only
    # possible for "last" when the previous meeting was not the last), take the next month's.
    if found.month == previous.month and found.year == previous.year:
        following = rrule(
            MONTHLY,
            dtstart=start + relativedelta(months=1, day=1),
            byweekday=weekday(weekday_index)(n),
            count=1,
        )
        found = following[0].date()
    return found
