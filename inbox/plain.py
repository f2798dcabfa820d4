"""A stored answer in plain words, as a coordinator reads it: never JSON.

Answers are stored in the structured form of ``criteria.coerce`` (``criteria.structured``):
``true``, ``"1990-05-01"``, ``"70 kg"``, ``{"medicine": "prednisone", "mg_per_day": 10, "how": "2 × 5 mg"}``,
``[{"medicine": "CellCept", "duration": "730.5 days"}, "zorblax"]``, ``"unsure"``. ``plain``
turns each into words ("Yes", "born 1 May 1990 (36 years)", "prednisone 10 mg/day (from 2 × 5 mg)",
"mycophenolate mofetil (CellCept), 2 years; zorblax (not a medicine we know)").

What the patient has not said reads "not stated" (``NOT_STATED``): no answer, a medicine's
duration not given. Never blank, "None" (which means "no medicines") or "unknown" (a
criterion's state): a coordinator must see a gap as a gap, not as an answer.

A value of an older shape, or one that no longer fits its question, never raises: it is
shown as compact readable text instead. Pure: no web framework, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from answers.durations import duration_words, number_text
from criteria.errors import CriteriaError
from criteria.lexicon import Lexicon, Medicine, fold_name
from criteria.messages import plain_date
from criteria.quantities import Quantity, age_on
from criteria.schema import FactDef

NOT_SURE = "Not sure"
NOT_STATED = "not stated"
_UNSURE = {"unsure", "not sure"}
_NONE = {"none", "no", "nothing", "never"}
_DOSE_KEYS = {"medicine", "mg_per_day"}  # and "how", the arithmetic, when the patient said it in parts


def plain(fact: FactDef, value: object, lexicon: Lexicon, *, today: date | None = None) -> str:
    """A stored structured answer to ``fact`` in plain words.

    Args:
        fact: the question the value answers (its type, choices and unit).
        value: the stored structured value (``criteria.structured``), or an older shape.
        lexicon: the medicine lexicon, for medicine names.
        today: the screening date (an age from a birth date is counted on it).
    """
    if value is None:
        return NOT_STATED
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
        return NOT_STATED
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return number_text(float(value))
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Mapping):
        parts = [f"{str(key).replace('_', ' ')}: {_nested(item)}" for key, item in value.items()]
        return ", ".join(parts) if parts else NOT_STATED
    if isinstance(value, list | tuple):
        return "; ".join(_nested(item) for item in value) if value else "None"
    return str(value)


def _nested(value: object) -> str:
    text = compact(value)
    return f"({text})" if isinstance(value, Mapping | list | tuple) and value else text


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
    return f"{number_text(round(quantity.value, 1))} {quantity.unit}".strip()


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
    if not isinstance(value, Mapping) or not _DOSE_KEYS <= set(value) <= {*_DOSE_KEYS, "how"}:
        return None
    name, mg, how = value["medicine"], value["mg_per_day"], value.get("how")
    if not isinstance(name, str) or isinstance(mg, bool) or not isinstance(mg, int | float):
        return None
    if how is not None and (not isinstance(how, str) or not how.strip()):
        return None
    notes = [f"from {how.strip()}"] if how else []  # the arithmetic, so a misread tablet count shows
    found = lexicon.find(name)
    factor = found.prednisone_factor() if found else None
    if factor is not None and factor != 1:
        # The criteria count steroid doses as prednisone: say what this one comes to.
        notes.append(f"like prednisone {number_text(float(mg) * factor)} mg/day")
    words = f"{medicine_name(name, lexicon)} {number_text(float(mg))} mg/day"
    return f"{words} ({'; '.join(notes)})" if notes else words


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
            items.append(f"{name}, duration {NOT_STATED}")  # where "2 years" would be
        else:
            items.append(name)  # an unknown medicine: how long matters less than what it is
    return "; ".join(items)
