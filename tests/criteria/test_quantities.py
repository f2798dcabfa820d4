"""Quantities, units and calendar arithmetic (criteria.quantities)."""

from datetime import date

import pytest

from criteria.errors import Code, QuantityError
from criteria.quantities import Quantity, add_months, age_on, shift_back


@pytest.mark.parametrize(
    ("text", "value", "unit", "dimension"),
    [
        ("40 mg/day", 40, "mg/day", "dose"),  # the steroid limits of the trial file
        ("6 months", 6, "month", "time"),  # plural folded to the canonical unit
        ("18 years", 18, "year", "time"),  # age bounds
        ("154 lbs", 154, "lb", "weight"),  # US patients give pounds
        ("3 wks", 3, "week", "time"),  # abbreviation a patient types
        ("1 mg/kg/day", 1, "mg/kg/day", "dose_per_kg"),  # the IIM steroid-per-weight bound
        ("40 mg/d", 40, "mg/day", "dose"),  # aliases apply to each part of a compound unit
        ("40 MG/DAY", 40, "mg/day", "dose"),  # case does not matter
        ("7.5 mg/day", 7.5, "mg/day", "dose"),  # decimals: the 7.5 mg steroid-alone minimum
        ("14days", 14, "day", "time"),  # no space between number and unit
        ("  12 weeks  ", 12, "week", "time"),  # surrounding whitespace from YAML or a form
        ("70 kilograms", 70, "kg", "weight"),  # spelled-out unit
        ("500 µg", 500, "mcg", "mass"),  # micro sign folded to mcg
        ("-3 weeks", -3, "week", "time"),  # parses; callers (coerce) reject negative lengths
    ],
)
def test_parse_reads_number_and_canonical_unit(text: str, value: float, unit: str, dimension: str) -> None:
    quantity = Quantity.parse(text)
    assert quantity == Quantity(value, unit)
    assert quantity.dimension == dimension


@pytest.mark.parametrize(
    "text",
    [
        "",  # nothing at all
        "40",  # a bare number: the unit decides how a bound is read, so it is required
        "mg/day",  # a unit without a number
        "forty mg",  # words are the NLU's job, not this parser's
        "3 weeks ago",  # trailing words are not silently dropped
        "1e3 mg",  # no scientific notation in trial files
        "1,000 mg",  # no thousands separators
        "5-10 mg",  # a range is not one quantity
        ".5 mg",  # a leading digit is required
    ],
)
def test_parse_rejects_what_is_not_number_and_unit(text: str) -> None:
    with pytest.raises(QuantityError) as caught:
        Quantity.parse(text)
    assert caught.value.code is Code.QUANTITY_INVALID
    assert repr(text) in caught.value.message  # the message quotes what it could not read


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("3 days", 3),
        ("1 week", 7),
        ("12 weeks", 84),  # the 12-week background-therapy rule
        ("1 month", 365.25 / 12),  # durations use the mean month, not a calendar month
        ("12 months", 365.25),  # so 12 months is exactly one year
        ("1 year", 365.25),
        ("0 days", 0),
    ],
)
def test_in_days(text: str, days: float) -> None:
    assert Quantity.parse(text).in_days() == pytest.approx(days)


@pytest.mark.parametrize(
    ("text", "kg"),
    [
        ("70 kg", 70),
        ("154 lb", 69.853),  # 1 lb = 0.45359237 kg exactly
        ("154 pounds", 69.853),
        ("1 lb", 0.45359237),
    ],
)
def test_in_kg(text: str, kg: float) -> None:
    assert Quantity.parse(text).in_kg() == pytest.approx(kg, abs=1e-3)


