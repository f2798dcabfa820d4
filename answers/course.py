"""A steroid course described instead of a yes or no: "60 mg of prednisone for a month in September".

A yes/no question with ``answer.course`` (criteria/schema.py) asks whether the patient took a
dose this high, for this long, this recently. Patients often answer with the course itself.
The NLU readers have already read its parts: the dose (``dose``, mg a day of a named steroid),
how long (the ``medicines`` list's length for that steroid, or ``duration``) and when
(``date``). Here they are weighed against the question:

- below the dose: no, whatever the length or the time;
- at or above the dose for a shorter time than asked: no;
- at or above it for long enough: yes when no time is said or a clear date puts it inside the
  time asked about, no when the whole course ended before it;
- a length not said, or a dose, a length or a time the readers were not sure of: no reading
  (the patient's own words, or a person, decide);
- a course given into a vein (a pulse): "unsure", for a person to weigh.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cache
from typing import Any

from criteria.errors import QuantityError
from criteria.lexicon import load_lexicon
from criteria.quantities import Quantity
from criteria.schema import Course
from nlu import calendar

# Words that place a time besides a length ("started 10 weeks ago", "in 2024"); month and season
# names ("in August", "in the spring") are the calendar's (nlu/data/calendar.yaml).
_TIME_WORDS = ("ago", "since", "start", "started", "last", "finish", "finished", "end", "ended", "stop", "stopped",
               "until", "till", "before", "after", "back", "yesterday", "christmas", "easter")  # fmt: skip
_YEAR = re.compile(r"\b(?:19|20)[0-9]{2}\b")
# Given into a vein ("1000mg drips for 3 days", "IV pulses"): a pulse and what followed it, a
# clinician weighs against the question.
_DENIED = re.compile(r"\b(?:no|not|never|without)\b[^,.;]*$", re.IGNORECASE)
_PULSE = re.compile(r"\b(?:iv|i\.v\.|drips?|pulses?|pulsed|infusions?|intravenous|solu-?medrol)\b", re.IGNORECASE)


@cache
def _when_words() -> frozenset[str]:
    days = calendar.default()
    return frozenset(_TIME_WORDS) | frozenset(days.month_of) | days.season_words


def _says_when(text: str) -> bool:
    """The words place a time (a month, a season, a year, "ago", "since" ...)."""
    return bool(_YEAR.search(text)) or any(w in _when_words() for w in re.findall(r"[^\W\d_]+", text.casefold()))


# A dose whose reader was unsure only of what else the words say ("for a month in September",
# two times named) still gives its amount; a hedged, ranged or doubled one does not.
_USABLE_DOSE = {None, "unclear"}


def read_course(course: Course, text: str, entities: list[dict[str, Any]], today: date) -> str | None:
    """Yes or no (``"yes"``, ``"no"``) when the words describe a course that answers the question; else None.

    ``"unsure"``: a course given into a vein (a pulse), which a person weighs.
    """
    if _pulse(text) and any(e.get("entity") == "dose" for e in entities):
        return "unsure"
    dose = _dose(entities)
    if dose is None:
        return None
    medicine, mg_per_day = dose
    found = load_lexicon().find(medicine)
    factor = found.prednisone_factor() if found is not None else None
    if factor is None:
        return None  # not a steroid the lexicon knows: no amount to weigh
    if mg_per_day * factor < course.prednisone_mg_per_day:
        return "no"
    days = _days(entities, medicine)
    if days is None:
        return None
    if days < course.days:
        return "no"
    span = _span(entities)
    doubted = any(e.get("entity") == "date" and float(e.get("confidence_entity", 1.0)) < 1.0 for e in entities)
    if doubted and _says_when(text):
        return None  # a time its reader doubts ("for 3 weeks, finished in July"): a person places it
    if doubted:
        span = None  # only "for 2 weeks", also read as "2 weeks ago": no time said
    if span is None:
        return "yes"  # no time said: the question asked about the last weeks
    earliest, latest = span
    start = today - timedelta(days=course.within_days)
    if latest + timedelta(days=days) < start:
        return "no"  # the whole course ended before the weeks asked about
    if earliest >= start:
        return "yes"
    return None  # "in September": maybe inside the weeks asked about, maybe not


def _pulse(text: str) -> bool:
    """A course said to be given into a vein, not denied ("no IV steroids, just 10mg pred" is none)."""
    return any(not _DENIED.search(text[max(0, match.start() - 12) : match.start()]) for match in _PULSE.finditer(text))


def _dose(entities: list[dict[str, Any]]) -> tuple[str, float] | None:
    found = next((e for e in entities if e.get("entity") == "dose"), None)
    if found is None or not isinstance(found.get("value"), dict) or found.get("role") not in _USABLE_DOSE:
        return None
    value = found["value"]
    if not isinstance(value.get("mg_per_day"), (int, float)):
        return None
    return str(value.get("medicine") or "prednisone"), float(value["mg_per_day"])  # the question names prednisone


def _days(entities: list[dict[str, Any]], medicine: str) -> float | None:
    """How long the course lasted: the medicine list's length for this steroid, else a sure ``duration``."""
    lexicon = load_lexicon()
    for entity in entities:
        if entity.get("entity") == "medicines" and isinstance(entity.get("value"), list):
            for item in entity["value"]:
                if isinstance(item, dict) and item.get("duration") and lexicon.find(str(item.get("medicine"))) \
                        is lexicon.find(medicine):  # fmt: skip
                    return _in_days(str(item["duration"]))
    found = next((e for e in entities if e.get("entity") == "duration"), None)
    if found is None or float(found.get("confidence_entity", 1.0)) < 1.0:
        return None
    return _in_days(str(found.get("value")))


def _in_days(said: str) -> float | None:
    try:
        return Quantity.parse(said).in_days()
    except QuantityError:
        return None  # "unsure", or a length the engine cannot read


def _span(entities: list[dict[str, Any]]) -> tuple[date, date] | None:
    """The first and last day of a clear date the words give (a day, a month or a year)."""
    found = next((e for e in entities if e.get("entity") == "date"), None)
    return None if found is None else calendar.span(found.get("value"))
