"""Ages and body weights in free text: "I'm 34", "born 3/2/1984", "I turn 66 in March", "11 stone 6", "160".

``MeasureReader`` is plain spaCy on the shared number layer (``nlu/numbers.py``): the numbers
and amounts of a message, birth dates, decades ("late 30s"), and the words around them (cue
words in ``nlu/data/measures.yaml``). ``MeasureExtractor`` is the Rasa component. NLU does
not know which question was asked, so a message gets an ``age`` entity (whole years, or
``{"birth_date": "YYYY-MM-DD"}``) and a ``weight`` entity (kg, or ``"<n> lb"``; stone is
given in lb) whenever it can be read as one; the form reads the one for its question.

A reading is flagged (confidence ``FLAGGED``, the reason as the entity's role) when it must
not be taken at face value: a hedge ("I think 44?"), a range ("40-45"), something vague
("late 30s", "over 18", "born 1960"), two numbers that disagree ("both"), or an unclear
reading (a birth date whose day and month could be swapped, a weight without a unit that
could be kg or lb, "I was 45 in January"). No number, no reading.
"""

from __future__ import annotations

import bisect
import calendar
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import spacy
import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from criteria.quantities import WEIGHT_KG, age_on
from nlu import clock
from nlu.base import Found, RuleComponent
from nlu.dates import slips
from nlu.numbers import UNITS, Number, NumberReader, prepare

CUES = Path(__file__).parent / "data" / "measures.yaml"
FLAGGED = 0.5  # below the bar at which the form commits to an answer
REASONS = ("both", "range", "vague", "unclear", "hedge")  # the most telling first, when several apply
PHRASES = (
    "born", "age_words", "weight_words", "turned", "future_before", "nearly", "future_after", "past_after",
    "now_after", "this_after", "was", "hedges", "corrections", "others", "weight_then", "weight_peak",
    "weight_peak_after",
)  # fmt: skip
_KNOWN = {
    *PHRASES, "units", "months", "weekdays", "ordinals", "decades", "decade_suffixes", "decade_parts", "durations",
    "lengths", "not_a_measure", "tens", "ones", "teens", "age_years", "weight_kg",
}  # fmt: skip
_LB_KG = WEIGHT_KG["lb"]
_STONE_LB = 14
_STOPS = frozenset({",", ";", ".", "!", "?", "(", ")", "[", "]", ":", "and", "but", "&", "|"})
_DIGITS = frozenset("0123456789")
_SHORT_DIGITS = re.compile(r"^[0-9]{1,2}$")
_YEAR = re.compile(r"^[0-9]{4}$")
_PART_HYPHEN = re.compile(r"^([^\W\d_]+)-([0-9]+)$")  # "mid-50"


@dataclass(frozen=True)
class Measure:
    """An age or a body weight as read: the entity's value, how sure, why flagged, and where (characters)."""

    entity: str  # "age" or "weight"
    value: Any  # age: int years or {"birth_date": ISO}; weight: float kg or "<n> lb"
    confidence: float
    reason: str | None  # one of REASONS when flagged
    start: int  # character offsets into prepare(text)
    end: int


@dataclass(frozen=True)
class _Reading:
    """One thing said as an age (years) or a weight (kg), before the message's readings are settled."""

    low: float
    high: float
    value: Any  # age: years or a birth date; weight: kg
    start: int  # word indexes
    end: int
    wide: str = "range"  # the reason when low < high
    reason: str | None = None  # flagged whatever else is said
    birth: bool = False  # a birth date, month, year or decade
    said_born: bool = False  # after "born", "DOB"
    other: bool = False  # someone else's ("my husband is 42")
    marked: bool = False  # weight: with its unit, or after "weigh"
    then: bool = False  # weight: not today's ("was 80", "went up to 90")
    lb: float | None = None  # weight: said in lb or stone (reported in lb)


@dataclass
class _Said:
    """A message as read: its words, their character spans, where each kind of cue is, and the day."""

    words: list[str]
    spans: list[tuple[int, int]]
    today: date
    starts: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    ends: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def word(self, at: int) -> str:
        return self.words[at] if 0 <= at < len(self.words) else ""

    def before(self, kinds: tuple[str, ...], start: int, reach: int = 1) -> bool:
        """A cue of these kinds ends just before ``start``, or up to ``reach`` words before (no punctuation between)."""
        at = start
        while at > 0 and start - at <= reach:
            if any(at in self.ends[kind] for kind in kinds):
                return True
            at -= 1
            if self.words[at] in _STOPS:
                return False
        return False

    def born(self, start: int) -> bool:
        """A "born" or "DOB" up to three words before (the date of "born on the 21st June 1969")."""
        return any(end in self.ends["born"] for end in range(max(0, start - 3), start + 1))


