from datetime import date, datetime

import pytest

from tracker.domain.dates import format_date, long_date, parse_date, parse_optional_date
from tracker.domain.money import format_money, parse_money, parse_optional_money
from tracker.domain.validation import InvalidValue


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("07/12/2009", date(2009, 12, 7)),
        ("7/12/2009", date(2009, 12, 7)),
        ("12 July 2011", date(2011, 7, 12)),
        ("12th July 2011", date(2011, 7, 12)),
        ("March 2012", date(2012, 3, 1)),
        ("Sept 2011", date(2011, 9, 1)),
        ("2012-04-30", date(2012, 4, 30)),
        ("2012-04-03", date(2012, 4, 3)),  # ISO stays year-month-day, unlike dateutil's dayfirst
        ("03/04/2012", date(2012, 4, 3)),
        ("12.07.2011", date(2011, 7, 12)),
        ("29/02/2012", date(2012, 2, 29)),
        ("  31/12/2011  ", date(2011, 12, 31)),
    ],
)
def test_dates_are_read_day_first(typed: str, expected: date) -> None:
    assert parse_date(typed) == expected


@pytest.mark.parametrize(
    ("typed", "complaint"),
    [
        ("31/02/2012", "is not a date"),
        ("29/02/2011", "is not a date"),
        ("2012-02-30", "is not a date"),
        ("07/12", "ambiguous"),
        ("07/12/09", "ambiguous"),
        ("1/2/3", "ambiguous"),
        ("2012", "ambiguous"),
        ("next tuesday", "ambiguous"),
        ("sometime in 2012", "is not a date"),
        ("07/12/2009 10:30", "time of day"),
        ("", "is required"),
    ],
)
def test_bad_dates_are_refused_naming_the_value(typed: str, complaint: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_date(typed)
    assert complaint in str(caught.value)
    if typed.strip():
        assert repr(typed.strip()) in str(caught.value)


def test_optional_dates_and_display() -> None:
    assert parse_optional_date("") is None
    assert parse_optional_date(None) is None
    assert format_date(date(2009, 12, 7)) == "07/12/2009"
    assert long_date(date(2009, 12, 7)) == "7 December 2009"
    assert format_date(None) == ""


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("£1,250,000", 125_000_000),
        ("1250000", 125_000_000),
        ("1250000.50", 125_000_050),
        ("£1,250,000.5", 125_000_050),
        ("£40k", 4_000_000),
        ("£1.2m", 120_000_000),
        ("0.01", 1),
        ("£0", 0),
        (" £ 60,000 ", 6_000_000),
    ],
)
def test_money_is_exact_pence(typed: str, pence: int) -> None:
    assert parse_money(typed) == pence
    assert isinstance(parse_money(typed), int)


@pytest.mark.parametrize(
    ("typed", "complaint"),
    [
        ("abc", "not an amount of money"),
        ("1,25,000", "not an amount of money"),
        ("£12.345", "fractions of a penny"),
        ("-£5", "negative"),
        ("1e6", "not an amount of money"),
        ("", "is required"),
    ],
)
def test_bad_money_is_refused(typed: str, complaint: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_money(typed)
    assert complaint in str(caught.value)


def test_negative_money_where_allowed_and_optional() -> None:
    assert parse_money("-£5,000", allow_negative=True) == -500_000
    assert parse_money("£-5,000", allow_negative=True) == -500_000
    assert parse_optional_money("") is None


@pytest.mark.parametrize(
    ("pence", "shown"),
    [
        (125_000_000, "£1,250,000"),
        (125_000_050, "£1,250,000.50"),
        (5, "£0.05"),
        (0, "£0"),
        (-4_000_000, "-£40,000"),
        (None, ""),
    ],
)
def test_money_is_shown_in_pounds(pence, shown: str) -> None:
    assert format_money(pence) == shown


def test_timestamps_read_as_stored_become_aware_utc():
    from datetime import UTC, timedelta, timezone

    from db.clock import utc_from_stored

    assert utc_from_stored("2026-12-03 15:29:46.459743") == datetime(
        2026, 12, 3, 15, 29, 46, 459743, tzinfo=UTC
    )
    assert utc_from_stored("2026-12-03 15:29:46").tzinfo is not None
    assert utc_from_stored("2026-07-03T16:00:00+01:00") == datetime(2026, 7, 3, 15, tzinfo=UTC)
    aware = datetime(2026, 7, 3, 12, tzinfo=timezone(timedelta(hours=2)))
    assert utc_from_stored(aware) is aware and utc_from_stored(None) is None
