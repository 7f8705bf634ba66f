"""Money is GBP, held as integer pence; never a float."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from tracker.domain.validation import InvalidValue

_MULTIPLIERS = {"": 1, "k": 1_000, "m": 1_000_000, "bn": 1_000_000_000}
_MONEY = re.compile(
    r"^(?P<sign>-)?£?(?P<number>[0-9][0-9,]*(\.[0-9]+)?|\.[0-9]+)(?P<unit>k|m|bn)?$", re.I
)


def parse_money(value: str | int | Decimal, *, allow_negative: bool = False) -> int:
    """``£1,250,000``, ``1250000.50``, ``£40k`` or ``£1.2m`` to pence."""
    if isinstance(value, int) and not isinstance(value, bool):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        amount = value
    else:
        text = (value or "").strip().replace(" ", "")
        if not text:
            raise InvalidValue("is required")
        if text.startswith("£-"):
            text = "-£" + text[2:]
        match = _MONEY.match(text)
        if not match or (
            "," in match["number"] and not re.match(r"^\d{1,3}(,\d{3})*(\.\d+)?$", match["number"])
        ):
            raise InvalidValue(
                f"{value!r} is not an amount of money, e.g. £1,250,000 or 1250000.50"
            )
        try:
            amount = (
                Decimal(match["number"].replace(",", ""))
                * _MULTIPLIERS[(match["unit"] or "").lower()]
            )
        except InvalidOperation:
            raise InvalidValue(f"{value!r} is not an amount of money") from None
        if match["sign"]:
            amount = -amount
    pence = amount * 100
    if pence != pence.to_integral_value():
        raise InvalidValue(f"{value!r} has fractions of a penny")
    if pence < 0 and not allow_negative:
        raise InvalidValue(f"{value!r} is negative")
    return int(pence)


def parse_optional_money(value: str | int | None, *, allow_negative: bool = False) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_money(value, allow_negative=allow_negative)


def format_money(pence: int | None) -> str:
    """``£1,250,000``; pence shown only when there are some (``£1,250,000.50``)."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, remainder = divmod(abs(pence), 100)
    if remainder:
        return f"{sign}£{pounds:,}.{remainder:02d}"
    return f"{sign}£{pounds:,}"


def pence_to_decimal(pence: int | None) -> Decimal | None:
    return None if pence is None else Decimal(pence) / 100
