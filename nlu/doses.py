"""Steroid doses: "5mg twice a day", "20 mg every other day", "Two 10mg tablets", "none".

``DoseReader`` reads an answer to "how much steroid do you take each day (now / at most)?"
into the form ``criteria.coerce`` takes: ``"none"`` or ``{"medicine": id or None,
"mg_per_day": x}``, the daily amount of the medicine named, as taken (the engine converts it
to prednisone; None when only an amount is given, as the question is about steroids). It
builds on the shared number layer (``nlu.numbers``) for amounts, on ``nlu.medicines`` for
the names (the lexicon), and on cue words as data (``nlu/data/doses.yaml``): frequencies,
tablets, taper steps, and what is history or plan rather than today's dose.

A reading is flagged (confidence 0.5 and a reason) when it must not be taken at face value:
a hedge ("I think 15", "about 10mg"), a range ("10-15 mg"), no usable amount or frequency
("some prednisone", "20 mg sometimes", "1 tab"), two different doses ("5 a day but 10 when I
flare", two steroids at once), or something a clinician checks (an injection or IV pulse, a
schedule that differs by day, an amount no one takes by mouth such as "20g"). "I don't
know" gives no reading: the polarity reader says unsure. ``DoseExtractor`` is the Rasa
component: it adds one ``dose`` entity per message that gives a dose or says none.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from criteria.lexicon import Lexicon, load_lexicon
from nlu.base import Found, RuleComponent
from nlu.medicines import CUES as MEDICINE_CUES
from nlu.medicines import Cues, MedicineNames, Mention, prepared
from nlu.numbers import Amount, Number, NumberReader, prepare
from nlu.numbers import default_reader as number_reader

CUES = Path(__file__).parent / "data" / "doses.yaml"
ENTITY = "dose"
FLAGGED = 0.5  # below the bar at which the form commits to an answer
REASONS = ("hedge", "both", "range", "vague", "unclear")  # the first that applies is the entity's role
STEROID = "glucocorticoid"  # the lexicon's class of the medicines a dose is of
PHRASES = ("none", "exception", "unsure", "hedge", "filler", "vague", "conditional", "schedule", "injection", "past",
           "past_after", "future", "future_after", "current", "current_after", "step", "tablets", "volume", "per",
           "daily_words", "split", "taper", "alternate")  # fmt: skip
KINDS = (*PHRASES, "frequencies", "plausible")
_MASS = {"mg": 1.0, "g": 1000.0, "mcg": 0.001}
_CLAUSE = {".", ";", "but", ","}
_PAIR = re.compile(r"^(\d{1,3}(?:\.\d+)?)/(\d{1,3}(?:\.\d+)?)$")  # "20/15 alternating days"


@dataclass(frozen=True)
class DoseReading:
    """What a dose answer says: ``"none"``, ``"unsure"`` or ``{medicine, mg_per_day}``; below 1.0 when flagged."""

    value: str | dict[str, Any]
    confidence: float
    reason: str | None  # one of REASONS when flagged
    start: int  # character offsets into ``prepare(text)``
    end: int


@dataclass(frozen=True)
class _Dose:
    """One amount of steroid said, with what the words around it make of it."""

    mg: float
    start: int  # tokens, the unit included
    end: int
    number: Number
    count: float = 1.0  # tablets of that strength
    per_day: float = 1.0  # times a day
    per_kg: bool = False  # "1 mg/kg"
    time: str | None = None  # "past", "future", "current" or "conditional" when the words say so
    medicine: Mention | None = None  # the medicine named next to it
    bare: bool = False  # a number said without "mg" ("pred 20")
    counted: bool = False  # a count of tablets said with it ("two 4mg", "one 2mg")

    @property
    def daily(self) -> float:
        return self.mg * self.count * self.per_day


@dataclass(frozen=True)
class _Text:
    """One answer as the reader sees it."""

    doc: Doc
    words: list[str]  # lower case
    cues: Cues
    often: dict[int, tuple[int, float]]  # a frequency's first token -> (its end, times a day)
    numbers: list[Number]
    amounts: dict[int, Amount]  # by first token
    mentions: list[Mention]

    def span(self, spans: list[tuple[int, int]]) -> tuple[int, int]:
        """Character offsets covering token spans (the whole text when there are none)."""
        if not spans:
            return 0, len(self.doc.text)
        start, end = min(s for s, _ in spans), max(e for _, e in spans)
        return self.doc[start].idx, self.doc[end - 1].idx + len(self.doc[end - 1])


class DoseReader:
    """Reads an answer giving a daily steroid dose."""

    def __init__(self, numbers: NumberReader, lexicon: Lexicon, cues: dict[str, Any], names: MedicineNames) -> None:
        """Build the matchers (cue phrases per kind, see ``nlu/data/doses.yaml``)."""
        unknown = set(cues) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown cue kinds {sorted(unknown)} in the dose cues")
        self.numbers = numbers
        self.lexicon = lexicon
        self.names = names
        nlp = numbers.nlp
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for kind in PHRASES:
            self.matcher.add(kind, [nlp.make_doc(prepare(str(phrase))) for phrase in cues.get(kind, [])])
        for times, phrases in (cues.get("frequencies") or {}).items():
            self.matcher.add(f"times {float(times)}", [nlp.make_doc(prepare(str(phrase))) for phrase in phrases])
        plausible = cues.get("plausible") or {}
        self.plausible = (float(plausible.get("min", 0.0)), float(plausible.get("max", float("inf"))))
        self.words = {kind: {str(p).casefold() for p in cues.get(kind, []) if " " not in str(p)} for kind in PHRASES}
        self.daily = [prepare(str(phrase)).casefold().split() for phrase in cues.get("daily_words", [])]

    def read(self, text: str, *, when: str | None = None) -> DoseReading | None:
        """The dose an answer gives, or None when it gives none and does not say none.

        Args:
            text: what the patient typed.
            when: ``"now"`` or ``"peak"`` when the question asked is known. For the most ever
                taken, an earlier dose is not history, and a rough figure is what was asked for.
        """
        doc = prepared(self.numbers.nlp, text)
        cues: Cues = defaultdict(list)
        often: dict[int, tuple[int, float]] = {}
        for key, start, end in self.matcher(doc):
            kind = doc.vocab.strings[key]
            if not kind.startswith("times "):
                cues[kind].append((start, end))
            elif start not in often or end > often[start][0]:
                often[start] = (end, float(kind.split()[1]))  # the longest: "twice a day", not "a day"
        numbers = self.numbers.numbers(doc)
        amounts = {amount.start: amount for amount in self.numbers.amounts(doc, numbers)}
        answer = _Text(doc, [t.lower_ for t in doc], cues, often, numbers, amounts, self.names.mentions(doc))
        reasons: set[str] = set()
        doses, counts, weight = self._doses(answer, reasons)
        doses = [self._placed(dose, answer) for dose in doses]
        steroids = [mention for mention in answer.mentions if self._steroid(mention)]
        if self._unknown_medicine(answer, doses):
            reasons.add("unclear")  # "budesonide 9mg": a medicine the lexicon does not know
        other = [dose for dose in doses if dose.medicine and not self._steroid(dose.medicine)]
        doses = [dose for dose in doses if dose not in other]  # "plaquenil 400mg": not a steroid dose
        if any(_pair(word) for word in answer.words):
            reasons.add("unclear")  # "20/15 alternating days": two amounts, not a fraction
        span = answer.span(
            [(d.start, d.end) for d in doses] + [(m.start, m.end) for m in answer.mentions] + cues["none"]
        )
        none_said = bool(cues["none"]) or any(dose.number.value == 0 for dose in doses)
        doses = [dose for dose in doses if dose.number.value > 0]
        if not doses:
            return self._no_amount(
                answer, steroids, counts, other=bool(other), none_said=none_said, reasons=reasons, span=span
            )
        if any(dose.per_kg for dose in doses) and not all(dose.per_kg for dose in doses):
            doses = [dose for dose in doses if not dose.per_kg]  # "1mg/kg, so about 75mg": the mg said
        doses = self._without_loose(self._current(doses, when, reasons), answer.words, reasons)
        if all(dose.per_kg for dose in doses):
            if weight is None:
                return DoseReading("unsure", FLAGGED, "unclear", *span)  # "0.5 mg/kg" without the weight
            doses = [replace(dose, mg=dose.mg * weight, per_kg=False) for dose in doses]
        total = self._total(doses, answer.words, reasons)
        named = {dose.medicine for dose in doses if dose.medicine}
        if not named and len({mention.medicine for mention in steroids}) == 1:
            named = {steroids[0]}  # "prednisone 10mg, 1 and a half tablets"
        if len({mention.medicine for mention in named}) > 1:
            reasons.add("both")  # two steroids at once: a dose is of one medicine
        if any(mention.guessed for mention in named):
            reasons.add("unclear")
        medicine = min(named, key=lambda mention: mention.start).medicine if named else None
        if none_said:
            reasons.add("both")  # "I'm supposed to be on 10 but I stopped": a dose and none
        reasons |= self._doubts(doses, answer, when)
        factor = self.lexicon.medicines[medicine].prednisone_factor() if medicine else None
        low, high = self.plausible
        if not low <= total * (factor or 1.0) <= high:
            reasons.add("unclear")  # "20g", "20mcg", a 1000 mg pulse: a slip, or not a daily dose by mouth
        reason = next((r for r in REASONS if r in reasons), None)
        value = {"medicine": medicine, "mg_per_day": round(total, 4)}
        return DoseReading(value, FLAGGED if reason else 1.0, reason, *span)

    def _steroid(self, mention: Mention) -> bool:
        medicine = self.lexicon.medicines.get(mention.medicine or "")
        return medicine is not None and STEROID in medicine.classes

    def _unknown_medicine(self, answer: _Text, doses: list[_Dose]) -> bool:
        """A generic-looking name the lexicon does not know, right next to an amount."""
        next_to = {dose.start - 1 for dose in doses} | {dose.end for dose in doses}
        return any(0 <= i < len(answer.words) and self.names.unknown(answer.words[i]) for i in next_to)

    def _doses(self, answer: _Text, reasons: set[str]) -> tuple[list[_Dose], list[Number], float | None]:
        """The amounts of steroid said, tablet counts with no strength, and the body weight (kg) if said.

        Tablet counts and times a day are applied to the amounts they go with.
        """
        words, amounts, numbers = answer.words, answer.amounts, answer.numbers
        doses: list[_Dose] = []
        counts: list[Number] = []
        weight = concentration = None
        volumes: list[Number] = []
        skip: set[int] = set()
        for index, number in enumerate(numbers):
            amount = amounts.get(number.start)
            before = words[number.start - 1] if number.start > 0 else ""
            after = words[number.end] if number.end < len(words) else ""
            if number.start in skip or (before in self.words["step"] and (amount is None or amount.unit in _MASS)):
                continue  # "reducing by 5mg every week": a taper step
            if amount is not None and amount.unit in _MASS:
                mg, end = number.value * _MASS[amount.unit], amount.end
                per = words[end : end + 3]
                if len(per) > 1 and per[0] in self.words["per"] and self.numbers.unit_of.get(per[1]) == "kg":
                    doses.append(_Dose(mg, number.start, end + 2, number, per_kg=True))  # "1 mg/kg"
                elif len(per) == 3 and per[0] in {"in", "per", "/"} and per[2] in self.words["volume"]:
                    volume = next((n for n in numbers if n.start == end + 1), None)
                    if volume is not None and volume.value > 0:
                        concentration = mg / volume.value  # "15mg in 5ml"
                        skip.add(volume.start)
                else:
                    doses.append(_Dose(mg, number.start, end, number))
            elif amount is not None:
                if amount.unit in {"kg", "lb"} and words[amount.end : amount.end + 1] != ["of"]:
                    weight = number.value * (1.0 if amount.unit == "kg" else 0.4536)  # "I weigh 55 kg"
                continue  # else a length of time ("for 5 days", "x3 days")
            elif after in self.words["volume"]:
                volumes.append(number)  # "10ml a day"
            elif after in {"times", "x"} and self._daily_at(words, number.end + 1):
                answer.often[number.start] = (number.end + 1, number.value)  # "3 times daily", "2x a day"
            elif before == "x" and self._daily_at(words, number.end):
                answer.often[number.start - 1] = (number.end, number.value)  # "x2 a day"
            elif after in self.words["tablets"] or words[number.end : number.end + 2] == ["of", "them"]:
                counts.append(number)  # "2 pills of 20 mg", "1 tab"
            elif (after == "x" and index + 1 < len(numbers) and numbers[index + 1].start == number.end + 1) or (
                before == "x"
            ):
                counts.append(number)  # "2 x 30mg", "5mg x 2"
            elif number.end in amounts and amounts[number.end].unit in _MASS:
                counts.append(number)  # "Two 10mg tablets", "half a 5 mg tab"
            elif before not in {"day", "days", "week"} and number.high < 1900:
                doses.append(_Dose(number.value, number.start, number.end, number, bare=True))  # "pred 20", not "day 3"
        doses += [_Dose(v.value * concentration, v.start, v.end + 1, v) for v in volumes if concentration]
        if volumes and not concentration:
            reasons.add("vague")  # millilitres of a liquid of unknown strength
        doses = self._counted(doses, counts, words)
        return [self._often(dose, doses, answer) for dose in doses], counts, weight

    def _daily_at(self, words: list[str], at: int) -> bool:
        """A "day" phrase ("a day", "daily", "per day") at token ``at``."""
        return any(words[at : at + len(phrase)] == phrase for phrase in self.daily)

    def _counted(self, doses: list[_Dose], counts: list[Number], words: list[str]) -> list[_Dose]:
        """Tablet counts applied to their strength: "Two 10mg", "1 tablet of 5mg", "5mg x 2 tabs"."""
        between = {*self.words["tablets"], "of", "x", "a", "an", "-"}
        placed = []
        for dose in doses:
            count, counted = 1.0, False
            for number in [n for n in counts if dose.start - 4 <= n.start <= dose.end + 4]:
                gap = words[number.end : dose.start] if number.end <= dose.start else words[dose.end : number.start]
                if len(gap) <= 3 and all(
                    word in between | ({","} if number.start >= dose.end else set()) for word in gap
                ):
                    count *= number.value
                    counted = True
                    counts.remove(number)
            placed.append(replace(dose, count=count, counted=counted))
        return placed

    def _often(self, dose: _Dose, doses: list[_Dose], answer: _Text) -> _Dose:
        """Times a day said after a dose (or before the first one: "bd 5mg")."""
        limit = min([d.start for d in doses if d.start > dose.start], default=len(answer.words))
        found = [(start, times) for start, (_, times) in answer.often.items() if dose.end <= start < limit]
        if not found and not any(d.end <= dose.start for d in doses):
            found = [(start, times) for start, (end, times) in answer.often.items() if end <= dose.start]
        return replace(dose, per_day=min(found)[1]) if found else dose

    def _placed(self, dose: _Dose, answer: _Text) -> _Dose:
        """The medicine a dose is of (the nearest named in its clause) and when it is taken, when said."""
        words, cues = answer.words, answer.cues
        nearest, best = None, 4
        for mention in answer.mentions:
            if mention.end < dose.start - best or mention.start > dose.end + best:
                continue  # too far to be this dose's
            gap = words[mention.end : dose.start] if mention.end <= dose.start else words[dose.end : mention.start]
            overlaps = mention.end > dose.start and mention.start < dose.end
            if overlaps or any(word in {".", ";", "but", "then"} for word in gap):
                continue
            if len(gap) < best:  # on a tie the one before wins: "prednisone 10 and hydrocortisone 5"
                nearest, best = mention, len(gap)
        time = None
        for kind in ("conditional", "future", "past", "current"):
            for start, end in [] if kind == "conditional" else cues[kind]:
                if dose.start - 3 <= start and end <= dose.start and _clause(words, end, dose.start):
                    time = time or kind  # "down from 60", "up to 20", "now 15"
            for start, _ in cues[kind if kind == "conditional" else f"{kind}_after"]:
                if dose.end <= start <= dose.end + 4 and _clause(words, dose.end, start):
                    time = time or kind  # "60 a month ago", "20 next week", "10 when I flare"
        return replace(dose, medicine=nearest, time=time)

    def _current(self, doses: list[_Dose], when: str | None, reasons: set[str]) -> list[_Dose]:
        """The dose(s) at the time asked about: history and plans set aside when another dose is current."""
        if len(doses) < 2:
            return doses
        if any(dose.time == "conditional" for dose in doses):
            reasons.add("both")  # "5 a day but 10 when I flare"
        if when == "peak":
            kept = [dose for dose in doses if dose.time != "future"] or doses
            return [max(kept, key=lambda dose: dose.daily)] if len({d.time for d in kept}) > 1 else kept
        current = [dose for dose in doses if dose.time == "current"]
        return current or [dose for dose in doses if dose.time not in {"past", "future"}] or doses

    def _without_loose(self, doses: list[_Dose], words: list[str], reasons: set[str]) -> list[_Dose]:
        """Numbers said without "mg" beside amounts in mg, set aside (and the reading flagged).

        "5mg tabs, I take 3", "Rayos 5 mg (the delayed one)": a count or a word, not more
        milligrams; read back, never added up. "8mg morning and 4 at night" keeps its 4.
        """
        loose = [dose for dose in doses if dose.bare and not self._timed(dose, words)]
        if not loose or len(loose) == len(doses):
            return doses
        reasons.add("unclear")
        return [dose for dose in doses if dose not in loose]

    def _total(self, doses: list[_Dose], words: list[str], reasons: set[str]) -> float:
        """Split doses added up ("5mg in the morning and 2.5 at night"); alternatives flagged.

        Two amounts are parts of one day's dose only when times of day say so; otherwise ("24mg
        (6 tabs of 4)", "10mg one day and 5mg the next") the sum is read back, never trusted.
        """
        for first, second in itertools.pairwise(doses):
            if any(word in {"or", "but", "then", "maybe", "probably"} for word in words[first.end : second.start]):
                reasons.add("both")
                return doses[0].daily  # "20mg, maybe 25": alternatives, not parts of one dose
        added = all(set(words[a.end : b.start]) & {"+", "plus"} for a, b in itertools.pairwise(doses))
        if len(doses) > 1 and not added and not all(self._timed(dose, words) or dose.counted for dose in doses):
            reasons.add("both")  # parts of one dose are said by time of day, or as tablets of each strength
        return sum(dose.daily for dose in doses)

    def _timed(self, dose: _Dose, words: list[str]) -> bool:
        """A time of day said right by the dose ("10 in the morning", "am 5mg")."""
        near = words[max(0, dose.start - 3) : dose.end + 4]
        return any(word in self.words["split"] for word in near)

    def _doubts(self, doses: list[_Dose], answer: _Text, when: str | None) -> set[str]:
        """Why the amounts must not be taken at face value."""
        reasons = set()
        for dose in doses:
            number = dose.number
            filler = number.start > 0 and answer.words[number.start - 1] in self.words["filler"]
            if number.low != number.high:
                reasons.add("range")
            elif number.vague:
                reasons.add("vague")
            elif (number.approximate or number.bound) and not filler and when != "peak":
                reasons.add("hedge")  # "about 10mg": today's dose should be known exactly
        if answer.cues["hedge"] or answer.cues["unsure"]:
            reasons.add("hedge")
        if answer.cues["vague"]:
            reasons.add("vague")
        if answer.cues["schedule"] or answer.cues["injection"]:
            reasons.add("unclear")
        if answer.cues["alternate"] and not any(dose.per_day == 0.5 for dose in doses):
            reasons.add("unclear")  # "15mg evrey second day": never read as 15 a day
        if answer.cues["taper"] and not any(dose.time == "current" for dose in doses):
            reasons.add("unclear")  # "60 going down by 5 a week"; "tapering, now 15" says today's dose
        return reasons

    def _no_amount(
        self,
        answer: _Text,
        steroids: list[Mention],
        counts: list[Number],
        *,
        other: bool,
        none_said: bool,
        reasons: set[str],
        span: tuple[int, int],
    ) -> DoseReading | None:
        """An answer without a usable amount of steroid: none, a vague answer, or no reading."""
        cues = answer.cues
        if none_said:
            last = max((end for _, end in cues["none"]), default=0)
            exception = any(start >= last - 1 for start, _ in cues["exception"])
            if (exception and not other) or cues["injection"]:
                return DoseReading("none", FLAGGED, "unclear", *span)  # "none, but I had a steroid shot last week"
            reason = next((r for r in REASONS if r in reasons), None)
            return DoseReading("none", FLAGGED if reason else 1.0, reason, *span)
        if cues["unsure"] and not counts:
            return None  # "idk the dose": the polarity reader's unsure
        if other:
            return DoseReading("unsure", FLAGGED, "unclear", *span)  # "plaquenil 200 twice a day": not a steroid
        if counts or steroids or cues["vague"] or cues["injection"] or reasons:
            said = "unclear" if cues["injection"] and not counts else "vague"
            reason = next((r for r in REASONS if r in reasons), said)
            return DoseReading("unsure", FLAGGED, reason, *span)  # "some prednisone", "1 tab", "Kenalog injection"
        return None


def _clause(words: list[str], start: int, end: int) -> bool:
    """No clause boundary between two tokens."""
    return not any(word in _CLAUSE for word in words[start:end])


def _pair(word: str) -> bool:
    """Two amounts in one token ("20/15"), not a fraction ("1/2")."""
    match = _PAIR.match(word)
    return match is not None and not float(match.group(1)) < float(match.group(2)) <= 10


@cache
def default_reader() -> DoseReader:
    """The reader over the bundled lexicon and cues, on a blank English pipeline."""
    numbers = number_reader()
    lexicon = load_lexicon()
    medicine_cues = yaml.safe_load(MEDICINE_CUES.read_text(encoding="utf-8"))
    names = MedicineNames(numbers.nlp, lexicon, medicine_cues.get("stems", ()), medicine_cues.get("not_names", ()))
    return DoseReader(numbers, lexicon, yaml.safe_load(CUES.read_text(encoding="utf-8")), names)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class DoseExtractor(RuleComponent):
    """Adds a ``dose`` entity ("none" or {medicine, mg_per_day}), its confidence, and why it is flagged."""

    def __init__(self, reader: DoseReader | None = None) -> None:
        """Use this reader (the bundled lexicon and cues by default)."""
        self.reader = reader or default_reader()

    def found(self, text: str) -> Iterable[tuple[str, Found, str | None]]:
        """The dose given, or "none"."""
        found = self.reader.read(text)
        return [] if found is None else [(ENTITY, found, found.reason)]