class MeasureReader:
    """Reads the age and the body weight a message gives, if any."""

    def __init__(self, nlp: Language, units: dict[str, list[str]], cues: dict[str, Any]) -> None:
        """Units per canonical unit (``nlu/data/units.yaml``) and the cue words (``nlu/data/measures.yaml``)."""
        unknown = set(cues) - _KNOWN
        if unknown:
            raise ValueError(f"unknown keys {sorted(unknown)} in the measure cues")
        self.nlp = nlp
        extra = cues.get("units") or {}
        self.numbers = NumberReader(nlp, {unit: [*said, *extra.get(unit, [])] for unit, said in units.items()})
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for kind in PHRASES:
            self.matcher.add(kind, [nlp.make_doc(prepare(str(phrase)).casefold()) for phrase in cues.get(kind, [])])
        # Month names with their typing slips ("Sepetmber"), as the dates reader reads them.
        months = {m: [*words, *slips(words)] for m, words in cues["months"].items()}
        self.month_of = {str(w).casefold().rstrip("."): int(m) for m, words in months.items() for w in words}
        self.weekdays = _words_of(cues["weekdays"])
        self.decades = {str(w).casefold(): int(v) for w, v in cues["decades"].items()}
        self.decade_suffixes = _words_of(cues["decade_suffixes"])
        self.decade_parts = {str(w).casefold(): (int(lo), int(hi)) for w, (lo, hi) in cues["decade_parts"].items()}
        self.lengths = _words_of(cues["lengths"])
        self.not_before = _words_of(cues["not_a_measure"]["before"])
        self.not_after = _words_of(cues["not_a_measure"]["after"])
        self.duration_before = _words_of(cues["durations"]["before"])
        self.duration_after = _words_of(cues["durations"]["after"])
        self.ages = (int(cues["age_years"][0]), int(cues["age_years"][1]))
        self.plausible_kg = (float(cues["weight_kg"]["plausible"][0]), float(cues["weight_kg"]["plausible"][1]))
        self.possible_kg = (float(cues["weight_kg"]["possible"][0]), float(cues["weight_kg"]["possible"][1]))
        self.mended = _mendings(cues["tens"], cues["ones"], cues["teens"])
        self.dates = _date_patterns(list(self.month_of), [str(w) for w in cues["ordinals"]])

    def read(self, text: str, today: date) -> list[Measure]:
        """The age and the weight the text gives (at most one of each), ages counted on ``today``."""
        # A lone surrogate (JSON "\ud800" decodes to one) would make spaCy raise; "?" keeps every offset.
        prepared = prepare(text).encode("utf-8", "replace").decode("utf-8")
        said = self._words(self.nlp.make_doc(prepared), today)
        if not said.words:
            return []
        doc = Doc(self.nlp.vocab, words=said.words)
        for match_id, start, end in self.matcher(doc):
            kind = self.nlp.vocab.strings[match_id]
            said.starts[kind].add(start)
            said.ends[kind].add(end)
        ages, taken = self._birth_dates(said, prepared)
        numbers = [n for n in self.numbers.numbers(doc) if not n.vague and taken.isdisjoint(range(n.start, n.end))]
        units = {amount.start: (amount.unit, amount.end) for amount in self.numbers.amounts(doc, numbers)}
        weights: list[_Reading] = []
        pounds: set[int] = set()  # numbers read with the stone before them ("10 st 4")
        for index, number in enumerate(numbers):
            unit, end = units.get(number.start, (None, number.end))
            if number.start in pounds:
                continue
            if unit in {"kg", "lb", "stone"}:
                following = numbers[index + 1] if index + 1 < len(numbers) else None
                weights.append(self._weight(said, number, unit, end, following=following, pounds=pounds))
            elif self._neither(said, number, unit, end):
                continue
            elif (decade := self._decade(said, number)) is not None:
                ages.append(decade)
            elif (year := self._birth_year(said, number)) is not None:
                ages.append(year)
            else:
                ages.extend(self._age(said, number, unit, end))
                if unit is None:
                    weights.extend(self._bare_weight(said, number))
        ages.extend(self._decade_words(said, taken))
        found = [self._settle_age(said, ages), self._settle_weight(said, weights)]
        return [measure for measure in found if measure is not None]

    def _words(self, doc: Doc, today: date) -> _Said:
        """Lower-cased words and their character spans, with typing slips mended.

        "3 4" is 34 and "5o" is 50 (phone keyboards), "twnety" is twenty, "sixtyone" is
        sixty one (both words keep the token's span, so offsets stay in the prepared text).
        """
        lows = [token.lower_ for token in doc]
        starts = [token.idx for token in doc]
        ends = [token.idx + len(token) for token in doc]
        words: list[str] = []
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(lows):
            low, nxt = lows[i], lows[i + 1] if i + 1 < len(lows) else ""
            if low in _DIGITS and (
                (nxt in _DIGITS and not (words and words[-1].isdigit()))  # "3 4"
                or (nxt and not nxt.strip("o"))  # "5o"
            ):
                words.append(low + nxt if nxt in _DIGITS else low + "0" * len(nxt))
                spans.append((starts[i], ends[i + 1]))
                i += 2
                continue
            part = _PART_HYPHEN.match(low) if "-" in low else None
            if part and part.group(1) in self.decade_parts:  # "mid-50s": spaCy keeps "mid-50" whole
                cut = starts[i] + len(part.group(1))
                words.extend([part.group(1), "-", part.group(2)])
                spans.extend([(starts[i], cut), (cut, cut + 1), (cut + 1, ends[i])])
            else:
                for word in self.mended.get(low, [low]):
                    words.append(word)
                    spans.append((starts[i], ends[i]))
            i += 1
        return _Said(words, spans, today)

    # --- ages ----------------------------------------------------------------------

    def _birth_dates(self, said: _Said, text: str) -> tuple[list[_Reading], set[int]]:
        """Birth dates ("3/2/1984", "21st June 1969") and months ("born may 1990"), and the words they take."""
        found = [(m.start(), m.end(), kind, m) for kind, pattern in self.dates for m in pattern.finditer(text)]
        found.sort(key=lambda f: (f[0], f[0] - f[1]))  # the longest first where two start together
        starts = [span[0] for span in said.spans]
        readings: list[_Reading] = []
        taken: set[int] = set()
        reach = -1
        for start, end, kind, match in found:
            if start < reach:
                continue  # inside a date already read
            reach = end
            first, last = max(0, bisect.bisect_right(starts, start) - 1), bisect.bisect_left(starts, end)
            taken.update(range(first, last))
            reading = self._birth(kind, match, said.today)
            if reading is not None:
                readings.append(replace(reading, start=first, end=last, said_born=said.born(first)))
        return readings, taken

    def _birth(self, kind: str, match: re.Match[str], today: date) -> _Reading | None:
        """The ages a date of birth allows; None when it cannot be one (after today)."""
        year = _full_year(match.group("year"), today)
        if year is None:
            return None
        month = self.month_of[match.group("month").casefold().rstrip(".")] if "month" in match.groupdict() else 0
        if kind == "month":
            first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
            return None if first > today else _birth_span(age_on(last, today), age_on(first, today), "vague")
        if kind == "numeric":
            a, b = int(match.group("a")), int(match.group("b"))
            orders = [(a, b), (b, a)] if match.group("sep") == "." else [(b, a), (a, b)]  # (day, month): US m/d/y
            said = list(dict.fromkeys(_date(year, m, d) for d, m in orders))
        else:  # iso, compact, day_month, month_day
            said = [_date(year, month or int(match.group("m")), int(match.group("day")))]
        days = [d for d in said if d is not None and d <= today]
        if not days:  # "31/02/1980": no such day; the year alone
            return _birth_span(today.year - year - 1, today.year - year, "unclear", reason="unclear")
        ages = [age_on(d, today) for d in days]
        unclear = "unclear" if len(days) > 1 else None  # "3/2/1984": day and month could be swapped
        return _Reading(min(ages), max(ages), days[0], 0, 0, wide="unclear", reason=unclear, birth=True)

    def _birth_year(self, said: _Said, number: Number) -> _Reading | None:
        """A year of birth: "born 1960", "born in '84", or a bare "1962"."""
        word = said.words[number.start]
        quoted = said.word(number.start - 1) == "'" and _SHORT_DIGITS.match(word)
        if number.end - number.start != 1 or not (_YEAR.match(word) or quoted):
            return None
        year = _full_year(word, said.today)
        if year is None:
            return None
        reading = _birth_span(said.today.year - year - 1, said.today.year - year, "vague")
        return replace(reading, start=number.start, end=number.end, said_born=said.born(number.start))

    def _decade(self, said: _Said, number: Number) -> _Reading | None:
        """A decade: "late 30s", "60 something", "born in the 70s", "1970s"."""
        at = number.end + (said.word(number.end) == "-")
        if said.word(at) not in self.decade_suffixes or number.low != number.high or number.bound:
            return None
        decade = int(number.value)
        if decade != number.value or decade % 10 or not (10 <= decade <= 90 or 1900 <= decade <= said.today.year):
            return None
        start, part = self._decade_part(said, number.start)
        return self._decade_reading(said, decade, part, (start, at + 1), born=said.born(start) or decade >= 1900)

    def _decade_words(self, said: _Said, taken: set[int]) -> list[_Reading]:
        """Decades in words: "in my forties", "mid-fifties"."""
        readings = []
        for at, word in enumerate(said.words):
            if word in self.decades and at not in taken:
                start, part = self._decade_part(said, at)
                readings.append(
                    self._decade_reading(said, self.decades[word], part, (start, at + 1), born=said.born(start))
                )
        return readings

    def _decade_part(self, said: _Said, at: int) -> tuple[int, tuple[int, int]]:
        """Where the decade starts, and the years into it ("early", "mid", "late"; the whole decade if none)."""
        before = at - 1 - (said.word(at - 1) == "-")
        if said.word(before) in self.decade_parts:
            return before, self.decade_parts[said.words[before]]
        return at, (0, 9)

    def _decade_reading(
        self, said: _Said, decade: int, part: tuple[int, int], where: tuple[int, int], *, born: bool
    ) -> _Reading:
        (low, high), middle = part, (part[0] + part[1]) // 2
        if not born:
            return _Reading(decade + low, decade + high, decade + middle, *where, wide="vague")
        year = _full_year(str(decade), said.today) or decade  # "the 70s": the 1970s
        this = said.today.year
        return _Reading(this - (year + high) - 1, this - (year + low), this - (year + middle), *where,
                        wide="vague", birth=True, said_born=True)  # fmt: skip

    def _age(self, said: _Said, number: Number, unit: str | None, end: int) -> list[_Reading]:
        """A number said as an age ("I'm 34", "34 years old", "I turn 66 in March", "40-45", "over 60")."""
        if unit == "year" and (
            said.word(number.start - 1) in self.duration_before or said.word(end) in self.duration_after
        ):
            return []  # "for 5 years", "5 years ago": how long, not how old
        if said.before(("weight_words",), number.start, reach=2):
            return []
        low, high, value = math.floor(number.low), math.floor(number.high), math.floor(number.value)
        if not (self.ages[0] <= low and high <= self.ages[1]) or number.value * 2 != int(number.value * 2):
            return []  # not an age in whole (or half) years
        reading = _Reading(low, high, value, number.start, end, other=said.before(("others",), number.start, reach=2))
        if low != high:
            return [reading]  # a range: "40-45", "50 or 51"
        if number.bound == "over":
            return [replace(reading, low=value + 1, high=self.ages[1], wide="vague")]
        if number.bound == "under":
            return [replace(reading, low=self.ages[0], high=value - 1, wide="vague")]
        when = self._when(said, number.start, end)
        if when in {"future", "nearly"}:  # "I turn 66 in March", "nearly 66": 65 now
            return [replace(reading, low=value - 1, high=value - 1, value=value - 1)]
        if when == "this month":  # "66 in November", said in November: the birthday may have passed
            return [replace(reading, low=value - 1, value=value - 1, wide="unclear")]
        if when == "then":  # "I was 45 in January": 46 now if the birthday has come since
            return [replace(reading, high=value + 1, wide="unclear")]
        return [replace(reading, reason="hedge")] if number.approximate else [reading]

    def _when(self, said: _Said, start: int, end: int) -> str | None:
        """How an age said relates to today: past, now, future, nearly, then ("was"), "this month", or None."""
        if said.before(("was",), start):
            return "then"
        if said.before(("turned",), start):
            return "past"
        if said.before(("nearly",), start, reach=0):
            return "nearly"
        future = said.before(("future_before",), start)
        for at in range(end, min(len(said.words), end + 5)):
            word, nxt = said.words[at], said.word(at + 1)
            if word in _STOPS:
                break
            if at in said.starts["now_after"]:
                return "now"
            if at in said.starts["past_after"]:
                return "past"
            if at in said.starts["future_after"]:
                return "future"
            if at in said.starts["this_after"]:
                return "future" if future else "this month"  # "turning 66 this year": not yet
            if word in {"in", "next", "this", "by", "on", "come"} and nxt in self.month_of:
                same = self.month_of[nxt] == said.today.month and word != "next"
                return "this month" if same and not future else "future"
            if word in {"in", "next", "this", "on"} and (nxt in self.weekdays or (word == "in" and nxt.isdigit())):
                return "future"  # "on friday", "in 2 weeks"
        return "future" if future else None

    def _settle_age(self, said: _Said, readings: list[_Reading]) -> Measure | None:
        """The age: what the readings agree on, or a flagged reading saying why they cannot be taken."""
        readings = [r for r in readings if r.low <= self.ages[1]]  # "born 1850": not a birth date
        stated = any(not r.birth for r in readings)
        readings = _chosen(said, [r for r in readings if not r.birth or r.said_born or not stated])
        if not readings:
            return None  # a date not said as a birth ("I'm 45, diagnosed 3/2/2019") is not an age
        low, high, reason = _agreed(readings, 0)
        first = readings[0]
        days = [r.value for r in readings if isinstance(r.value, date)]
        if reason is None and days and low == high:
            value: Any = days[0]
        elif reason == "both" or isinstance(first.value, date):
            value = first.value
        else:
            value = min(max(first.value, low), high)
        if reason is None and said.starts["hedges"]:
            reason = "hedge"
        value = {"birth_date": value.isoformat()} if isinstance(value, date) else int(value)
        return _measure(said, "age", value, reason, readings)

    # --- weights -------------------------------------------------------------------

    def _weight(
        self, said: _Said, number: Number, unit: str, end: int, *, following: Number | None, pounds: set[int]
    ) -> _Reading:
        """A number with its weight unit; stone with its pounds ("10 st 4", "11 stone and 6 pounds")."""
        factor = {"kg": 1.0, "lb": _LB_KG, "stone": _STONE_LB * _LB_KG}[unit]
        kg = (number.low * factor, number.high * factor, number.value * factor)
        lb = None if unit == "kg" else number.value * (1 if unit == "lb" else _STONE_LB)
        nxt = following
        if (
            unit == "stone"
            and nxt is not None
            and number.low == number.high
            and nxt.exact
            and 0 <= nxt.value < _STONE_LB
            and said.words[end : nxt.start] in ([], ["and"])
        ):
            pounds.add(nxt.start)
            lb = number.value * _STONE_LB + nxt.value
            kg = (lb * _LB_KG,) * 3
            end = nxt.end + (self.numbers.unit_of.get(said.word(nxt.end)) == "lb")
        return self._weight_reading(said, number, kg, end, lb=lb, marked=True)

    def _bare_weight(self, said: _Said, number: Number) -> list[_Reading]:
        """A number without a unit: kg when only kg is plausible, else flagged (it could be lb)."""
        if said.before(("age_words",), number.start, reach=2) or number.end in said.starts["age_words"]:
            return []
        value = number.value
        kg_ok = self.plausible_kg[0] <= value <= self.plausible_kg[1]
        lb_ok = self.plausible_kg[0] <= value * _LB_KG <= self.plausible_kg[1]
        if not (kg_ok or lb_ok or self.possible_kg[0] <= value <= self.possible_kg[1]):
            return []
        factor = _LB_KG if lb_ok and not kg_ok else 1.0
        kg = (number.low * factor, number.high * factor, value * factor)
        marked = said.before(("weight_words",), number.start, reach=2)  # "my weight is 54"
        reading = self._weight_reading(said, number, kg, number.end, lb=value if factor != 1.0 else None, marked=marked)
        return [reading if kg_ok and not lb_ok else replace(reading, reason=reading.reason or "unclear")]

    def _weight_reading(
        self, said: _Said, number: Number, kg: tuple[float, float, float], end: int, *, lb: float | None, marked: bool
    ) -> _Reading:
        peak = said.before(("weight_peak",), number.start) or any(
            at in said.starts["weight_peak_after"] for at in (end, end + 1)
        )  # "went up to 90", "80 before the steroids"
        possible = self.possible_kg[0] <= kg[2] <= self.possible_kg[1]
        reason = "vague" if number.bound else "unclear" if peak or not possible else None
        then = peak or said.before(("weight_then",), number.start)
        other = said.before(("others",), number.start, reach=2)
        return _Reading(*kg, number.start, end, reason=reason, marked=marked, then=then, other=other, lb=lb)

    def _settle_weight(self, said: _Said, readings: list[_Reading]) -> Measure | None:
        """The weight: what the readings agree on (kg and lb said together), or a flagged reading."""
        readings = _chosen(said, readings)
        if any(r.marked for r in readings):
            readings = [r for r in readings if r.marked]  # "I'm 45, 70 kg": the 45 is not a weight
        if any(not r.then for r in readings):
            readings = [r for r in readings if not r.then]  # "was 80, now 72"
        if not readings:
            return None
        _, _, reason = _agreed(readings, max(1.0, 0.02 * max(r.value for r in readings)))  # 154 lb is 70 kg
        if reason is None and readings[0].then:
            reason = "unclear"  # only a former weight
        if reason is None and said.starts["hedges"]:
            reason = "hedge"
        chosen = next((r for r in readings if r.lb is None and r.marked), readings[0])
        value = f"{round(chosen.lb, 1):g} lb" if chosen.lb is not None else round(float(chosen.value), 2)
        return _measure(said, "weight", value, reason, readings)

    # --- what a number is said as ----------------------------------------------------

    def _neither(self, said: _Said, number: Number, unit: str | None, end: int) -> bool:
        """Not an age nor a weight: a time or a dose, a height, a clothes size, a percentage."""
        if unit is not None and unit not in {"year", "kg", "lb", "stone"}:
            return True
        if said.word(number.start) == "one" and end == number.start + 1 and unit is None:
            return True  # "the purple one", "that one": a pronoun, never an age or a weight
        before, after = said.word(number.start - 1), said.word(end)
        if before in self.not_before or after in self.not_after or after in self.lengths:
            return True
        return before in self.lengths and bool(_SHORT_DIGITS.match(said.word(number.start - 2)))  # "5 ft 6"


