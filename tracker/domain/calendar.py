"""Reporting and meeting calendars (python-dateutil rrule)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dateutil.rrule import MONTHLY, WEEKLY, rrule

_FREQUENCIES = {"weekly": (WEEKLY, 1), "monthly": (MONTHLY, 1), "quarterly": (MONTHLY, 3)}


def _rule(first_due: date, frequency: str) -> rrule:
    freq, interval = _FREQUENCIES[frequency]
    start = datetime.combine(first_due, datetime.min.time())
    if freq == MONTHLY and first_due.day > 28:
        # The 29th-31st, or the last day of a month too short to have it.
        return rrule(
            freq, interval=interval, dtstart=start, bymonthday=(first_due.day, -1), bysetpos=1
        )
    return rrule(freq, interval=interval, dtstart=start)


def next_due(first_due: date, frequency: str, after: date) -> date:
    """The first due date on or after ``after`` in the series starting ``first_due``. Monthly
    series starting on the 31st fall on the last day of shorter months."""
    if after <= first_due:
        return first_due
    found = _rule(first_due, frequency).after(
        datetime.combine(after, datetime.min.time()), inc=True
    )
    return found.date() if found else first_due


def due_dates(first_due: date, frequency: str, until: date) -> list[date]:
    """Every due date of the series from ``first_due`` up to and including the first one on or
    after ``until``: the reporting calendar a project is held to."""
    last = next_due(first_due, frequency, until)
    end = datetime.combine(last, datetime.min.time()) + timedelta(days=1)
    start = datetime.combine(first_due, datetime.min.time())
    return [d.date() for d in _rule(first_due, frequency).between(start, end, inc=True)]
