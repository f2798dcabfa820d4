"""Quantities with units, durations and calendar arithmetic.

Durations a patient reports ("for about a year") are compared as lengths, with a month
of 365.25/12 days. Windows before the screening date ("within 6 months prior to
screening") are calendar windows: the cut-off is the same day of the month, months or
years earlier, so "exactly 6 months ago" is inside a 6-month window.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from criteria.errors import QuantityError

DAYS_PER_UNIT: dict[str, float] = {
    "day": 1.0,
    "week": 7.0,
    "month": 365.25 / 12,
    "year": 365.25,
}
MASS_MG: dict[str, float] = {"mg": 1.0, "g": 1000.0, "mcg": 0.001}
WEIGHT_KG: dict[str, float] = {"kg": 1.0, "lb": 0.45359237}

_UNIT_ALIASES = {
    "days": "day",
    "d": "day",
    "weeks": "week",
    "wk": "week",
    "wks": "week",
    "w": "week",
    "months": "month",
    "mo": "month",
    "mos": "month",
    "years": "year",
    "yr": "year",
    "yrs": "year",
    "y": "year",
    "lbs": "lb",
    "pounds": "lb",
    "pound": "lb",
    "kgs": "kg",
    "kilograms": "kg",
    "kilogram": "kg",
    "milligrams": "mg",
    "milligram": "mg",
    "µg": "mcg",
    "ug": "mcg",
}
_QUANTITY = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([A-Za-zµ/]+)\s*$")


def canonical_unit(unit: str) -> str:
    """Return the canonical spelling of a unit, e.g. ``"weeks"`` → ``"week"``, ``"mg/d"`` → ``"mg/day"``."""
    parts = [p.strip().lower() for p in unit.split("/")]
    return "/".join(_UNIT_ALIASES.get(part, part) for part in parts)


@dataclass(frozen=True)
class Quantity:
    """A number with a canonical unit such as ``year``, ``kg``, ``mg/day`` or ``mg/kg/day``."""

    value: float
    unit: str

    @classmethod
    def parse(cls, text: str) -> Quantity:
        """Parse ``"40 mg/day"``, ``"6 months"``, ``"18 years"``.

        Raises:
            QuantityError: the text is not a number followed by a unit.
        """
        match = _QUANTITY.match(text)
        if not match:
            raise QuantityError(f"expected a number and a unit such as '40 mg/day', got {text!r}")
        return cls(float(match.group(1)), canonical_unit(match.group(2)))

    @property
    def dimension(self) -> str:
        """The kind of thing measured: ``time``, ``mass``, ``weight``, ``dose``, ``dose_per_kg`` or the unit."""
        if self.unit in DAYS_PER_UNIT:
            return "time"
        if self.unit in MASS_MG:
            return "mass"
        if self.unit in WEIGHT_KG:
            return "weight"
        if self.unit == "mg/day":
            return "dose"
        if self.unit == "mg/kg/day":
            return "dose_per_kg"
        return self.unit

    def in_days(self) -> float:
        """Length in days (time quantities only)."""
        if self.unit not in DAYS_PER_UNIT:
            raise QuantityError(f"{self} is not a length of time")
        return self.value * DAYS_PER_UNIT[self.unit]

    def in_kg(self) -> float:
        """Weight in kilograms (weight quantities only)."""
        if self.unit not in WEIGHT_KG:
            raise QuantityError(f"{self} is not a body weight")
        return self.value * WEIGHT_KG[self.unit]

    def __str__(self) -> str:
        return f"{self.value:g} {self.unit}".rstrip()


def add_months(day: date, months: int) -> date:
    """Shift a date by whole months, clamping to the month's last day (31 Mar - 1 month = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def shift_back(today: date, period: Quantity) -> date:
    """The calendar date ``period`` before ``today`` (whole units only)."""
    if period.unit not in DAYS_PER_UNIT:
        raise QuantityError(f"{period} is not a length of time")
    amount = period.value
    if amount != int(amount):
        # Fractions of a month or year have no calendar meaning; fall back to days.
        return date.fromordinal(today.toordinal() - round(period.in_days()))
    whole = int(amount)
    if period.unit == "year":
        return add_months(today, -12 * whole)
    if period.unit == "month":
        return add_months(today, -whole)
    step = 7 if period.unit == "week" else 1
    return date.fromordinal(today.toordinal() - step * whole)


def age_on(birth_date: date, day: date) -> int:
    """Completed years of age on ``day``; a birthday counts on the day itself (29 Feb → 1 Mar)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
