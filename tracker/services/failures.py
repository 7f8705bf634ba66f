"""Which exceptions are the user's to act on (told in one line, by the command line or the
screen) rather than bugs."""

from __future__ import annotations

from db.engine import DatabaseError
from tracker.domain.clock import BadToday
from tracker.domain.validation import ValidationError
from tracker.errors import TrackerError

EXPECTED = (TrackerError, ValidationError, DatabaseError, BadToday, OSError)


def is_expected(exc: BaseException) -> bool:
    return isinstance(exc, EXPECTED) or refused_by_database(exc) is not None


def refused_by_database(exc: BaseException) -> str | None:
    """A change the database itself refused for lack of rights (a read-only role, a read-only
    transaction), as one line; None for anything else."""
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError):
        return None
    text = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    lowered = text.lower()
    if "permission denied" in lowered or "read-only" in lowered or "readonly" in lowered:
        return f"the database refused the change: {text}"
    return None


def user_message(exc: BaseException) -> str | None:
    """The one line to tell the user about ``exc``, or None if it is a bug."""
    if not is_expected(exc):
        return None
    refused = refused_by_database(exc)
    if refused:
        return refused
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