def _chosen(said: _Said, readings: list[_Reading]) -> list[_Reading]:
    """Someone else's numbers set aside, and those before a correction ("35 no wait 36")."""
    if any(not r.other for r in readings):
        readings = [r for r in readings if not r.other]
    last = max((r.start for r in readings), default=-1)
    corrections = [end for end in said.ends["corrections"] if end <= last]
    if corrections:
        readings = [r for r in readings if r.start >= max(corrections)]
    return readings


def _agreed(readings: list[_Reading], tolerance: float) -> tuple[float, float, str | None]:
    """The span every reading allows, and why it cannot be taken as read (None: it can)."""
    low, high = max(r.low for r in readings), min(r.high for r in readings)
    if low > high + tolerance:
        return low, high, "both"
    if low > high:
        low = high = (low + high) / 2  # "130 lb / 59 kg": the same weight, rounded
    reasons = {r.reason for r in readings}
    if low < high:
        reasons.add(next(r.wide for r in readings if r.low < r.high))
    return low, high, next((reason for reason in REASONS if reason in reasons), None)


def _measure(said: _Said, entity: str, value: Any, reason: str | None, readings: list[_Reading]) -> Measure:
    start = said.spans[min(r.start for r in readings)][0]
    end = said.spans[max(r.end for r in readings) - 1][1]
    return Measure(entity, value, FLAGGED if reason else 1.0, reason, start, end)


