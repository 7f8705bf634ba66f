"""Reporting and meeting calendars (python-dateutil rrule)."""

from __future__ import annotations

from datetime import date, datetime

from dateutil.rrule import MONTHLY, WEEKLY, rrule

_FREQUENCIES = {"weekly": (WEEKLY, 1), "monthly": (MONTHLY, 1), "quarterly": (MONTHLY, 3)}


def next_due(first_due: date, frequency: str, after: date) -> date:
    """The first due date on or after ``after`` in the series starting ``first_due``. Monthly
    series starting on the 31st fall on the last day of shorter months."""
    freq, interval = _FREQUENCIES[frequency]
    if after <= first_due:
        return first_due
    start = datetime.combine(first_due, datetime.min.time())
    if freq == MONTHLY and first_due.day > 28:
        # The 29th-31st, or the last day of a month too short to have it.
        rule = rrule(
            freq, interval=interval, dtstart=start, bymonthday=(first_due.day, -1), bysetpos=1
        )
    else:
        rule = rrule(freq, interval=interval, dtstart=start)
    found = rule.after(datetime.combine(after, datetime.min.time()), inc=True)
    return found.date() if found else first_due
