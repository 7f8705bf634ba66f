"""UK financial years (1 April to 31 March) and how a cost spread over dates is shared between them.

How costs are apportioned: a cost incurred over a period (a stage's planned dates for its budget,
the time between two progress updates for what was spent in between, the time from the latest
update to the forecast end for what is still to spend) is shared between financial years in
proportion to the number of days of the period that fall in each year, counting both the first
and the last day. The shares are whole pounds and always add up to the cost exactly: each year
gets the floor of its share, the pounds left over go to the years with the largest remainders
(earliest first on a tie), and any odd pence to the year with the most days. python-dateutil's
``rrule`` finds the 1 Aprils inside a period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from dateutil.rrule import YEARLY, rrule

YEAR_START_MONTH = 4  # April


@dataclass(frozen=True, order=True)
class FinancialYear:
    """The financial year that starts on 1 April of ``start_year``: 2011/12 runs from 1 April 2011
    to 31 March 2012."""

    start_year: int

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def first_day(self) -> date:
        return date(self.start_year, YEAR_START_MONTH, 1)

    @property
    def last_day(self) -> date:
        return self.first_day + relativedelta(years=1, days=-1)

    def __str__(self) -> str:
        return self.label


def financial_year(day: date) -> FinancialYear:
    return FinancialYear(day.year if day.month >= YEAR_START_MONTH else day.year - 1)


def year_boundaries(start: date, end: date) -> list[date]:
    """Every 1 April after ``start`` and on or before ``end``: where a period is cut."""
    if end <= start:
        return []
    first = datetime.combine(start + timedelta(days=1), datetime.min.time())
    rule = rrule(
        YEARLY,
        dtstart=first,
        until=datetime.combine(end, datetime.min.time()),
        bymonth=YEAR_START_MONTH,
        bymonthday=1,
    )
    return [d.date() for d in rule]


def days_by_year(start: date, end: date) -> dict[FinancialYear, int]:
    """The days from ``start`` to ``end`` inclusive, by financial year."""
    if end < start:
        raise ValueError(f"{end} is before {start}")
    days: dict[FinancialYear, int] = {}
    piece_start = start
    for boundary in [*year_boundaries(start, end), end + timedelta(days=1)]:
        days[financial_year(piece_start)] = (boundary - piece_start).days
        piece_start = boundary
    return days


def apportion(pence: int, start: date, end: date, *, unit: int = 100) -> dict[FinancialYear, int]:
    """``pence`` spread over ``start`` to ``end`` (inclusive), shared between financial years by
    days (see the module docstring); the shares add up to ``pence`` exactly. Shares are whole
    ``unit``s (pounds); odd pence go to the year with the most days."""
    days = days_by_year(start, end)
    total_days = sum(days.values())
    units, odd = divmod(pence, unit)
    shares = {year: units * n // total_days for year, n in days.items()}
    left_over = units - sum(shares.values())
    by_remainder = sorted(days, key=lambda year: (-(units * days[year] % total_days), year))
    for year in by_remainder[:left_over]:
        shares[year] += 1
    shares = {year: share * unit for year, share in shares.items()}
    longest = max(days, key=lambda year: (days[year], -year.start_year))
    shares[longest] += odd
    return shares


def add_into(totals: dict[FinancialYear, int], shares: dict[FinancialYear, int]) -> None:
    for year, amount in shares.items():
        totals[year] = totals.get(year, 0) + amount
