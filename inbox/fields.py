"""The settle form: fields that fit each answer type, read into the value ``criteria.coerce`` accepts.

A coordinator settles an answer with fields that fit its question, never typed JSON:

========================  =====================================================================
answer type               fields (``unsure`` is "Not sure" for every type)
========================  =====================================================================
``yes_no``                ``answer``: yes / no / unsure (radios)
``choice``                ``answer``: one of the question's choice keys, or unsure (a select)
``age``                   ``years`` (whole years) or ``birth_date``; ``unsure``
``number``                ``number`` and ``unit`` (the question's unit; kg or lb for a weight); ``unsure``
``date``                  ``date`` (YYYY-MM-DD, not after the screening date); ``unsure``
``date_or_never``         as ``date``, and ``never``
``dose``                  ``medicine`` (a lexicon id of the question's class) and ``mg_per_day``; ``none``; ``unsure``
``medicine_list``         rows ``medicine_N`` (a lexicon id) or ``name_N`` (any name), ``duration_N`` and
                          ``duration_unit_N`` (days/weeks/months/years; empty: not given); ``none``; ``unsure``
========================  =====================================================================

``to_raw`` reads the fields into a structured value and checks it with ``criteria.coerce``;
what does not fit raises ``FieldError`` with a stable ``INBOX-0xx`` code (``inbox.messages``)
and the field to point at. ``from_raw`` fills the fields from a stored value. Both are
pure, and generic over the trial file: nothing here names a question.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from answers.durations import exact_duration
from criteria import CriteriaError, FactError, coerce
from criteria.lexicon import Lexicon, Medicine
from criteria.quantities import WEIGHT_KG, Quantity
from criteria.schema import FactDef
from inbox import messages

UNSURE = "unsure"
ROWS = 6  # medicine rows shown; more when a stored list is longer
DURATION_UNITS = ("days", "weeks", "months", "years")
MAX_NAME_CHARS = 100
MAX_DURATION_YEARS = 120
_ROW_PARTS = ("medicine", "name", "duration")
_ROW = re.compile(r"^(medicine|name|duration|duration_unit)_(\d{1,3})$")
# What "give an answer" means, per type (INBOX-013).
_WANTED = {
    "yes_no": "yes, no or not sure",
    "choice": "one of the choices, or not sure",
    "age": "the age in whole years, a birth date, or not sure",
    "number": "a number, or not sure",
    "date": "a date, or not sure",
    "date_or_never": "a date, never, or not sure",
    "dose": "the steroid and its mg a day, none, or not sure",
    "medicine_list": "at least one medicine, none, or not sure",
}
# The field a value that does not fit the question (INBOX-007) is about, per type.
_MAIN = {
    "yes_no": "answer",
    "choice": "answer",
    "age": "years",
    "number": "number",
    "date": "date",
    "date_or_never": "date",
    "dose": "mg_per_day",
    "medicine_list": "medicine_1",
}


class FieldError(ValueError):
    """Settle fields that do not make an answer: the message (with its code) and the field it is about."""

    def __init__(self, code: str, *, at: str | None = None, **detail: object) -> None:
        super().__init__(messages.error(code, **detail))
        self.code = code
        self.field = at


# --- the fields' options ------------------------------------------------------------------


def choice_options(fact: FactDef) -> tuple[tuple[str, str], ...]:
    """A choice question's options: its choices, then "Not sure"."""
    return (*(fact.answer.choices or {}).items(), (UNSURE, "Not sure"))


def medicine_label(medicine: Medicine) -> str:
    """``methylprednisolone (Medrol, Solu-Medrol, ...)``."""
    return f"{medicine.generic} ({', '.join(medicine.brands)})" if medicine.brands else medicine.generic


def dose_options(fact: FactDef, lexicon: Lexicon) -> tuple[tuple[str, str], ...]:
    """The medicines a dose question takes: its class, with a known equivalent dose."""
    wanted = fact.answer.medicine_class or ""
    found = [m for m in lexicon.medicines.values() if wanted in m.classes and m.prednisone_factor() is not None]
    return tuple((m.id, medicine_label(m)) for m in sorted(found, key=lambda m: m.generic))


