"""A patient's free-text answer as the structured form ``criteria.coerce`` takes.

The reading itself is done by the NLU pipeline's answer readers (``nlu/``): each adds an
entity with its value, a confidence and, when it must not be taken at face value, the
reason as the entity's role. Here the form picks the entity for the question it asked, and
falls back on the patient's "not sure" / "no" and on the buttons' words. Nothing is guessed:
no entity and no clear "not sure" means no reading, and the form asks again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from answers.course import read_course
from criteria.schema import FactDef
from nlu import calendar

# Intent confidence needed before an intent alone decides an answer.
INTENT_CONFIDENCE = 0.6
# The confidence of a reading the form must not take at face value (below the engine's bar).
FLAGGED = 0.5
# The entity each answer type is read from (the readers in nlu/ add them).
ENTITY_OF = {
    "age": "age",  # nlu/measures.py
    "number": "weight",  # nlu/measures.py
    "date": "date",  # nlu/dates.py
    "date_or_never": "date",
    "dose": "dose",  # nlu/doses.py
    "medicine_list": "medicines",  # nlu/medicines.py
}
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
# What a clear "no" means where "no" is not itself an answer value.
NO_MEANS = {"date_or_never": "never", "dose": "none", "medicine_list": "none"}


@dataclass(frozen=True)
class Reading:
    """A structured answer and how sure the reader is of it.

    ``bounds``: the earliest and latest values the words allow, when the reading is one point
    of a span ("in March 2021"): the form checks the span does not straddle a criterion.
    """

    value: Any
    confidence: float = 1.0
    bounds: tuple[Any, Any] | None = None
    reason: str | None = None  # why the reader flagged it (its entity's role): hedge, both, range, vague, unclear


def read(
    fact: FactDef,
    text: str,
    intent: str | None,
    intent_confidence: float,
    *,
    today: date,
    entities: list[dict[str, Any]] | None = None,
) -> Reading | None:
    """Read ``text`` as an answer to ``fact``; None when it cannot be read.

    ``entities`` are the NLU pipeline's (``nlu.pipeline.EXTRACTORS``): a yes/no answer is read
    from the ``polarity`` entity and the ``topic`` entity for this question, a choice from
    the ``choice`` entity for this question, the other types from the entity in ``ENTITY_OF``;
    a flagged ``topic`` for a date question flags its date.
    """
    kind = fact.answer.type
    entities = entities or []
    polarity = _entity(entities, "polarity")
    if kind == "yes_no":
        said = _yes_no(polarity, _entity(entities, "topic", role=fact.id))
        if fact.answer.course is not None and (course := read_course(fact.answer.course, text, entities, today)):
            # "60 mg for a month in September": the course said decides, unless the words say otherwise.
            if course == "unsure":
                return Reading("unsure", FLAGGED)  # "1000mg drips for 3 days": a pulse, a person weighs it
            if polarity is None or (_sure(polarity) and polarity["value"] == course):
                return Reading(course)
            return Reading("unsure", FLAGGED)
        if said is not None:
            return said
    if kind == "choice":
        named = _entity(entities, "choice", role=fact.id)
        if named is not None:
            return _reading(named)
    weigh = _entity(entities, "topic", role=fact.id) if kind == "date_or_never" else None
    if weigh is not None and polarity is not None and _sure(polarity) and polarity["value"] == "unsure":
        return Reading("unsure")  # "don't know, had a flu shot in October if that counts": not sure, as said
    if weigh is not None and _sure(weigh) and weigh["value"] == "no":
        return Reading("never")  # "no live ones, just covid boosters": the things dated do not count
    dated = _entity(entities, "date")
    if (
        weigh is not None
        and _sure(weigh)
        and weigh["value"] == "yes"
        and dated is not None
        and dated["value"] == "never"
    ):
        return Reading("unsure", FLAGGED)  # "never had rituximab but I do Benlysta every week": both said
    if weigh is not None and not _sure(weigh):
        # "The flu jab in October": dated, but whether it counts is the site's call.
        dated = _entity(entities, "date")
        said = _valued(kind, dated, today) if dated is not None else Reading("unsure")
        return Reading(said.value, min(said.confidence, FLAGGED), said.bounds)
    if kind == "medicine_list":
        # Medicines the words place now and before: the list for the question asked, when the reader made one.
        placed = _entity(entities, f"{ENTITY_OF[kind]}_{'now' if fact.answer.ongoing else 'before'}")
        if placed is not None:
            return _valued(kind, placed, today)
    if kind in ENTITY_OF and (found := _entity(entities, ENTITY_OF[kind])) is not None:
        reading = _valued(kind, found, today)
        if kind == "age" and reading.reason == "vague" and isinstance(reading.value, int) and _YEAR.search(text):
            # "born in 1972": one of two ages; the form takes it when both decide alike.
            return replace(reading, bounds=(reading.value - 1, reading.value))
        if kind == "age" and isinstance(reading.value, int) and _other_year(text, reading.value, today):
            # "08 Sepetmber 1965" read as 8: a year in the words that does not fit the age read.
            return replace(reading, confidence=min(reading.confidence, FLAGGED), reason="both")
        return reading
    clear = polarity is not None and _sure(polarity)
    if (clear and polarity and polarity["value"] == "unsure") or (
        intent == "unsure" and intent_confidence >= INTENT_CONFIDENCE
    ):
        return Reading("unsure")
    if kind in NO_MEANS and clear and polarity and polarity["value"] == "no":
        return Reading(NO_MEANS[kind])
    if kind == "yes_no":
        return _intent_yes_no(intent, intent_confidence)
    if kind == "choice":
        return _choice_button(fact, text, intent, intent_confidence)
    return None


def _other_year(text: str, age: int, today: date) -> bool:
    """A birth year in ``text`` that gives another age than ``age`` (by more than a birthday)."""
    years = [int(y) for y in _YEAR.findall(text)]
    return any(1900 < year <= today.year and abs(today.year - year - age) > 1 for year in years)


def _entity(entities: list[dict[str, Any]], name: str, role: str | None = None) -> dict[str, Any] | None:
    return next((e for e in entities if e.get("entity") == name and (role is None or e.get("role") == role)), None)


def _sure(entity: dict[str, Any]) -> bool:
    """Not flagged by its reader."""
    return float(entity.get("confidence_entity", 1.0)) >= 1.0


def _reading(entity: dict[str, Any]) -> Reading:
    return Reading(entity["value"], float(entity.get("confidence_entity", 1.0)))


def _valued(kind: str, entity: dict[str, Any], today: date) -> Reading:
    """The entity's value in the engine's form; a month or a year becomes a day inside it."""
    value = entity["value"]
    confidence = float(entity.get("confidence_entity", 1.0))
    if confidence < 1.0:
        return replace(_valued(kind, {**entity, "confidence_entity": 1.0}, today), confidence=confidence,
                       reason=entity.get("role"))  # fmt: skip
    if kind in {"date", "date_or_never"} and isinstance(value, dict) and len(value) == 1:
        ((precision, said),) = value.items()
        if precision == "date":
            return Reading(str(said), confidence)
        spanned = calendar.span(value, today)
        if spanned is None:
            raise ValueError(f"a date entity is {{date|month|year: value}}, got {value!r}")
        first, last = spanned
        middle = date.fromordinal((first.toordinal() + last.toordinal()) // 2)
        return Reading(middle.isoformat(), confidence, (first.isoformat(), last.isoformat()))
    if kind == "dose" and isinstance(value, dict) and value.get("medicine") is None:
        # An amount alone: the question asks for the steroid dose, with prednisone as its example.
        return Reading({**value, "medicine": "prednisone"}, confidence)
    return Reading(value, confidence)


def _yes_no(polarity: dict[str, Any] | None, topic: dict[str, Any] | None) -> Reading | None:
    """A yes/no answer from its words (polarity) and from the fact it states (topic), before any intent.

    "No, my doctor said I can't" is a no by its words; "I'm on dialysis 3x a week" is a yes by
    what it states. When both speak and disagree, or the stated fact is a clinician's call,
    a person settles it.
    """
    if polarity is not None and _sure(polarity):
        if topic is not None and polarity["value"] == topic["value"] == "yes":
            return _reading(polarity)  # "yes, afib": the patient's own yes, and what they name may be it
        if topic is not None and (not _sure(topic) or polarity["value"] not in {"unsure", topic["value"]}):
            return Reading("unsure", FLAGGED)
        return _reading(polarity)
    if polarity is not None:
        if polarity.get("role") in {"both", "timing"} and topic is not None and _sure(topic):
            # "pregnant no, breastfeeding yes", "used to, sober 6 years now": settled by the subject asked about
            return _reading(topic)
        leans_nowhere = polarity["value"] == "unsure" and polarity.get("role") == "hedge"
        if leans_nowhere and (topic is None or topic["value"] == "unsure"):
            return Reading("unsure")  # "maybe", "might be, my period is late": not sure, as said
        return _reading(polarity)  # a hedge that leans stays flagged
    if topic is not None and not _sure(topic):
        return Reading("unsure", FLAGGED)  # "afib" alone: whether it is what the question asks, a person says
    return _reading(topic) if topic is not None else None


def _intent_yes_no(intent: str | None, confidence: float) -> Reading | None:
    if intent in {"affirm", "deny"} and confidence >= INTENT_CONFIDENCE:
        return Reading("yes" if intent == "affirm" else "no", min(1.0, confidence + 0.1))
    return None


def _choice_button(fact: FactDef, text: str, intent: str | None, confidence: float) -> Reading | None:
    """A choice by its button's number or label, or yes/no for a choice question with those answers."""
    choices = fact.answer.choices or {}
    said = " ".join(text.casefold().split()).strip(".! ")
    if said.isdigit() and 1 <= int(said) <= len(choices):
        return Reading(list(choices)[int(said) - 1])
    for key, label in choices.items():
        if said in {key, key.replace("_", " "), label.casefold()}:
            return Reading(key)
    if intent in {"affirm", "deny"} and confidence >= INTENT_CONFIDENCE:
        wanted = "yes" if intent == "affirm" else "no"
        if wanted in choices:
            return Reading(wanted)
    return None


def read_duration(
    entities: list[dict[str, Any]] | None, intent: str | None = None, intent_confidence: float = 0.0
) -> Reading | None:
    """How long one medicine was taken (a follow-up's answer): "2 years", "unsure", or None.

    The ``duration`` entity (``nlu/durations.py``) gives the length; a clear "not sure" is
    "unsure". A flagged length keeps its low confidence: the form reads it back.
    """
    entities = entities or []
    polarity = _entity(entities, "polarity")
    found = _entity(entities, "duration")
    if found is not None and found["value"] != "unsure":
        return _reading(found)
    if (polarity is not None and _sure(polarity) and polarity["value"] == "unsure") or (
        intent == "unsure" and intent_confidence >= INTENT_CONFIDENCE
    ):
        return Reading("unsure")
    return Reading("unsure", FLAGGED) if found is not None else None
