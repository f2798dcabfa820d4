"""Ages and body weights in free text: "I'm 34", "born 3/2/1984", "I turn 66 in March", "11 stone 6", "160".

``MeasureReader`` is plain spaCy on the shared number layer (``nlu/numbers.py``): it reads a
message's words (typing slips mended), its numbers and amounts and the cue words around them
(``nlu/data/measures.yaml``), sets aside numbers that are neither an age nor a weight (a
height, a size), and gives the rest to the age reader (``nlu/ages.py``: ages, birth dates,
decades) and the weight reader (``nlu/weights.py``). ``MeasureExtractor`` is the Rasa
component. NLU does not know which question was asked, so a message gets an ``age`` entity
(whole years, or ``{"birth_date": "YYYY-MM-DD"}``) and a ``weight`` entity (kg, or ``"<n> lb"``;
stone is given in lb) whenever it can be read as one; the form reads the one for its question.

A reading is flagged (confidence ``FLAGGED``, the reason as the entity's role) when it must
not be taken at face value: a hedge ("I think 44?"), a range ("40-45"), something vague
("late 30s", "over 18", "born 1960"), two numbers that disagree ("both"), or an unclear
reading (a birth date whose day and month could be swapped, a weight without a unit that
could be kg or lb, "I was 45 in January"). No number, no reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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

from nlu import calendar, clock
from nlu.ages import AgeReader
from nlu.base import Found, RuleComponent
from nlu.calendar import Calendar
from nlu.measure_parts import FLAGGED, REASONS, Measure, Reading, Said, words_of
from nlu.numbers import UNITS, Number, NumberReader, prepare
from nlu.text import corrections
from nlu.weights import WeightReader

CUES = Path(__file__).parent / "data" / "measures.yaml"
__all__ = ["CUES", "FLAGGED", "REASONS", "Measure", "MeasureExtractor", "MeasureReader", "default_reader"]
PHRASES = (
    "born", "age_words", "weight_words", "turned", "future_before", "nearly", "future_after", "past_after",
    "now_after", "this_after", "was", "hedges", "corrections", "others", "weight_then", "weight_peak",
    "weight_peak_after", "not_now",
)  # fmt: skip
_KNOWN = {
    *PHRASES, "units", "decades", "decade_suffixes", "decade_parts", "durations",
    "lengths", "not_a_measure", "tens", "ones", "teens", "age_years", "weight_kg",
}  # fmt: skip
_DIGITS = frozenset("0123456789")
_SHORT_DIGITS = re.compile(r"^[0-9]{1,2}$")
_PART_HYPHEN = re.compile(r"^([^\W\d_]+)-([0-9]+)$")  # "mid-50"


class MeasureReader:
    """Reads the age and the body weight a message gives, if any."""

    def __init__(
        self, nlp: Language, units: dict[str, list[str]], cues: dict[str, Any], days: Calendar | None = None
    ) -> None:
        """Units (``nlu/data/units.yaml``), cue words (``nlu/data/measures.yaml``), the calendar (the bundled one)."""
        unknown = set(cues) - _KNOWN
        if unknown:
            raise ValueError(f"unknown keys {sorted(unknown)} in the measure cues")
        self.nlp = nlp
        extra = cues.get("units") or {}
        self.numbers = NumberReader(nlp, {unit: [*said, *extra.get(unit, [])] for unit, said in units.items()})
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for kind in PHRASES:
            self.matcher.add(kind, [nlp.make_doc(prepare(str(phrase)).casefold()) for phrase in cues.get(kind, [])])
        self.age_reader = AgeReader(cues, days or calendar.default())
        self.weight_reader = WeightReader(cues, self.numbers.unit_of)
        self.lengths = words_of(cues["lengths"])
        self.not_before = words_of(cues["not_a_measure"]["before"])
        self.not_after = words_of(cues["not_a_measure"]["after"])
        self.mended = _mendings(cues["tens"], cues["ones"], cues["teens"])

    def read(self, text: str, today: date) -> list[Measure]:
        """The age and the weight the text gives (at most one of each), ages counted on ``today``."""
        prepared = prepare(text)
        said = self._words(self.nlp.make_doc(prepared), today)
        if not said.words:
            return []
        doc = Doc(self.nlp.vocab, words=said.words)
        for match_id, start, end in self.matcher(doc):
            kind = self.nlp.vocab.strings[match_id]
            said.starts[kind].add(start)
            said.ends[kind].add(end)
        ages, taken = self.age_reader.birth_dates(said, prepared)
        numbers = [n for n in self.numbers.numbers(doc) if not n.vague and taken.isdisjoint(range(n.start, n.end))]
        units = {amount.start: (amount.unit, amount.end) for amount in self.numbers.amounts(doc, numbers)}
        weights: list[Reading] = []
        pounds: set[int] = set()  # numbers read with the stone before them ("10 st 4")
        for index, number in enumerate(numbers):
            unit, end = units.get(number.start, (None, number.end))
            if number.start in pounds:
                continue
            if unit in {"kg", "lb", "stone"}:
                following = numbers[index + 1] if index + 1 < len(numbers) else None
                weights.append(self.weight_reader.weight(said, number, unit, end, following=following, pounds=pounds))
            elif self._neither(said, number, unit, end):
                continue
            elif (decade := self.age_reader.decade(said, number)) is not None:
                ages.append(decade)
            elif (year := self.age_reader.birth_year(said, number)) is not None:
                ages.append(year)
            else:
                ages.extend(self.age_reader.age(said, number, unit, end))
                if unit is None:
                    weights.extend(self.weight_reader.bare_weight(said, number))
        ages.extend(self.age_reader.decade_words(said, taken))
        found = [self.age_reader.settle_age(said, ages), self.weight_reader.settle_weight(said, weights)]
        return [measure for measure in found if measure is not None]

    def _words(self, doc: Doc, today: date) -> Said:
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
            if part and part.group(1) in self.age_reader.decade_parts:  # "mid-50s": spaCy keeps "mid-50" whole
                cut = starts[i] + len(part.group(1))
                words.extend([part.group(1), "-", part.group(2)])
                spans.extend([(starts[i], cut), (cut, cut + 1), (cut + 1, ends[i])])
            else:
                for word in self.mended.get(low, [low]):
                    words.append(word)
                    spans.append((starts[i], ends[i]))
            i += 1
        return Said(words, spans, today)

    def _neither(self, said: Said, number: Number, unit: str | None, end: int) -> bool:
        """Not an age nor a weight: a time or a dose, a height, a clothes size, a percentage."""
        if unit is not None and unit not in {"year", "kg", "lb", "stone"}:
            return True
        if said.word(number.start) == "one" and end == number.start + 1 and unit is None:
            return True  # "the purple one", "that one": a pronoun, never an age or a weight
        before, after = said.word(number.start - 1), said.word(end)
        if before in self.not_before or after in self.not_after or after in self.lengths:
            return True
        if after[:1] in self.not_after and not after[:1].isascii():
            return True  # "5月出生": Chinese runs on without a space; its first character says what it counts
        if number.value <= 31 and (after in self.age_reader.month_of or before in self.age_reader.month_of):
            return True  # "on 2 december", "december 2": a day of the month
        if unit is None and said.before(("not_now",), number.start, reach=2):
            return True  # "diagnosed at 40", "I feel 80": an age, but not the patient's now
        return before in self.lengths and bool(_SHORT_DIGITS.match(said.word(number.start - 2)))  # "5 ft 6"


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
    cues = yaml.safe_load(CUES.read_text(encoding="utf-8"))
    return MeasureReader(spacy.blank("en"), units, {**cues, "corrections": list(corrections())})


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class MeasureExtractor(RuleComponent):
    """Adds an ``age`` and a ``weight`` entity where the message can be read as one (role: why flagged)."""

    def __init__(self, reader: MeasureReader | None = None) -> None:
        """Use this reader (the bundled units and cues by default)."""
        self.reader = reader or default_reader()

    def found(self, text: str) -> Iterable[tuple[str, Found, str | None]]:
        """The ages and weights the text can be read as, ages counted on the screening day."""
        return [(found.entity, found, found.reason) for found in self.reader.read(text, clock.screening_day())]
