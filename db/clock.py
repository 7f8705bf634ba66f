from datetime import UTC, datetime

from sqlalchemy import String, type_coerce
from sqlalchemy.sql.elements import ColumnElement


def utcnow() -> datetime:
    """Now, timezone-aware in UTC: the form every timestamp column stores."""
    return datetime.now(UTC)


def timestamp_as_stored(column) -> ColumnElement:
    """A timestamp column read as the driver gives it, without SQLModel's per-value conversion
    (a few microseconds a row, most of a second over a log of 100,000 risks): ISO text in UTC on
    SQLite, an aware ``datetime`` on PostgreSQL. ``utc_from_stored`` makes either a timestamp."""
    return type_coerce(column, String)


def utc_from_stored(value: str | datetime | None) -> datetime | None:
    """The aware UTC timestamp a ``timestamp_as_stored`` column held."""
    if value.__class__ is not str:
        return value
    try:
        return datetime.fromisoformat(value + "+00:00")  # SQLite keeps UTC without an offset
    except ValueError:
        parsed = datetime.fromisoformat(value)  # written with an offset by something else
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
