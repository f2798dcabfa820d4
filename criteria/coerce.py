"""Turning a structured answer into a typed fact value, checked against its question.

This is the single door through which answers enter the engine: the conversation's
actions (after NLU), the coordinator inbox and the CLI's facts files all come through
here. Bad input raises ``FactError`` with a stable code, so the caller asks again
instead of guessing.

Accepted forms, per answer type (``"unsure"`` is accepted by every type):

* ``yes_no``: ``true`` / ``false`` / ``"yes"`` / ``"no"``
* ``choice``: one of the question's choice keys
* ``age``: whole years (``34``), or a birth date (``"1990-05-01"`` or ``{"birth_date": ...}``)
* ``number``: a number in the question's unit, or ``"154 lb"``
* ``date``: ``"2026-01-31"`` or ``{"ago": "3 weeks"}``, never in the future
* ``date_or_never``: as ``date``, or ``"never"``
* ``dose``: ``"none"`` / ``0``, or ``{"medicine": "medrol", "mg_per_day": 32}``, optionally with
  ``"how": "4 × 8 mg"``, the arithmetic in words (kept for people, never read by a rule)
* ``medicine_list``: ``"none"`` / ``[]``, or a list of names or ``{"medicine": name, "duration": "1 year"}``
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from criteria.errors import Code, FactError, QuantityError
from criteria.lexicon import Lexicon
from criteria.quantities import Quantity, age_on, shift_back
from criteria.schema import FactDef
from criteria.values import NEVER, UNSURE, Dose, Fact, Marker, MedicineUse, Value

_YES = {"yes", "y", "true"}
_NO = {"no", "n", "false"}
_NONE = {"none", "no", "nothing", "never"}
_HOW_CHARS = 80  # "1½ × 5 mg + 2 × 2.5 mg every other day" fits; a paragraph is not arithmetic


def coerce(fact: FactDef, raw: object, *, today: date, lexicon: Lexicon) -> Value:
    """Check a structured answer against its question and return the typed value.

    Raises:
        FactError: the answer does not fit (the message says what would).
    """
    if isinstance(raw, str) and raw.strip().casefold() in {"unsure", "not sure"}:
        return UNSURE
    kind = fact.answer.type
    try:
        if kind == "yes_no":
            return _yes_no(raw)
        if kind == "choice":
            return _choice(fact, raw)
        if kind == "age":
            return _age(fact, raw, today)
        if kind == "number":
            return _number(fact, raw)
        if kind in {"date", "date_or_never"}:
            return _date(raw, today, never_ok=kind == "date_or_never")
        if kind == "dose":
            return _dose(fact, raw, lexicon)
        return _medicine_list(raw, lexicon)
    except FactError as exc:
        exc.fact_id = fact.id
        raise
    except (QuantityError, ValueError, TypeError, OverflowError) as exc:
        raise FactError(Code.FACT_VALUE_INVALID, f"{fact.id}: {exc}", fact_id=fact.id) from exc


def make_fact(fact: FactDef, raw: object, *, today: date, lexicon: Lexicon, **meta: Any) -> Fact:
    """Coerce ``raw`` and wrap it in a ``Fact`` with the given metadata (said, confidence, ...)."""
    return Fact(id=fact.id, value=coerce(fact, raw, today=today, lexicon=lexicon), **meta)


def _invalid(message: str) -> FactError:
    return FactError(Code.FACT_VALUE_INVALID, message)


def _yes_no(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().casefold() in _YES | _NO:
        return raw.strip().casefold() in _YES
    raise _invalid(f"expected yes or no, got {raw!r}")


def _choice(fact: FactDef, raw: object) -> str:
    choices = fact.answer.choices or {}
    if isinstance(raw, str) and raw in choices:
        return raw
    raise _invalid(f"expected one of {sorted(choices)}, got {raw!r}")


def _finite(raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise _invalid(f"expected a number, got {raw!r}")
    return float(raw)


def _bounded(fact: FactDef, number: float) -> float:
    low, high = fact.answer.min, fact.answer.max
    if (low is not None and number < low) or (high is not None and number > high):
        bounds = (("at least", low), ("at most", high))
        limits = " and ".join(f"{word} {bound:g}" for word, bound in bounds if bound is not None)
        raise _invalid(f"{number:g} is not plausible here (expected {limits})")
    return number


def _age(fact: FactDef, raw: object, today: date) -> int | date:
    if isinstance(raw, Mapping) and set(raw) == {"birth_date"}:
        raw = raw["birth_date"]
    if isinstance(raw, str | date):
        born = _parse_date(raw)
        if born > today:
            raise FactError(Code.FACT_IN_FUTURE, f"birth date {born} is after the screening date")
        _bounded(fact, age_on(born, today))
        return born
    number = _finite(raw)
    if number != int(number):
        raise _invalid(f"age in whole years, got {number:g}")
    _bounded(fact, number)
    return int(number)


def _number(fact: FactDef, raw: object) -> Quantity:
    unit = fact.answer.unit or ""
    if isinstance(raw, str):
        quantity = Quantity.parse(raw)
        value = quantity.in_kg() if quantity.dimension == "weight" else math.nan
        if math.isnan(value):
            raise _invalid(f"expected a body weight in kg or lb, got {raw!r}")
    else:
        value = _finite(raw) * Quantity(1, unit).in_kg()
    return Quantity(round(_bounded(fact, value), 3), "kg")


def _parse_date(raw: object) -> date:
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError as exc:
            raise _invalid(f"expected a date as YYYY-MM-DD, got {raw!r}") from exc
    raise _invalid(f"expected a date, got {raw!r}")


def _date(raw: object, today: date, *, never_ok: bool) -> date | str:
    if never_ok and isinstance(raw, str) and raw.strip().casefold() == NEVER.value:
        return NEVER
    if isinstance(raw, Mapping) and set(raw) == {"ago"}:
        period = Quantity.parse(str(raw["ago"]))
        if period.dimension != "time" or period.value < 0:
            raise _invalid(f"'ago' needs a length of time, got {raw['ago']!r}")
        return shift_back(today, period)
    when = _parse_date(raw)
    if when > today:
        raise FactError(Code.FACT_IN_FUTURE, f"{when} is after the screening date {today}")
    return when


def _medicine(name: object, lexicon: Lexicon) -> str | None:
    if not isinstance(name, str) or not name.strip():
        raise _invalid(f"expected a medicine name, got {name!r}")
    found = lexicon.find(name)
    return found.id if found else None


def _dose(fact: FactDef, raw: object, lexicon: Lexicon) -> Dose:
    if raw == 0 or (isinstance(raw, str) and raw.strip().casefold() in _NONE):
        return Dose(None, 0.0, 0.0)
    if not isinstance(raw, Mapping) or not {"medicine", "mg_per_day"} <= set(raw) <= {"medicine", "mg_per_day", "how"}:
        raise _invalid("expected 'none' or {medicine: name, mg_per_day: number, how: words (optional)}")
    how = _how(raw.get("how"))
    name = raw["medicine"]
    med_id = _medicine(name, lexicon)
    if med_id is None:
        raise FactError(Code.MEDICINE_UNKNOWN, f"{name!r} is not a medicine we know")
    medicine = lexicon.medicines[med_id]
    wanted = fact.answer.medicine_class or ""
    factor = medicine.prednisone_factor()
    if wanted not in medicine.classes or factor is None:
        raise _invalid(f"{medicine.generic} is not {lexicon.classes[wanted].plain}")
    mg = _finite(raw["mg_per_day"])
    if mg < 0:
        raise _invalid("a dose cannot be negative")
    equivalent = mg * factor
    if fact.answer.max is not None and equivalent > fact.answer.max:
        raise _invalid(f"{mg:g} mg/day of {medicine.generic} is beyond any plausible daily dose")
    return Dose(med_id, mg, round(equivalent, 4), how)


def _how(raw: object) -> str | None:
    """A dose's arithmetic in words: one short line of text, or None."""
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw.strip() or len(raw) > _HOW_CHARS or not raw.isprintable():
        raise _invalid(f"'how' is the arithmetic in a few words (at most {_HOW_CHARS} characters), got {raw!r}")
    return raw.strip()


