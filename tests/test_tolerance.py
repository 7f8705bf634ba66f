from datetime import date
from fractions import Fraction

import pytest

from tracker.domain.rag import worst
from tracker.domain.scoring import expected_value_pence, score_rag
from tracker.domain.tolerance import (
    AT_RISK,
    BEYOND,
    NOT_SET,
    WITHIN,
    allowance_pence,
    cost_status,
    expected_end,
    time_status,
    tolerance_status,
)


@pytest.mark.parametrize(
    ("variance", "plus", "minus", "status", "rag"),
    [
        (0, 10, 10, WITHIN, "green"),
        (8, 10, 10, WITHIN, "green"),  # exactly 80% is still within
        (9, 10, 10, AT_RISK, "amber"),
        (10, 10, 10, AT_RISK, "amber"),  # exactly 100% is at risk, not yet an exception
        (11, 10, 10, BEYOND, "red"),
        (-8, 10, 10, WITHIN, "green"),
        (-9, 10, 5, BEYOND, "red"),  # underrun judged against the minus tolerance
        (-5, 10, 5, AT_RISK, "amber"),
        (1, 0, 0, BEYOND, "red"),
        (0, 0, 0, WITHIN, "green"),
        (5, None, None, NOT_SET, None),
    ],
)
def test_tolerance_boundaries(variance, plus, minus, status, rag):
    result = tolerance_status("time", variance, plus, minus)
    assert (result.status, result.rag) == (status, rag)


def test_percentage_cost_tolerance_uses_the_plan():
    assert allowance_pence(115_000_000, 500, "basis_points") == 5_750_000  # 5% of £1,150,000
    assert allowance_pence(115_000_000, 2_000_000, "pence") == 2_000_000
    check = cost_status(115_000_000, 120_500_000, 500, 500, "basis_points")
    assert check.status == AT_RISK and check.used == Fraction(5_500_000, 5_750_000)


def test_unfinished_work_cannot_finish_in_the_past():
    assert expected_end(date(2012, 3, 30), None, date(2012, 2, 1), date(2012, 3, 1)) == date(
        2012, 3, 1
    )
    assert expected_end(date(2012, 3, 30), date(2012, 2, 1), None, date(2012, 3, 1)) == date(
        2012, 2, 1
    )
    late = time_status(date(2012, 3, 30), None, None, date(2012, 4, 12), 10, 10)
    assert late.variance == 13 and late.status == BEYOND


def test_scores_bands_and_expected_value():
    assert [score_rag(s) for s in (1, 4, 5, 12, 15, 25)] == [
        "green",
        "green",
        "amber",
        "amber",
        "red",
        "red",
    ]
    assert score_rag(None) is None
    assert expected_value_pence(16_000_000, 25) == 4_000_000  # the manual's £160,000 x 25%
    assert worst(["green", None, "amber"]) == "amber" and worst([None]) is None