@pytest.mark.parametrize(
    ("text", "method"),
    [
        ("40 mg", "in_days"),  # a dose is not a length of time
        ("70 kg", "in_days"),
        ("3 weeks", "in_kg"),  # a length of time is not a weight
        ("40 mg/day", "in_kg"),
    ],
)
def test_conversion_to_the_wrong_dimension_raises(text: str, method: str) -> None:
    with pytest.raises(QuantityError):
        getattr(Quantity.parse(text), method)()


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("40 mg/d", "40 mg/day"),  # str shows the canonical unit
        ("7.5 mg/day", "7.5 mg/day"),  # no trailing .0 noise, keeps real decimals
        ("6 months", "6 month"),
    ],
)
def test_str_is_canonical(text: str, shown: str) -> None:
    assert str(Quantity.parse(text)) == shown


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 31), -1, date(2026, 2, 28)),  # clamps to the last day of February
        (date(2024, 3, 31), -1, date(2024, 2, 29)),  # ... which is the 29th in a leap year
        (date(2000, 3, 31), -1, date(2000, 2, 29)),  # 2000 is a leap year (divisible by 400)
        (date(1900, 3, 31), -1, date(1900, 2, 28)),  # 1900 is not (divisible by 100)
        (date(2026, 5, 31), -1, date(2026, 4, 30)),  # clamps to a 30-day month
        (date(2026, 1, 15), -1, date(2025, 12, 15)),  # wraps back into the previous year
        (date(2026, 12, 31), 2, date(2027, 2, 28)),  # wraps forward and clamps
        (date(2024, 2, 29), -12, date(2023, 2, 28)),  # a leap day one year back
        (date(2024, 2, 29), 48, date(2028, 2, 29)),  # a leap day four years on stays the 29th
        (date(2026, 11, 25), -24, date(2024, 11, 25)),  # whole years are 12-month steps
        (date(2026, 11, 25), 0, date(2026, 11, 25)),  # no shift
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("today", "period", "expected"),
    [
        (date(2026, 11, 25), "14 days", date(2026, 11, 11)),  # the antibiotics window
        (date(2026, 11, 25), "3 weeks", date(2026, 11, 4)),
        (date(2026, 11, 25), "4 weeks", date(2026, 10, 28)),  # the other-trial and vaccine windows
        (date(2026, 11, 25), "1 month", date(2026, 10, 25)),  # calendar month: same day, not 30.4 days
        (date(2026, 11, 25), "6 months", date(2026, 5, 25)),  # the CAR-T window
        (date(2026, 11, 25), "5 years", date(2021, 11, 25)),  # the cancer and SSc-duration windows
        (date(2026, 11, 25), "0 days", date(2026, 11, 25)),
        (date(2026, 3, 31), "1 month", date(2026, 2, 28)),  # month-end clamps like add_months
        (date(2024, 2, 29), "1 year", date(2023, 2, 28)),  # a leap day's year back exists
        (date(2026, 1, 10), "2 months", date(2025, 11, 10)),  # across the year boundary
        # Fractions of a month or year have no calendar meaning: they fall back to mean-length days.
        (date(2026, 11, 25), "1.5 months", date(2026, 10, 10)),  # round(45.66) = 46 days
        (date(2026, 11, 25), "0.5 years", date(2026, 5, 26)),  # 183 days, one day later than 6 months
        (date(2026, 11, 25), "0.25 years", date(2026, 8, 26)),  # round(91.31) = 91 days
    ],
)
def test_shift_back(today: date, period: str, expected: date) -> None:
    assert shift_back(today, Quantity.parse(period)) == expected


def test_shift_back_refuses_a_non_time_quantity() -> None:
    with pytest.raises(QuantityError):
        shift_back(date(2026, 11, 25), Quantity.parse("40 mg"))


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(1992, 11, 25), date(2026, 11, 25), 34),  # the birthday itself counts
        (date(1992, 11, 26), date(2026, 11, 25), 33),  # the day before the birthday does not
        (date(1992, 11, 24), date(2026, 11, 25), 34),
        (date(2008, 11, 25), date(2026, 11, 25), 18),  # turns 18 today: old enough for the trial
        (date(2008, 11, 26), date(2026, 11, 25), 17),  # turns 18 tomorrow: not yet
        (date(1960, 11, 26), date(2026, 11, 25), 65),  # still 65 the day before turning 66
        (date(1960, 11, 25), date(2026, 11, 25), 66),
        (date(1992, 12, 1), date(2026, 11, 25), 33),  # a later month, earlier day
        (date(2000, 2, 29), date(2026, 2, 28), 25),  # a 29 Feb birthday is not reached on 28 Feb ...
        (date(2000, 2, 29), date(2026, 3, 1), 26),  # ... it counts from 1 Mar in common years
        (date(2000, 2, 29), date(2028, 2, 29), 28),  # and on the day in leap years
        (date(2000, 2, 29), date(2028, 2, 28), 27),
        (date(2026, 11, 25), date(2026, 11, 25), 0),  # born today
    ],
)
def test_age_on(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age