def _medicine_list(raw: object, lexicon: Lexicon) -> tuple[MedicineUse, ...]:
    if isinstance(raw, str) and raw.strip().casefold() in _NONE:
        return ()
    if not isinstance(raw, list | tuple):
        raise _invalid("expected 'none' or a list of medicines")
    uses: list[MedicineUse] = []
    for item in raw:
        if isinstance(item, str):
            uses.append(MedicineUse(item, _medicine(item, lexicon)))
            continue
        if not isinstance(item, Mapping) or not set(item) <= {"medicine", "duration"} or "medicine" not in item:
            raise _invalid(f"expected a medicine name or {{medicine, duration}}, got {item!r}")
        days = None
        if item.get("duration") is not None:
            period = Quantity.parse(str(item["duration"]))
            days = period.in_days()
            if days < 0:
                raise _invalid("a duration cannot be negative")
        uses.append(MedicineUse(str(item["medicine"]), _medicine(item["medicine"], lexicon), days))
    return tuple(uses)


def structured(value: Value) -> object:
    """The JSON-ready structured form of a typed value; ``coerce`` reads it back to the same value.

    Used to keep answers in Rasa slots and in the database.
    """
    if isinstance(value, Marker):
        return value.value
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Quantity):
        return f"{value.value:g} {value.unit}"
    if isinstance(value, Dose):
        if value.medicine is None:
            return "none"
        dose: dict[str, object] = {"medicine": value.medicine, "mg_per_day": value.mg_per_day}
        if value.how:
            dose["how"] = value.how
        return dose
    uses: list[object] = []
    for use in value:
        # The name as said: reading it back finds the same medicine, or leaves it unplaced.
        if use.duration_days is None:
            uses.append(use.said)
        else:
            uses.append({"medicine": use.said, "duration": f"{use.duration_days!r} days"})
    return uses
