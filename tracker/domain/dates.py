"""Dates as people in UK councils type them: day first.

``07/12/2009`` is 7 December 2009; ``12 July 2011``; ``March 2012`` means 1 March 2012;
``2012-04-30`` (ISO) is read year-month-day. A date without a year, a two-digit year, a time of
day, or anything dateutil cannot read is refused with a message naming the value.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from dateutil import parser as dateutil_parser

from tracker.domain.validation import InvalidValue

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FOUR_DIGIT_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_DEFAULT_A = datetime(2000, 1, 1, 0, 0, 0)
_DEFAULT_B = datetime(2004, 2, 2, 1, 1, 1)


def parse_date(value: str | date) -> date:
    """A date typed by a person, read day-first."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = (value or "").strip()
    if not text:
        raise InvalidValue("is required")
    if ISO_DATE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError as exc:
            raise InvalidValue(f"{text!r} is not a date ({exc})") from None
    if not FOUR_DIGIT_YEAR.search(text):
        raise InvalidValue(f"{text!r} is ambiguous: give the year in full, e.g. 07/12/2009")
    try:
        a = dateutil_parser.parse(text, dayfirst=True, default=_DEFAULT_A)
        b = dateutil_parser.parse(text, dayfirst=True, default=_DEFAULT_B)
    except (ValueError, OverflowError) as exc:
        reason = str(exc).split(":")[0]
        raise InvalidValue(f"{text!r} is not a date ({reason})") from None
    if a.year != b.year or a.month != b.month:
        raise InvalidValue(f"{text!r} is ambiguous: give at least a month and a year")
    if (a.hour, a.minute, a.second) != (0, 0, 0) or a.tzinfo is not None:
        raise InvalidValue(f"{text!r} has a time of day; give a date only")
    return a.date().replace(day=a.day if a.day == b.day else 1)


def parse_optional_date(value: str | date | None) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_date(value)


def format_date(value: date | None) -> str:
    """07/12/2009: the short UK form used in tables and forms."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}" if value else ""


def long_date(value: date | None) -> str:
    """7 December 2009: the form used in reports."""
    return f"{value.day} {value:%B %Y}" if value else ""
