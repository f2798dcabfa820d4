"""A stored answer in plain words, as a coordinator reads it: never JSON.

Answers are stored in the structured form of ``criteria.coerce`` (``criteria.structured``):
``true``, ``"1990-05-01"``, ``"70 kg"``, ``{"medicine": "prednisone", "mg_per_day": 10}``,
``[{"medicine": "CellCept", "duration": "730.5 days"}, "zorblax"]``, ``"unsure"``. ``plain``
turns each into words ("Yes", "born 1 May 1990 (36 years)", "prednisone 10 mg/day",
"mycophenolate mofetil (CellCept), 2 years; zorblax (not a medicine we know)").

A value of an older shape, or one that no longer fits its question, never raises: it is
shown as compact readable text instead. Pure: no web framework, no database.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

from criteria.errors import CriteriaError
from criteria.lexicon import Lexicon, Medicine, fold_name
from criteria.messages import plain_date
from criteria.quantities import DAYS_PER_UNIT, Quantity, age_on
from criteria.schema import FactDef

NOT_SURE = "Not sure"
NO_ANSWER = "No answer"
# Largest first: a duration is shown in the largest unit it is a whole number of.
UNITS = ("year", "month", "week", "day")
_UNSURE = {"unsure", "not sure"}
_NONE = {"none", "no", "nothing", "never"}
# A duration said in days or weeks reads as said up to about two months or half a year.
_DAYS_SAID_UP_TO = 60
_WEEKS_SAID_UP_TO = 26


def plain(fact: FactDef, value: object, lexicon: Lexicon, *, today: date | None = None) -> str:
    """A stored structured answer to ``fact`` in plain words.

    Args:
        fact: the question the value answers (its type, choices and unit).
        value: the stored structured value (``criteria.structured``), or an older shape.
        lexicon: the medicine lexicon, for medicine names.
        today: the screening date (an age from a birth date is counted on it).
    """
    if value is None:
        return NO_ANSWER
    if isinstance(value, str) and value.strip().casefold() in _UNSURE:
        return NOT_SURE
    kind = fact.answer.type
    try:
        if kind == "yes_no":
            words = _yes_no(value)
        elif kind == "choice":
            words = _choice(fact, value)
        elif kind == "age":
            words = _age(value, today)
        elif kind == "number":
            words = _number(fact, value)
        elif kind in {"date", "date_or_never"}:
            words = _date(value)
        elif kind == "dose":
            words = _dose(value, lexicon)
        else:
            words = _medicine_list(value, lexicon)
    except (ArithmeticError, LookupError, TypeError, ValueError, CriteriaError):
        words = None
    return words if words is not None else compact(value)


def compact(value: object) -> str:
    """Any value as short readable text: no braces, no quotes (the fallback for unknown shapes)."""
    if value is None:
        return NO_ANSWER
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return _number_text(float(value))
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Mapping):
        parts = [f"{str(key).replace('_', ' ')}: {_nested(item)}" for key, item in value.items()]
        return ", ".join(parts) if parts else NO_ANSWER
    if isinstance(value, list | tuple):
        return "; ".join(_nested(item) for item in value) if value else "None"
    return str(value)


def _nested(value: object) -> str:
    text = compact(value)
    return f"({text})" if isinstance(value, Mapping | list | tuple) and value else text


def _number_text(number: float) -> str:
    """A number without a useless ".0" and never in exponent notation."""
    if not math.isfinite(number):
        return str(number)
    rounded = round(number, 3)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.3f}".rstrip("0").rstrip(".")


def date_words(day: date) -> str:
    """``4 November 2026``."""
    return plain_date(day)


def _as_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _yes_no(value: object) -> str | None:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str) and value.strip().casefold() in {"yes", "no", "true", "false"}:
        return "Yes" if value.strip().casefold() in {"yes", "true"} else "No"
    return None


def _choice(fact: FactDef, value: object) -> str | None:
    choices = fact.answer.choices or {}
    if isinstance(value, str):
        if value in choices:
            return choices[value]
        return f"{value.replace('_', ' ')} (not one of this question's choices)"
    return None


def _years(count: int) -> str:
    return f"{count} year" if count == 1 else f"{count} years"


def _age(value: object, today: date | None) -> str | None:
    if isinstance(value, Mapping) and set(value) == {"birth_date"}:
        value = value["birth_date"]
    born = _as_date(value)
    if born is not None:
        if today is None or born > today:
            return f"born {date_words(born)}"
        return f"born {date_words(born)} ({_years(age_on(born, today))})"
    if isinstance(value, int | float) and not isinstance(value, bool) and value == int(value):
        return _years(int(value))
    return None


def _number(fact: FactDef, value: object) -> str | None:
    if isinstance(value, str):
        quantity = Quantity.parse(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        quantity = Quantity(float(value), fact.answer.unit or "")
    else:
        return None
    return f"{_number_text(round(quantity.value, 1))} {quantity.unit}".strip()


def _date(value: object) -> str | None:
    if isinstance(value, str) and value.strip().casefold() == "never":
        return "Never"
    if isinstance(value, Mapping) and set(value) == {"ago"}:
        return f"{duration_words(Quantity.parse(str(value['ago'])).in_days())} before the screening"
    day = _as_date(value)
    return date_words(day) if day is not None else None


def medicine_name(said: str, lexicon: Lexicon) -> str:
    """A medicine as the lexicon names it: the generic name, with the brand when the patient named one."""
    found = lexicon.find(said)
    if found is None:
        return f"{said.strip()} (not a medicine we know)"
    return _named(found, said)


def _named(medicine: Medicine, said: str) -> str:
    brand = next((b for b in medicine.brands if fold_name(b) == fold_name(said)), None)
    return f"{medicine.generic} ({brand})" if brand else medicine.generic


def _dose(value: object, lexicon: Lexicon) -> str | None:
    if value == 0 or (isinstance(value, str) and value.strip().casefold() in _NONE):
        return "None"
    if not isinstance(value, Mapping) or set(value) != {"medicine", "mg_per_day"}:
        return None
    name, mg = value["medicine"], value["mg_per_day"]
    if not isinstance(name, str) or isinstance(mg, bool) or not isinstance(mg, int | float):
        return None
    words = f"{medicine_name(name, lexicon)} {_number_text(float(mg))} mg/day"
    found = lexicon.find(name)
    factor = found.prednisone_factor() if found else None
    if factor is not None and factor != 1:
        # The criteria count steroid doses as prednisone: say what this one comes to.
        words += f" (like prednisone {_number_text(float(mg) * factor)} mg/day)"
    return words


def _medicine_list(value: object, lexicon: Lexicon) -> str | None:
    if isinstance(value, str) and value.strip().casefold() in _NONE:
        return "None"
    if not isinstance(value, list | tuple):
        return None
    if not value:
        return "None"
    items = []
    for item in value:
        if isinstance(item, str):
            said, duration = item, None
        elif isinstance(item, Mapping) and "medicine" in item and set(item) <= {"medicine", "duration"}:
            said, duration = str(item["medicine"]), item.get("duration")
        else:
            items.append(_nested(item))
            continue
        name = medicine_name(said, lexicon)
        if duration is not None:
            items.append(f"{name}, {duration_words(Quantity.parse(str(duration)).in_days())}")
        elif lexicon.find(said) is not None:
            items.append(f"{name} (duration not given)")
        else:
            items.append(name)  # an unknown medicine: how long matters less than what it is
    return "; ".join(items)


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
    return f"{_number_text(count)} {unit}" + ("" if count == 1 else "s")


def duration_words(days: float) -> str:
    """How long, rounded as a person would say it: "2 years", "18 months", "10 weeks", "about 7 months"."""
    if not math.isfinite(days) or days < 0:
        return f"{_number_text(days)} days"
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
