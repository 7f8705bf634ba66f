"""Tolerance status, worked out from plans and forecasts rather than typed.

The rule (also in the README and on screen): the variance is forecast minus plan (days for time,
money for cost). It is compared with the tolerance on its own side (plus for overruns, minus for
underruns). Using no more than 80% of that tolerance is *within tolerance* (green); more than 80%
up to and including 100% is *at risk* (amber); more than 100% is *beyond tolerance* (red): an
exception that the project manager must report to the level above.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from tracker.domain.rag import AMBER, GREEN, RED

AT_RISK_SHARE = Fraction(4, 5)
WITHIN, AT_RISK, BEYOND, NOT_SET = (
    "within tolerance",
    "at risk",
    "beyond tolerance",
    "no tolerance set",
)
RAG_FOR_STATUS = {WITHIN: GREEN, AT_RISK: AMBER, BEYOND: RED, NOT_SET: None}

RULE = (
    "Variance = forecast - plan. Compared with the tolerance on its side (plus for overrun, "
    "minus for underrun): up to 80% used is within tolerance (green); over 80% up to 100% is at "
    "risk (amber); over 100% is beyond tolerance (red, an exception)."
)


@dataclass(frozen=True)
class ToleranceStatus:
    aspect: str
    status: str
    variance: int
    allowed: int | None
    used: Fraction | None

    @property
    def rag(self) -> str | None:
        return RAG_FOR_STATUS[self.status]

    @property
    def percent_used(self) -> int | None:
        return None if self.used is None else round(self.used * 100)


def tolerance_status(
    aspect: str, variance: int, plus: int | None, minus: int | None
) -> ToleranceStatus:
    allowed = (
        plus if variance > 0 else minus if variance < 0 else (plus if plus is not None else minus)
    )
    if allowed is None:
        return ToleranceStatus(aspect, NOT_SET, variance, None, None)
    if allowed == 0:
        used = Fraction(0) if variance == 0 else None
        status = WITHIN if variance == 0 else BEYOND
        return ToleranceStatus(aspect, status, variance, 0, used)
    used = Fraction(abs(variance), allowed)
    status = WITHIN if used <= AT_RISK_SHARE else AT_RISK if used <= 1 else BEYOND
    return ToleranceStatus(aspect, status, variance, allowed, used)


def allowance_pence(planned_pence: int | None, amount: int | None, unit: str | None) -> int | None:
    """A cost tolerance in pence, whether it was set in money or as a percentage of the plan
    (``basis_points``: hundredths of a per cent)."""
    if amount is None:
        return None
    if unit == "basis_points":
        if planned_pence is None:
            return None
        return planned_pence * amount // 10_000
    return amount


def expected_end(
    planned_end: date | None, actual_end: date | None, forecast_end: date | None, today: date
) -> date | None:
    """When the work will finish: its actual end, else the forecast (or the plan), but never
    earlier than today for work that is not finished."""
    if actual_end is not None:
        return actual_end
    end = forecast_end or planned_end
    if end is None:
        return None
    return max(end, today)


def time_status(
    planned_end: date | None,
    actual_end: date | None,
    forecast_end: date | None,
    today: date,
    plus_days: int | None,
    minus_days: int | None,
) -> ToleranceStatus | None:
    end = expected_end(planned_end, actual_end, forecast_end, today)
    if planned_end is None or end is None:
        return None
    return tolerance_status("time", (end - planned_end).days, plus_days, minus_days)


def cost_status(
    planned_pence: int | None,
    forecast_pence: int | None,
    plus: int | None,
    minus: int | None,
    unit: str | None,
) -> ToleranceStatus | None:
    if planned_pence is None or forecast_pence is None:
        return None
    return tolerance_status(
        "cost",
        forecast_pence - planned_pence,
        allowance_pence(planned_pence, plus, unit),
        allowance_pence(planned_pence, minus, unit),
    )
