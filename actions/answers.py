"""Reading a patient's free-text answer into the structured form ``criteria.coerce`` takes.

A deliberately small, rule-based reader: intents for yes/no/unsure, lexicon lookups for
medicines, simple patterns for numbers, dates and durations. When it is not sure it says so
(a lower confidence, or nothing at all), so the form asks again or hands off; it never guesses.
The spaCy answer extractors (``nlu/``) replace the heuristics here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from criteria.lexicon import Lexicon, fold_name
from criteria.schema import FactDef

# Intent confidence needed before an intent alone decides an answer.
INTENT_CONFIDENCE = 0.6

_WORD_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1,
}  # fmt: skip
_UNITS = r"(days?|weeks?|wks?|months?|mos?|years?|yrs?)"
_NUMBER = r"(\d+(?:\.\d+)?)"
_AGO = re.compile(rf"{_NUMBER}\s*{_UNITS}\s+ago")
_FOR = re.compile(rf"(?:for\s+)?(?:about\s+|around\s+)?{_NUMBER}\s*{_UNITS}")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}  # fmt: skip
_MONTH_YEAR = re.compile(r"\b(" + "|".join(_MONTHS) + r"|" + "|".join(m[:3] for m in _MONTHS) + r")\w*\s+(\d{4})\b")
_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")
_WEIGHT = re.compile(rf"{_NUMBER}\s*(kg|kgs|kilos?|kilograms?|lbs?|pounds?)\b")
_MG = re.compile(rf"{_NUMBER}\s*(?:mg|milligrams?)?")
_NEVER = re.compile(r"\b(never|none|nothing|no)\b")
_TIMES_A_DAY = {"twice": 2, "two times": 2, "three times": 3, "3 times": 3, "2 times": 2}
_VAGUE = re.compile(r"\b(about|around|roughly|maybe|i think|probably|approx\w*|or so|ish)\b")


@dataclass(frozen=True)
class Reading:
    """A structured answer and how sure the reader is of it."""

    value: Any
    confidence: float = 1.0


def read(
    fact: FactDef,
    text: str,
    intent: str | None,
    intent_confidence: float,
    *,
    lexicon: Lexicon,
    today: date,
    entities: list[dict[str, Any]] | None = None,
) -> Reading | None:
    """Read ``text`` as an answer to ``fact``; None when it cannot be read.

    ``entities`` are the NLU pipeline's: a yes/no answer is read from the ``polarity``
    entity (``nlu/polarity.py``), a choice from the ``choice`` entity for this question
    (``nlu/choices.py``), when there is one.
    """
    low = " ".join(_words_to_digits(text.casefold()).split())
    polarity = next((e for e in entities or [] if e.get("entity") == "polarity"), None)
    if fact.answer.type == "yes_no" and polarity is not None:
        # The words decide ("no, my doctor said I can't" is a no), before the intent's guess.
        return Reading(str(polarity["value"]), float(polarity.get("confidence_entity", 1.0)))
    if intent == "unsure" and intent_confidence >= INTENT_CONFIDENCE:
        return Reading("unsure")
    vague = 0.7 if _VAGUE.search(low) else 1.0
    kind = fact.answer.type
    if kind == "yes_no":
        return _yes_no(low, intent, intent_confidence)
    if kind == "choice":
        named = next((e for e in entities or [] if e.get("entity") == "choice" and e.get("role") == fact.id), None)
        if named is not None:  # nlu/choices.py read the words for this question
            return Reading(str(named["value"]), float(named.get("confidence_entity", 1.0)))
        return _choice(fact, low, intent, intent_confidence)
    if kind == "age":
        return _age(low, vague)
    if kind == "number":
        return _weight(low, vague)
    if kind in {"date", "date_or_never"}:
        return _date(low, today, never_ok=kind == "date_or_never", intent=intent, vague=vague)
    if kind == "dose":
        return _dose(low, lexicon, intent, vague)
    return _medicines(low, lexicon, intent, vague)


def _words_to_digits(text: str) -> str:
    """Number words to digits ("forty two" → 42, "a year" → 1 year); dates keep their hyphens."""
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)
    text = re.sub(r"\b(?:a|an|one)\s+(day|week|month|year)s?\b", r"1 \1", text)
    out: list[str] = []
    for word in text.split():
        number = _WORD_NUMBERS.get(word.strip(".,!?"))
        if number is None or word in {"a", "an"}:
            out.append(word)
        elif out and out[-1].isdigit() and int(out[-1]) % 10 == 0 and 0 < number < 10:
            out[-1] = str(int(out[-1]) + number)
        else:
            out.append(str(number))
    return " ".join(out)


def _yes_no(low: str, intent: str | None, confidence: float) -> Reading | None:
    if intent in {"affirm", "deny"} and confidence >= INTENT_CONFIDENCE:
        return Reading("yes" if intent == "affirm" else "no", min(1.0, confidence + 0.1))
    first = low.strip(".!? ").split(" ")[0] if low else ""
    if first in {"yes", "yeah", "yep", "y", "sure"}:
        return Reading("yes", 0.9)
    if first in {"no", "nope", "nah", "n", "never"}:
        return Reading("no", 0.9)
    return None


def _choice(fact: FactDef, low: str, intent: str | None, confidence: float) -> Reading | None:
    choices = fact.answer.choices or {}
    if low.strip(".! ").isdigit() and 1 <= int(low.strip(".! ")) <= len(choices):
        return Reading(list(choices)[int(low.strip(".! ")) - 1])
    exact: list[str] = []
    partial: list[str] = []
    for key, label in choices.items():
        words = {key.replace("_", " ")} | {w.strip("()").casefold() for w in label.split() if len(w.strip("()")) > 3}
        if low.strip(".! ") in {key, label.casefold()} or any(re.search(rf"\b{re.escape(w)}\b", low) for w in words):
            exact.append(key)
        elif any(re.search(rf"\w{re.escape(w)}\b", low) for w in words):
            partial.append(key)  # "dermatomyositis" names myositis
    hits = exact or partial
    if len(hits) == 1:
        return Reading(hits[0])
    if not hits and intent in {"affirm", "deny"} and confidence >= INTENT_CONFIDENCE:
        wanted = "yes" if intent == "affirm" else "no"
        if wanted in choices:
            return Reading(wanted)
    return None  # nothing, or more than one choice named: ask again


def _age(low: str, vague: float) -> Reading | None:
    iso = _ISO.search(low)
    if iso:
        return Reading(iso.group(0))
    numbers = re.findall(r"\b\d{1,3}\b", low)
    if len(numbers) == 1:
        return Reading(int(numbers[0]), vague)
    return None


def _weight(low: str, vague: float) -> Reading | None:
    match = _WEIGHT.search(low)
    if match:
        unit = "lb" if match.group(2).startswith(("lb", "pound")) else "kg"
        return Reading(f"{match.group(1)} {unit}", vague)
    numbers = re.findall(_NUMBER, low)
    if len(numbers) == 1:
        return Reading(float(numbers[0]), 0.7 * vague)  # no unit said: kg assumed, not sure enough to rule out
    return None


def _date(low: str, today: date, *, never_ok: bool, intent: str | None, vague: float) -> Reading | None:
    if never_ok and ((_NEVER.search(low) and not re.search(r"\d", low)) or intent == "deny"):
        return Reading("never")
    if match := _ISO.search(low):
        return Reading(match.group(0), vague)
    if match := _AGO.search(low):
        return Reading({"ago": f"{match.group(1)} {match.group(2)}"}, vague)
    if match := _MONTH_YEAR.search(low):
        month = _MONTHS.get(match.group(1)) or next(v for k, v in _MONTHS.items() if k.startswith(match.group(1)))
        day = date(int(match.group(2)), month, 15)
        day = min(day, today)
        return Reading(day.isoformat(), 0.7)  # the month is known, the day is not
    if match := _YEAR.search(low):
        day = min(date(int(match.group(1)), 7, 1), today)
        return Reading(day.isoformat(), 0.5)  # only the year: never enough to rule out alone
    return None


def _find_medicines(low: str, lexicon: Lexicon) -> list[tuple[int, int, str]]:
    """(start, end, name) of every medicine name in the text, longest match first."""
    names = lexicon.all_names()
    tokens = list(re.finditer(r"[\w'®™]+", low))
    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(tokens):
        for size in (3, 2, 1):
            if i + size > len(tokens):
                continue
            phrase = fold_name(" ".join(t.group(0) for t in tokens[i : i + size]))
            if phrase in names:
                found.append((tokens[i].start(), tokens[i + size - 1].end(), phrase))
                i += size
                break
        else:
            i += 1
    return found


def _dose(low: str, lexicon: Lexicon, intent: str | None, vague: float) -> Reading | None:
    if intent == "deny" or re.fullmatch(r"(none|no|nothing|0|zero)[.!]?", low.strip()):
        return Reading("none")
    medicines = [m for m in _find_medicines(low, lexicon) if lexicon.find(m[2]) is not None]
    numbers = re.findall(rf"{_NUMBER}\s*mg", low) or re.findall(_NUMBER, low)
    if len(numbers) != 1 or len(medicines) > 1:
        return None
    mg = float(numbers[0])
    times = next((n for phrase, n in _TIMES_A_DAY.items() if phrase in low), 1)
    if "every other day" in low or "alternate days" in low:
        mg, times = mg / 2, 1
    name = medicines[0][2] if medicines else "prednisone"
    confidence = vague if medicines else 0.7 * vague  # "20 mg" alone: prednisone assumed
    return Reading({"medicine": name, "mg_per_day": mg * times}, confidence)


def _medicines(low: str, lexicon: Lexicon, intent: str | None, vague: float) -> Reading | None:
    found = _find_medicines(low, lexicon)
    if not found:
        if intent == "deny" or re.fullmatch(r"(none|no|nothing|nope|none of them)[.!]?", low.strip()):
            return Reading("none")
        return None
    items: list[Any] = []
    for index, (_, end, name) in enumerate(found):
        stop = found[index + 1][0] if index + 1 < len(found) else len(low)
        after = low[end:stop]
        duration = _FOR.search(after)
        if duration and not _AGO.search(after):
            items.append({"medicine": name, "duration": f"{duration.group(1)} {duration.group(2)}"})
        else:
            items.append(name)
    return Reading(items, vague)
