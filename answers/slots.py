"""What a question's slot holds: the answer contract of the form, the settle, the inbox and the store.

A slot is ``{"value", "said", "confidence", "conflicting", "set_by"}``: the structured value
(``criteria.coerce`` reads it back), the patient's own words, how sure the reading was,
whether the answer said two things, and who set it (``patient`` or ``coordinator:<name>``).
``confirmed`` is set when the patient confirmed a read-back ("I understood 5 mg a day. Is
that right?"): a confirmed reading counts in full.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypedDict

from criteria import Fact, make_fact
from criteria.lexicon import Lexicon
from criteria.schema import FactDef


class _Required(TypedDict):
    value: Any
    said: str | None
    confidence: float
    conflicting: bool
    set_by: str


class AnswerSlot(_Required, total=False):
    """A question's slot value (JSON-ready)."""

    confirmed: bool


def slot_value(
    value: object,
    *,
    said: str | None,
    confidence: float = 1.0,
    conflicting: bool = False,
    set_by: str = "patient",
    confirmed: bool = False,
) -> AnswerSlot:
    """The slot for a structured answer and how it was given."""
    slot: AnswerSlot = {
        "value": value,
        "said": said,
        "confidence": confidence,
        "conflicting": conflicting,
        "set_by": set_by,
    }
    if confirmed:
        slot["confirmed"] = True
    return slot


def fact_from_slot(definition: FactDef, slot: object, *, today: date, lexicon: Lexicon) -> Fact | None:
    """The fact a slot stands for, or None when the slot holds no answer.

    A confirmed read-back counts as a clear answer (confidence 1.0).

    Raises:
        FactError: the stored value no longer fits the question.
    """
    if not isinstance(slot, dict) or "value" not in slot:
        return None
    confirmed = bool(slot.get("confirmed"))
    set_by = str(slot.get("set_by") or "patient")
    return make_fact(
        definition,
        slot["value"],
        today=today,
        lexicon=lexicon,
        said=slot.get("said"),
        confidence=1.0 if confirmed else float(slot.get("confidence", 1.0)),
        conflicting=False if confirmed else bool(slot.get("conflicting", False)),
        set_by="coordinator" if set_by.startswith("coordinator") else "patient",
    )
