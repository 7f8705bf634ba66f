from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, timezone-aware in UTC: the form every timestamp column stores."""
    return datetime.now(UTC)
