"""Reading an answer back to the patient before it counts: "I understood 5 mg of prednisone a day. Is that right?".

Only for a reading in doubt (low confidence, or two readings that disagree): a clear answer
is never read back. The words are the patient's register (grade 6), built from the
structured value the form would store.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from answers.durations import duration_words
from criteria.lexicon import Lexicon
from criteria.messages import plain_date
from criteria.quantities import Quantity
from criteria.schema import FactDef

ASK = "I understood {value}. Is that right?"


def read_back(fact: FactDef, value: Any, lexicon: Lexicon) -> str:
    """The read-back question for a structured answer to ``fact``."""
    return ASK.format(value=said(fact, value, lexicon))


def said(fact: FactDef, value: Any, lexicon: Lexicon) -> str:
    """A structured answer in a patient's words (the read-back's middle)."""
    kind = fact.answer.type
    if value == "unsure":
        return "that you are not sure"
    if kind == "yes_no":
        return f"your answer as {'yes' if value in {True, 'yes'} else 'no'}"
    if kind == "choice":
        return f"your answer as \u201c{(fact.answer.choices or {}).get(str(value), value)}\u201d"
    if kind == "age":
        if isinstance(value, str) and len(value) == 10:
            return f"that you were born on {plain_date(date.fromisoformat(value))}"
        return f"that you are {value} years old"
    if kind == "number":
        return f"{value}"
    if kind in {"date", "date_or_never"}:
        return "never" if value == "never" else f"{plain_date(date.fromisoformat(str(value)))}"
    if kind == "dose":
        if value == "none" or not isinstance(value, dict):
            return "that you take no steroid now"
        amount = f"{value['mg_per_day']:g} mg of {_name(value['medicine'], lexicon)} a day"
        # "(2 × 5 mg)": the patient sees how the total was worked out, so a misread count shows.
        return f"{amount} ({value['how']})" if value.get("how") else amount
    return _medicines(value, lexicon)


def _name(medicine: str, lexicon: Lexicon) -> str:
    found = lexicon.find(medicine)
    return found.generic if found else medicine


def _medicines(value: Any, lexicon: Lexicon) -> str:
    if value == "none" or not value:
        return "that you take none"
    parts = []
    for item in value:
        if isinstance(item, dict):
            days = Quantity.parse(str(item["duration"])).in_days() if item.get("duration") else None
            name = _name(str(item["medicine"]), lexicon)
            parts.append(f"{name} for {duration_words(days)}" if days is not None else name)
        else:
            parts.append(_name(str(item), lexicon))
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
