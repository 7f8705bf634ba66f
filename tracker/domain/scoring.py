"""Risk scoring on the project's scales (PRINCE2 probability impact grid)."""

from __future__ import annotations

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