def medicine_groups(lexicon: Lexicon) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """Every lexicon medicine, grouped by its first class (the class's plain description), by name."""
    groups: dict[str, list[Medicine]] = {}
    for medicine in lexicon.medicines.values():
        groups.setdefault(medicine.classes[0], []).append(medicine)
    return tuple(
        (
            _sentence(lexicon.classes[name].plain),
            tuple((m.id, medicine_label(m)) for m in sorted(found, key=lambda m: m.generic)),
        )
        for name, found in groups.items()
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def number_units(fact: FactDef) -> tuple[str, ...]:
    """The units a number may be given in: the question's, and the other weight units for a weight."""
    unit = fact.answer.unit or ""
    if unit in WEIGHT_KG:
        return (unit, *(other for other in WEIGHT_KG if other != unit))
    return (unit,)


# --- fields -> structured value -----------------------------------------------------------


def to_raw(fact: FactDef, form: Mapping[str, str], *, today: date, lexicon: Lexicon) -> object:
    """The structured answer the settle fields give, checked against the question.

    Args:
        fact: the question being settled.
        form: the posted fields (names as in this module's docstring; others are ignored).
        today: the screening date (no date after it; ages are counted on it).
        lexicon: the medicine lexicon.

    Returns:
        A value ``criteria.coerce`` accepts (and ``handoff.api.settle`` takes).

    Raises:
        FieldError: nothing given, two answers at once, a field that cannot be read, or a
            value that does not fit the question (INBOX-007, the criteria's reason).
    """
    kind = fact.answer.type
    readers = {
        "yes_no": _yes_no,
        "choice": _choice,
        "age": _age,
        "number": _number,
        "date": _date,
        "date_or_never": _date,
        "dose": _dose,
        "medicine_list": _medicine_list,
    }
    raw = readers[kind](fact, _Form(form), today, lexicon)
    try:
        coerce(fact, raw, today=today, lexicon=lexicon)
    except FactError as error:
        at = "birth_date" if kind == "age" and isinstance(raw, Mapping) else _MAIN[kind]
        raise FieldError("INBOX-007", at=at, detail=error.message) from error
    return raw


@dataclass(frozen=True)
class _Form:
    fields: Mapping[str, str]

    def text(self, name: str) -> str:
        value = self.fields.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    def ticked(self, name: str) -> bool:
        return bool(self.text(name))


def _one_of(fact: FactDef, given: list[tuple[str, str, bool]]) -> str:
    """Which one answer was given, of (field, words for it, given?); none or several is an error."""
    chosen = [(name, words) for name, words, present in given if present]
    if not chosen:
        raise FieldError("INBOX-013", at=_MAIN[fact.answer.type], what=_WANTED[fact.answer.type])
    if len(chosen) > 1:
        raise FieldError("INBOX-014", at=chosen[0][0], what=" and ".join(words for _, words in chosen))
    return chosen[0][0]


def _number_in(form: _Form, name: str, label: str, example: str) -> float:
    text = form.text(name).replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise FieldError("INBOX-015", at=name, field=label, example=example)
    return number


def _date_in(form: _Form, name: str, label: str, today: date) -> str:
    try:
        return date.fromisoformat(form.text(name)).isoformat()
    except ValueError:
        raise FieldError("INBOX-016", at=name, field=label, example=today.isoformat()) from None


def _number_words(number: float) -> str:
    """A number as ``Quantity.parse`` reads it: no exponent, no useless ".0"."""
    rounded = round(number, 4)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.4f}".rstrip("0")


def _yes_no(fact: FactDef, form: _Form, today: date, lexicon: Lexicon) -> object:
    answer = form.text("answer")
    if not answer:
        raise FieldError("INBOX-013", at="answer", what=_WANTED["yes_no"])
    if answer not in {"yes", "no", UNSURE}:
        raise FieldError("INBOX-017", at="answer", field="Answer")
    return UNSURE if answer == UNSURE else answer == "yes"


