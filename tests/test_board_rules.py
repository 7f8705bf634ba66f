from datetime import date

import pytest

from tracker.domain.board import describe_weekday_of_month, next_meeting_date, quorum


@pytest.mark.parametrize(
    ("held", "next_one"),
    [
        (date(2011, 8, 10), date(2011, 9, 14)),  # second Wednesday
        (date(2012, 2, 8), date(2012, 3, 14)),
        (date(2011, 12, 14), date(2012, 1, 11)),  # across the year end
        (date(2012, 1, 25), date(2012, 2, 22)),  # fourth Wednesday stays fourth
        (date(2012, 1, 31), date(2012, 2, 28)),  # a fifth Tuesday is the last: February's last
        (date(2012, 2, 29), date(2012, 3, 28)),  # leap day, the last Wednesday
        (date(2012, 5, 31), date(2012, 6, 28)),  # 31st into a 30-day month
        (date(2011, 11, 30), date(2011, 12, 28)),
        (date(2012, 3, 1), date(2012, 4, 5)),  # first Thursday
        (date(2012, 3, 29), date(2012, 4, 26)),  # fifth Thursday, April has four: its last
        (date(2012, 8, 31), date(2012, 9, 28)),  # the 31st, a fifth Friday: September's last
        (date(2012, 10, 31), date(2012, 11, 28)),  # the 31st into a 30-day month
        (date(2012, 12, 31), date(2013, 1, 28)),  # a fifth Monday across the year end
        (date(2013, 1, 30), date(2013, 2, 27)),  # fifth Wednesday into a short February
    ],
)
def test_next_meeting_is_the_same_weekday_of_the_month(held, next_one):
    assert next_meeting_date(held) == next_one
    assert next_one.weekday() == held.weekday()


def test_weekday_of_month_in_words():
    assert describe_weekday_of_month(date(2012, 2, 8)) == "the second Wednesday of the month"
    assert describe_weekday_of_month(date(2012, 1, 31)) == "the last Tuesday of the month"


def test_quorum_needs_the_executive_or_a_named_deputy():
    executive, deputy, senior_user = 1, 2, 3
    assert quorum({executive, senior_user}, {executive}, {deputy}).quorate
    deputised = quorum({deputy, senior_user}, {executive}, {deputy})
    assert deputised.quorate and "deputy" in deputised.reason
    without = quorum({senior_user}, {executive}, {deputy})
    assert not without.quorate and "neither" in without.reason
    assert not quorum({senior_user}, set(), set()).quorate
