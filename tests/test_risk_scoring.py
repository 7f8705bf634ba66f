"""Scoring in the domain: score, RAG bands per project, expected value, proximity, movement."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain.scoring import (
    above_tolerance,
    expected_value_pence,
    proximity_flag,
    risk_movement,
    risk_score,
    score_rag,
)

TODAY = date(2012, 3, 1)


@pytest.mark.parametrize(
    ("probability", "impact", "rag"),
    [
        (1, 1, "green"),
        (2, 2, "green"),  # 4: top of green
        (1, 5, "amber"),  # 5: bottom of amber
        (3, 4, "amber"),  # 12: top of amber
        (3, 5, "red"),  # 15: the first red score on a 5 x 5 grid
        (5, 5, "red"),
    ],
)
def test_default_bands_on_a_five_by_five_grid(probability, impact, rag):
    assert score_rag(risk_score(probability, impact)) == rag


def test_a_project_can_set_its_own_bands():
    # A cautious board: green only to 2, amber to 8.
    assert score_rag(3, green_max=2, amber_max=8) == "amber"
    assert score_rag(9, green_max=2, amber_max=8) == "red"
    assert score_rag(None) is None


def test_expected_value_is_cost_times_probability_to_the_penny():
    assert expected_value_pence(16_000_000, 25) == 4_000_000  # £160,000 x 25% = £40,000
    assert expected_value_pence(333, 50) == 167  # half a penny rounds up
    assert expected_value_pence(None, 50) is None
    assert expected_value_pence(100, None) is None


@pytest.mark.parametrize(
    ("when", "band", "status", "flag"),
    [
        (date(2012, 3, 31), None, "active", "soon"),  # 30 days: inside the window
        (date(2012, 4, 1), None, "active", None),  # 31 days
        (TODAY, None, "active", "soon"),
        (date(2012, 2, 29), None, "active", "passed"),  # gone by, still open: review it
        (date(2012, 2, 29), None, "closed", None),
        (None, "imminent", "draft", "soon"),
        (None, "within stage", "active", None),
    ],
)
def test_proximity_within_30_days_is_flagged(when, band, status, flag):
    assert proximity_flag(when, band, status, TODAY) == flag


def test_the_tolerance_line_includes_its_own_score():
    assert above_tolerance(15, 15) and not above_tolerance(14, 15)
    assert not above_tolerance(None, 15)


@pytest.mark.parametrize(
    ("then_score", "then_status", "now_score", "now_status", "movement"),
    [
        (None, None, 9, "active", "new"),
        (12, "active", 16, "active", "up"),
        (16, "active", 12, "active", "down"),
        (9, "active", 9, "active", "same"),
        (9, "active", 9, "closed", "closed"),
        (9, "closed", 9, "closed", "same"),
        (9, "closed", 12, "active", "new"),  # reopened since the report
    ],
)
def test_movement_since_the_last_report(then_score, then_status, now_score, now_status, movement):
    assert risk_movement(then_score, then_status, now_score, now_status) == movement