def _choice(fact: FactDef, form: _Form, today: date, lexicon: Lexicon) -> object:
    answer = form.text("answer")
    if not answer:
        raise FieldError("INBOX-013", at="answer", what=_WANTED["choice"])
    if answer not in dict(choice_options(fact)):
        raise FieldError("INBOX-017", at="answer", field="Answer")
    return answer


def _age(fact: FactDef, form: _Form, today: date, lexicon: Lexicon) -> object:
    chosen = _one_of(
        fact,
        [
            ("years", "an age in years", bool(form.text("years"))),
            ("birth_date", "a birth date", bool(form.text("birth_date"))),
            (UNSURE, "Not sure", form.ticked(UNSURE)),
        ],
    )
    if chosen == UNSURE:
        return UNSURE
    if chosen == "birth_date":
        return {"birth_date": _date_in(form, "birth_date", "Birth date", today)}
    years = _number_in(form, "years", "Age in years", "34")
    if years != int(years):
        raise FieldError("INBOX-020", at="years", field="Age in years", what="whole years only")
    return int(years)


def _number(fact: FactDef, form: _Form, today: date, lexicon: Lexicon) -> object:
    units = number_units(fact)
    given = [("number", "a number", bool(form.text("number"))), (UNSURE, "Not sure", form.ticked(UNSURE))]
    if _one_of(fact, given) == UNSURE:
        return UNSURE
    number = _number_in(form, "number", "Number", "70")
    unit = form.text("unit") or units[0]
    if unit not in units:
        raise FieldError("INBOX-017", at="unit", field="Unit")
    return number if unit == units[0] else f"{_number_words(number)} {unit}"


def _date(fact: FactDef, form: _Form, today: date, lexicon: Lexicon) -> object:
    given = [("date", "a date", bool(form.text("date")))]
    if fact.answer.type == "date_or_never":
        given.append(("never", "Never", form.ticked("never")))
    chosen = _one_of(fact, [*given, (UNSURE, "Not sure", form.ticked(UNSURE))])
    if chosen == "date":
        return _date_in(form, "date", "Date", today)
    return chosen  # "never" or "unsure"


def _dose(fact: FactDef, form: _Form, today: date, lexicon: Lexicon) -> object:
    medicine, mg = form.text("medicine"), form.text("mg_per_day")
    given = [
        ("medicine" if medicine else "mg_per_day", "a dose", bool(medicine or mg)),
        ("none", "None", form.ticked("none")),
        (UNSURE, "Not sure", form.ticked(UNSURE)),
    ]
    chosen = _one_of(fact, given)
    if chosen in {"none", UNSURE}:
        return chosen
    if medicine and medicine not in dict(dose_options(fact, lexicon)):
        raise FieldError("INBOX-017", at="medicine", field="Steroid")
    if not medicine or not mg:
        missing = "medicine" if not medicine else "mg_per_day"
        what = "give both the steroid and its mg a day, or tick None"
        raise FieldError("INBOX-020", at=missing, field="Dose", what=what)
    return {"medicine": medicine, "mg_per_day": _number_in(form, "mg_per_day", "Mg a day", "10")}


def medicine_rows(form: Mapping[str, str]) -> list[int]:
    """The row numbers the fields hold, in order."""
    found = {int(match.group(2)) for name in form if (match := _ROW.match(name))}
    return sorted(found)


def _medicine_list(fact: FactDef, form: _Form, today: date, lexicon: Lexicon) -> object:
    items: list[object] = []
    for row in medicine_rows(form.fields):
        item = _medicine_row(form, row, lexicon)
        if item is not None:
            items.append(item)
    given = [
        ("medicine_1", "medicines in the list", bool(items)),
        ("none", "None", form.ticked("none")),
        (UNSURE, "Not sure", form.ticked(UNSURE)),
    ]
    chosen = _one_of(fact, given)
    return chosen if chosen in {"none", UNSURE} else items


