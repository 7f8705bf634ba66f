"""Red/amber/green ratings, always carried with their word so a monochrome print still reads."""

from __future__ import annotations

from collections.abc import Iterable

GREEN, AMBER, RED, BLUE, NOT_STARTED = "green", "amber", "red", "blue", "not started"
SEVERITY_ORDER = {BLUE: 0, NOT_STARTED: 0, GREEN: 1, AMBER: 2, RED: 3}

RAG_KEY = {
    GREEN: "Within tolerance: forecast uses no more than 80% of the agreed tolerance",
    AMBER: "At risk: forecast uses more than 80% of the agreed tolerance",
    RED: "Exception: forecast beyond the agreed tolerance; the board must be told",
    BLUE: "Complete",
    NOT_STARTED: "Not started",
}


def rag_word(rag: str | None) -> str:
    return (rag or "not rated").capitalize()


def worst(ratings: Iterable[str | None]) -> str | None:
    """The most serious rating among those given (None where nothing was rated)."""
    rated = [r for r in ratings if r]
    return max(rated, key=SEVERITY_ORDER.__getitem__) if rated else None
