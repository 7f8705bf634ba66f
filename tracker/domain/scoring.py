"""Risk scoring on the project's scales (PRINCE2 probability impact grid)."""

from __future__ import annotations

from datetime import date

from tracker.domain.rag import AMBER, GREEN, RED


def risk_score(probability: int, impact: int) -> int:
    return probability * impact


def score_rag(score: int | None, green_max: int = 4, amber_max: int = 12) -> str | None:
    """Default bands: 1-4 green, 5-12 amber, 15-25 red (a 5 x 5 grid has no 13 or 14)."""
    if score is None:
        return None
    if score <= green_max:
        return GREEN
    if score <= amber_max:
        return AMBER
    return RED


def expected_value_pence(
    cost_impact_pence: int | None, probability_percent: int | None
) -> int | None:
    """Cost of impact x probability, rounded half up to the penny: £160,000 x 25% = £40,000."""
    if cost_impact_pence is None or probability_percent is None:
        return None
    return (cost_impact_pence * probability_percent + 50) // 100


NEW, UP, DOWN, SAME, CLOSED = "new", "up", "down", "same", "closed"


def risk_movement(
    then_score: int | None, then_status: str | None, now_score: int, now_status: str
) -> str:
    """How a risk moved since a baseline (the last issued highlight report): ``new`` if it was
    not in the register then, ``closed`` if it has been closed since, else ``up``, ``down`` or
    ``same`` by its current score."""
    if then_status is None or then_score is None:
        return NEW
    if now_status == "closed":
        return SAME if then_status == "closed" else CLOSED
    if then_status == "closed":
        return NEW  # reopened: new to the board since the report
    if now_score > then_score:
        return UP
    if now_score < then_score:
        return DOWN
    return SAME


PROXIMITY_WINDOW_DAYS = 30


def proximity_flag(
    proximity_date: date | None, proximity_band: str | None, status: str, today: date
) -> str | None:
    """Why an open risk's proximity needs attention, or None: ``"soon"`` when its date falls in
    the next 30 days (or it is banded imminent with no date), ``"passed"`` when the date has gone
    by and the risk is still open (it should be reviewed or closed)."""
    if status == "closed":
        return None
    if proximity_date is None:
        return "soon" if proximity_band == "imminent" else None
    if proximity_date < today:
        return "passed"
    if (proximity_date - today).days <= PROXIMITY_WINDOW_DAYS:
        return "soon"
    return None


def above_tolerance(score: int | None, tolerance_score: int) -> bool:
    """A risk at or above the project's risk tolerance line goes to the Project Board."""
    return score is not None and score >= tolerance_score