def _medicine_row(form: _Form, row: int, lexicon: Lexicon) -> object | None:
    picked, name, duration = form.text(f"medicine_{row}"), form.text(f"name_{row}"), form.text(f"duration_{row}")
    if picked and name:
        raise FieldError("INBOX-018", at=f"name_{row}", row=row)
    if not picked and not name:
        if duration:
            raise FieldError("INBOX-019", at=f"duration_{row}", row=row)
        return None
    if picked and picked not in lexicon.medicines:
        raise FieldError("INBOX-017", at=f"medicine_{row}", field=f"Medicine {row}")
    if len(name) > MAX_NAME_CHARS:
        what = f"a name of at most {MAX_NAME_CHARS} characters"
        raise FieldError("INBOX-020", at=f"name_{row}", field=f"Medicine {row}", what=what)
    said = lexicon.medicines[picked].generic if picked else name
    if not duration:
        return said
    label = f"Medicine {row}, how long"
    length = _number_in(form, f"duration_{row}", label, "2")
    unit = form.text(f"duration_unit_{row}") or "years"
    if unit not in DURATION_UNITS:
        raise FieldError("INBOX-017", at=f"duration_unit_{row}", field=label)
    period = Quantity.parse(f"{_number_words(max(length, 0))} {unit}")
    if length <= 0 or period.in_days() > MAX_DURATION_YEARS * 365.25:
        what = f"more than 0 and at most {MAX_DURATION_YEARS} years"
        raise FieldError("INBOX-020", at=f"duration_{row}", field=label, what=what)
    return {"medicine": said, "duration": f"{_number_words(length)} {unit}"}


# --- structured value -> fields -----------------------------------------------------------


def from_raw(fact: FactDef, value: object, lexicon: Lexicon) -> dict[str, str]:
    """The settle fields filled from a stored answer (empty for "not sure", no answer, or an unknown shape).

    "Not sure" leaves the fields empty: settling it means choosing what it is.
    """
    if value is None or (isinstance(value, str) and value.strip().casefold() in {UNSURE, "not sure"}):
        return {}
    try:
        return _filled(fact, value, lexicon)
    except (ArithmeticError, LookupError, TypeError, ValueError, CriteriaError):
        return {}


def _filled(fact: FactDef, value: object, lexicon: Lexicon) -> dict[str, str]:
    kind = fact.answer.type
    words = value.strip().casefold() if isinstance(value, str) else None
    if kind == "yes_no":
        if isinstance(value, bool):
            return {"answer": "yes" if value else "no"}
        return {"answer": words} if words in {"yes", "no"} else {}
    if kind == "choice":
        return {"answer": value} if isinstance(value, str) and value in (fact.answer.choices or {}) else {}
    if kind == "age":
        if isinstance(value, Mapping) and set(value) == {"birth_date"}:
            value = value["birth_date"]
        if isinstance(value, str):
            return {"birth_date": date.fromisoformat(value.strip()).isoformat()}
        if isinstance(value, int | float) and not isinstance(value, bool) and value == int(value):
            return {"years": str(int(value))}
        return {}
    if kind == "number":
        return _filled_number(fact, value)
    if kind in {"date", "date_or_never"}:
        if words == "never":
            return {"never": "yes"} if kind == "date_or_never" else {}
        return {"date": date.fromisoformat(str(value).strip()).isoformat()} if isinstance(value, str) else {}
    if kind == "dose":
        return _filled_dose(fact, value, lexicon)
    return _filled_list(value, lexicon)


