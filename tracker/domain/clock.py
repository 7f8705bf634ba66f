"""Today's date, which ``TRACKER_TODAY`` can fix (for the worked example, set in 2011-12, and for
tests and snapshots)."""

from __future__ import annotations

import os
from datetime import date

from tracker.domain.dates import parse_date
from tracker.domain.validation import InvalidValue


class BadToday(ValueError):
    pass


def today() -> date:
    fixed = os.environ.get("TRACKER_TODAY", "").strip()
    if not fixed:
        return date.today()
    try:
        return parse_date(fixed)
    except InvalidValue as exc:
        raise BadToday(f"TRACKER_TODAY: {exc}") from None