def _birth_span(low: int, high: int, wide: str, reason: str | None = None) -> _Reading:
    low, high = max(0, low), max(0, high)  # born this year, or this month
    return _Reading(low, high, high, 0, 0, wide=wide, reason=reason, birth=True)


def _full_year(said: str, today: date) -> int | None:
    """A year of birth: "1984", "'84", "84" (two digits: this century unless that is after today)."""
    digits = said.strip("' ")
    if not digits.isascii() or not digits.isdigit() or len(digits) not in {2, 4}:
        return None
    year = int(digits)
    if len(digits) == 2:
        year += 2000 if 2000 + year <= today.year else 1900
    return year if 1900 <= year <= today.year else None


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _words_of(words: list[Any]) -> set[str]:
    return {str(word).casefold() for word in words}


def _date_patterns(months: list[str], ordinals: list[str]) -> list[tuple[str, re.Pattern[str]]]:
    """Dates as patients type them, by kind: numeric, iso, compact, day_month, month_day, month (no day)."""
    month = "|".join(re.escape(m) for m in sorted(months, key=len, reverse=True))
    month = rf"(?<![^\W\d_])(?P<month>{month})\.?(?![^\W\d_])"
    ordinal = "|".join(re.escape(o) for o in ordinals)
    day = rf"(?P<day>[0-9]{{1,2}})(?![0-9])(?:\s?(?:{ordinal})(?![^\W\d_]))?"
    year = r"(?P<year>'\s?[0-9]{2}|[0-9]{4}|[0-9]{2})(?![0-9])"
    alone = r"(?![0-9]|[/.\-][0-9])"  # not part of a longer run of numbers
    return [
        ("numeric", re.compile(
            rf"(?<![0-9/.\-])(?P<a>[0-9]{{1,2}})\s?(?P<sep>[/.\-])\s?(?P<b>[0-9]{{1,2}})\s?(?P=sep)\s?"
            rf"(?P<year>[0-9]{{4}}|[0-9]{{2}}){alone}")),
        ("iso", re.compile(
            rf"(?<![0-9/.\-])(?P<year>[0-9]{{4}})(?P<sep>[/.\-])(?P<m>[0-9]{{1,2}})(?P=sep)(?P<day>[0-9]{{1,2}}){alone}")),
        ("compact", re.compile(
            r"(?<![0-9])(?P<year>(?:19|20)[0-9]{2})(?P<m>0[1-9]|1[0-2])(?P<day>0[1-9]|[12][0-9]|3[01])(?![0-9])")),
        ("day_month", re.compile(rf"(?<![0-9]){day}\s?(?:of\s)?{month}\s?,?\s?{year}", re.IGNORECASE)),
        ("month_day", re.compile(rf"{month}\s?(?:the\s)?{day}\s?,?\s?{year}", re.IGNORECASE)),
        ("month", re.compile(rf"{month}\s?,?\s?(?:of\s)?(?P<year>'\s?[0-9]{{2}}|[0-9]{{4}})(?![0-9])", re.IGNORECASE)),
    ]  # fmt: skip