def _filled_number(fact: FactDef, value: object) -> dict[str, str]:
    if isinstance(value, str):
        quantity = Quantity.parse(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        quantity = Quantity(float(value), fact.answer.unit or "")
    else:
        return {}
    if quantity.unit not in number_units(fact):
        return {}
    return {"number": _number_words(quantity.value), "unit": quantity.unit}


def _filled_dose(fact: FactDef, value: object, lexicon: Lexicon) -> dict[str, str]:
    if value == 0 or (isinstance(value, str) and value.strip().casefold() in {"none", "no", "nothing"}):
        return {"none": "yes"}
    if not isinstance(value, Mapping) or set(value) != {"medicine", "mg_per_day"}:
        return {}
    found = lexicon.find(str(value["medicine"]))
    mg = value["mg_per_day"]
    if isinstance(mg, bool) or not isinstance(mg, int | float):
        return {}
    filled = {"mg_per_day": _number_words(float(mg))}
    if found is not None and found.id in dict(dose_options(fact, lexicon)):
        filled["medicine"] = found.id
    return filled


def _filled_list(value: object, lexicon: Lexicon) -> dict[str, str]:
    if isinstance(value, str) and value.strip().casefold() in {"none", "no", "nothing", "never"}:
        return {"none": "yes"}
    if not isinstance(value, list | tuple):
        return {}
    if not value:
        return {"none": "yes"}
    filled: dict[str, str] = {}
    for row, item in enumerate(value, start=1):
        if isinstance(item, str):
            said, duration = item, None
        elif isinstance(item, Mapping) and "medicine" in item:
            said, duration = str(item["medicine"]), item.get("duration")
        else:
            continue
        found = lexicon.find(said)
        if found is not None:
            filled[f"medicine_{row}"] = found.id
        else:
            filled[f"name_{row}"] = said
        if duration is not None:
            days = Quantity.parse(str(duration)).in_days()
            exact = exact_duration(days)
            length, unit = exact if exact is not None else (days, "day")
            filled[f"duration_{row}"] = _number_words(length)
            filled[f"duration_unit_{row}"] = f"{unit}s"
    return filled


# --- the form as the page shows it ----------------------------------------------------------


@dataclass(frozen=True)
class SettleForm:
    """What the settle form shows for one question: its fields, their options and values."""

    fact_id: str
    question: str
    type: str
    current: str | None  # the answer now, in plain words (None: not answered)
    current_by: str | None
    values: Mapping[str, str]  # the fields' values: the stored answer, or what was entered and refused
    max_date: str  # the screening date: no date after it
    invalid: str | None = None  # the field a refusal is about
    choices: tuple[tuple[str, str], ...] = ()
    medicines: tuple[tuple[str, str], ...] = ()  # a dose's medicines
    groups: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # a list's medicines, by class
    units: tuple[str, ...] = ()
    duration_units: tuple[str, ...] = DURATION_UNITS
    rows: tuple[int, ...] = ()
    min: str = ""
    max: str = ""

    def value(self, name: str) -> str:
        """A field's value ("" when empty)."""
        return self.values.get(name, "")

    def ticked(self, name: str) -> bool:
        """Whether a checkbox is ticked."""
        return bool(self.values.get(name, ""))


def settle_form(
    fact: FactDef,
    lexicon: Lexicon,
    *,
    today: date,
    values: Mapping[str, str],
    current: str | None = None,
    current_by: str | None = None,
    invalid: str | None = None,
) -> SettleForm:
    """The settle form of one question, with ``values`` in its fields."""
    kind = fact.answer.type
    # Every row with something in it, and one more (a unit alone, always posted, is nothing).
    used = [row for row in medicine_rows(values) if any(values.get(f"{part}_{row}") for part in _ROW_PARTS)]
    count = max(ROWS, (used[-1] + 1) if used else 0)
    age_bounds = kind == "age"
    low = f"{fact.answer.min:g}" if age_bounds and fact.answer.min is not None else ""
    high = f"{fact.answer.max:g}" if age_bounds and fact.answer.max is not None else ""
    return SettleForm(
        fact_id=fact.id,
        question=fact.question,
        type=kind,
        current=current,
        current_by=current_by,
        values=dict(values),
        max_date=today.isoformat(),
        invalid=invalid,
        choices=choice_options(fact) if kind == "choice" else (),
        medicines=dose_options(fact, lexicon) if kind == "dose" else (),
        groups=medicine_groups(lexicon) if kind == "medicine_list" else (),
        units=number_units(fact) if kind == "number" else (),
        rows=tuple(range(1, count + 1)) if kind == "medicine_list" else (),
        min=low,
        max=high,
    )
