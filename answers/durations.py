"""How long, in words, as a person would say it: "2 years", "18 months", "10 weeks", "about 7 months".

Shared by the read-back to the patient (``answers.readback``) and the coordinator's inbox
(``inbox.plain``), so a duration reads the same to both.
"""

from __future__ import annotations

import math

from criteria.quantities import DAYS_PER_UNIT

# Largest first: a duration is shown in the largest unit it is a whole number of.
UNITS = ("year", "month", "week", "day")
# A duration said in days or weeks reads as said up to about two months or half a year.
_DAYS_SAID_UP_TO = 60
_WEEKS_SAID_UP_TO = 26


def number_text(number: float) -> str:
    """A number without a useless ".0" and never in exponent notation."""
    if not math.isfinite(number):
        return str(number)
    rounded = round(number, 3)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.3f}".rstrip("0").rstrip(".")


def exact_duration(days: float) -> tuple[float, str] | None:
    """A duration as a whole number of years, months, weeks or days (the largest that fits), if any.

    ``730.5`` days is ``(2, "year")``; ``547.875`` is ``(18, "month")``; ``70`` is
    ``(10, "week")``; ``18`` is ``(18, "day")``; ``400.3`` is None.
    """
    if not math.isfinite(days) or days <= 0:
        return None
    for unit in UNITS:
        count = days / DAYS_PER_UNIT[unit]
        if count >= 1 and abs(count - round(count)) < 1e-6 * max(1.0, count):
            return float(round(count)), unit
    return None


def _unit_words(count: float, unit: str) -> str:
    return f"{number_text(count)} {unit}" + ("" if count == 1 else "s")


def duration_words(days: float) -> str:
    """How long, rounded as a person would say it: "2 years", "18 months", "10 weeks", "about 7 months"."""
    if not math.isfinite(days) or days < 0:
        return f"{number_text(days)} days"
    if days == 0:
        return "0 days"
    if days < 1:
        return "less than a day"
    exact = exact_duration(days)
    if exact is not None:
        count, unit = exact
        if unit == "month" and count >= 24 and count % 6 == 0:
            return _unit_words(count / 12, "year")  # 30 months: 2.5 years
        if (unit == "day" and count <= _DAYS_SAID_UP_TO) or (unit == "week" and count <= _WEEKS_SAID_UP_TO):
            return _unit_words(count, unit)
        if unit in {"year", "month"}:
            return _unit_words(count, unit)
    if days < _DAYS_SAID_UP_TO:
        return f"about {_unit_words(round(days), 'day')}"
    months = round(days / DAYS_PER_UNIT["month"])
    if days < 2 * DAYS_PER_UNIT["year"] and months != 12:
        return f"about {_unit_words(months, 'month')}"
    return f"about {_unit_words(round(days / DAYS_PER_UNIT['year'] * 2) / 2, 'year')}"