def _mendings(tens: list[str], ones: list[str], teens: list[str]) -> dict[str, list[str]]:
    """Slips of number words ("twnety", "ninty", "ninteen") and run-together ones ("sixtyone")."""
    known = {*tens, *ones, *teens}
    mended: dict[str, list[str]] = {}
    for word in [*tens, *teens]:
        slips = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}  # two swapped
        slips |= {word[:i] + word[i + 1 :] for i in range(len(word))}  # one left out
        slips |= {word[:i] + word[i] + word[i:] for i in range(len(word))}  # one doubled
        mended.update({slip: [word] for slip in slips - known if len(slip) >= 5})  # shorter: real words ("fort")
    mended.update({ten + one: [ten, one] for ten in tens for one in ones})
    return mended


@cache
def default_reader() -> MeasureReader:
    """The reader over the bundled units and cues, on a blank English pipeline."""
    units = yaml.safe_load(UNITS.read_text(encoding="utf-8"))
    return MeasureReader(spacy.blank("en"), units, yaml.safe_load(CUES.read_text(encoding="utf-8")))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class MeasureExtractor(RuleComponent):
    """Adds an ``age`` and a ``weight`` entity where the message can be read as one (role: why flagged)."""

    def __init__(self, reader: MeasureReader | None = None) -> None:
        """Use this reader (the bundled units and cues by default)."""
        self.reader = reader or default_reader()

    def found(self, text: str) -> Iterable[tuple[str, Found, str | None]]:
        """The ages and weights the text can be read as, ages counted on the screening day."""
        return [(found.entity, found, found.reason) for found in self.reader.read(text, clock.screening_day())]
