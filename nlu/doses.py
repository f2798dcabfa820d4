"""Steroid doses: "5mg twice a day", "20 mg every other day", "Two 10mg tablets", "none".

``DoseReader`` reads an answer to "how much steroid do you take each day (now / at most)?"
into the form ``criteria.coerce`` takes: ``"none"`` or ``{"medicine": id or None,
"mg_per_day": x}``, the daily amount of the medicine named, as taken (the engine converts it
to prednisone; None when only an amount is given, as the question is about steroids), with
``"how": "2 × 5 mg"`` when the amount was worked out from tablets, times or parts. The
amounts said and what each is of come from ``nlu.dose_amounts`` (on the shared number layer,
``nlu.numbers``), the names from ``nlu.medicine_names`` (the lexicon), the arithmetic from
``nlu.dose_parts``; this module decides which amount is today's dose and how sure it is.
Cue words are data (``nlu/data/doses.yaml``): frequencies, tablets, taper steps, and what is
history or plan rather than today's dose.

A reading is flagged (confidence 0.5 and a reason) when it must not be taken at face value:
a hedge ("I think 15", "about 10mg"), a range ("10-15 mg"), no usable amount or frequency
("some prednisone", "20 mg sometimes", "1 tab"), two different doses ("5 a day but 10 when I
flare", two steroids at once), or something a clinician checks (an injection or IV pulse, a
schedule that differs by day, an amount no one takes by mouth such as "20g"). "I don't
know" gives no reading: the polarity reader says unsure. ``DoseExtractor`` is the Rasa
component: it adds one ``dose`` entity per message that gives a dose or says none.
"""

from __future__ import annotations

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

from criteria.lexicon import Lexicon, load_lexicon
from nlu import calendar
from nlu.base import Found, RuleComponent
from nlu.dose_amounts import AmountReader, Answer
from nlu.dose_parts import Part, Total, corrected, how, of_the_strength, pairs_apart, total
from nlu.medicine_names import Cues, MedicineNames, Mention, prepared
from nlu.medicines import CUES as MEDICINE_CUES
from nlu.numbers import Number, NumberReader, prepare
from nlu.numbers import default_reader as number_reader
from nlu.text import corrections

CUES = Path(__file__).parent / "data" / "doses.yaml"
ENTITY = "dose"
FLAGGED = 0.5  # below the bar at which the form commits to an answer
REASONS = ("hedge", "both", "range", "vague", "unclear")  # the first that applies is the entity's role
STEROID = "glucocorticoid"  # the lexicon's class of the medicines a dose is of
PHRASES = ("none", "exception", "unsure", "hedge", "filler", "vague", "conditional", "schedule", "injection", "past",
           "past_after", "future", "future_after", "current", "current_after", "step", "tablets", "volume", "per",
           "daily_words", "split", "taper", "alternate", "breakdown", "result", "asks", "chat",
           "corrections")  # fmt: skip
KINDS = (*PHRASES, "frequencies", "plausible")
_SENTENCE = frozenset({".", "?", "!", ";", "-", ","})  # what a question after an answer starts after
_DOUBTS = ("hedge", "unsure", "vague", "conditional", "schedule", "injection", "alternate", "taper")
_PAIR = re.compile(r"^(\d{1,3}(?:\.\d+)?)/(\d{1,3}(?:\.\d+)?)$")  # "20/15 alternating days"


@dataclass(frozen=True)
class DoseReading:
    """What a dose answer says: ``"none"``, ``"unsure"`` or ``{medicine, mg_per_day}``; below 1.0 when flagged."""

    value: str | dict[str, Any]
    confidence: float
    reason: str | None  # one of REASONS when flagged
    start: int  # character offsets into ``prepare(text)``
    end: int


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
        days = calendar.default()
        self.days = frozenset(days.month_of) | days.weekday_words | days.season_words  # "20 monday": a day
        # Every word of every cue: what a slip is read back to (nlu.text.respell).
        self.vocabulary = frozenset(
            word for kind in PHRASES for phrase in cues.get(kind, []) for word in str(phrase).casefold().split()
        ) | frozenset(
            word
            for phrases in (cues.get("frequencies") or {}).values()
            for p in phrases
            for word in str(p).casefold().split()
        )
        daily = [prepare(str(phrase)).casefold().split() for phrase in cues.get("daily_words", [])]
        self.amounts = AmountReader(numbers, self.words, daily)

    def read(self, text: str, *, when: str | None = None) -> DoseReading | None:
        """The dose an answer gives, or None when it gives none and does not say none.

        Args:
            text: what the patient typed.
            when: ``"now"`` or ``"peak"`` when the question asked is known. For the most ever
                taken, an earlier dose is not history, and a rough figure is what was asked for.
        """
        answer = self._answer(text)
        cues = answer.cues
        reasons: set[str] = set()
        doses, counts, weight, stepped = self.amounts.doses(answer, reasons)
        doses, counts = corrected(doses, counts, cues["corrections"])
        doses, counts = self.amounts.of_one_strength(doses, counts, answer)
        breakdown = {start for start, _ in cues["breakdown"]}
        result = {start for start, _ in cues["result"]}
        doses = [self.amounts.placed(dose, answer) for dose in doses]
        steroids = [mention for mention in answer.mentions if self._steroid(mention)]
        if self._unread(answer, doses, counts):
            reasons.add("unclear")
        other = [dose for dose in doses if dose.medicine and not self._steroid(dose.medicine)]
        doses = [dose for dose in doses if dose not in other]  # "plaquenil 400mg": not a steroid dose
        span = answer.span(
            [(d.start, d.end) for d in doses] + [(m.start, m.end) for m in answer.mentions] + cues["none"]
        )
        none_said = bool(cues["none"]) or any(dose.number.value == 0 for dose in doses)
        doses = [dose for dose in doses if dose.number.value > 0]
        if none_said and all(dose.time in {"past", "future"} for dose in doses):
            doses = []  # "none now, I was on 40mg last year": history beside a none
        said = [*doses, *other]  # every amount read, for the scope of the cues
        if not doses:
            return self._no_amount(
                answer, steroids, counts, other=other, none_said=none_said, reasons=reasons, span=span
            )
        if any(dose.per_kg for dose in doses) and not all(dose.per_kg for dose in doses):
            doses = [dose for dose in doses if not dose.per_kg]  # "1mg/kg, so about 75mg": the mg said
        doses = self._without_loose(self._current(doses, when, reasons), answer, reasons)
        if all(dose.per_kg for dose in doses):
            if weight is None:
                return DoseReading("unsure", FLAGGED, "unclear", *span)  # "0.5 mg/kg" without the weight
            doses = [replace(dose, mg=dose.mg * weight, per_kg=False) for dose in doses]
            if when != "peak":
                reasons.add("unclear")  # "1 mg per kg, I am 60 kg": today's dose worked out by weight: checked
        doses = of_the_strength(doses)
        if answer.cues["alternate"]:
            doses = pairs_apart(doses, answer.words)
        worked = total(
            doses, answer.words, alternate=bool(self._scoped(answer, "alternate", said, doses)), breakdown=breakdown,
            result=result,
        )  # fmt: skip
        if worked.doubt:
            reasons.add(worked.doubt)
        medicine = self._medicine(doses, steroids, reasons)
        if none_said:
            reasons.add("both")  # "I'm supposed to be on 10 but I stopped": a dose and none
        reasons |= self._doubts(doses, said, answer, when, worked=worked, stepped=stepped)
        factor = self.lexicon.medicines[medicine].prednisone_factor() if medicine else None
        low, high = self.plausible
        if not low <= worked.mg * (factor or 1.0) <= high:
            reasons.add("unclear")  # "20g", "20mcg", a 1000 mg pulse: a slip, or not a daily dose by mouth
        reason = next((r for r in REASONS if r in reasons), None)
        value = {"medicine": medicine, "mg_per_day": round(worked.mg, 4)} | how(worked)
        return DoseReading(value, FLAGGED if reason else 1.0, reason, *span)

    def _answer(self, text: str) -> Answer:
        """The answer as the reader sees it: tokens, cues, frequencies, numbers, amounts, medicines."""
        # "3 tabltes", "20mg on atlernate days": a cue word typed with a slip is still that word.
        doc = prepared(self.numbers.nlp, text, self.vocabulary)
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
        return Answer(doc, [t.lower_ for t in doc], cues, often, numbers, amounts, self.names.mentions(doc))

    @staticmethod
    def _medicine(doses: list[Part], steroids: list[Mention], reasons: set[str]) -> str | None:
        """The steroid the dose is of (None: not named); two steroids, or a guessed name, are flagged."""
        named = {dose.medicine for dose in doses if dose.medicine}
        if not named and len({mention.medicine for mention in steroids}) == 1:
            named = {steroids[0]}  # "prednisone 10mg, 1 and a half tablets"
        if len({mention.medicine for mention in named}) > 1:
            reasons.add("both")  # two steroids at once: a dose is of one medicine
        if any(mention.guessed for mention in named):
            reasons.add("unclear")
        return min(named, key=lambda mention: mention.start).medicine if named else None

    def _steroid(self, mention: Mention) -> bool:
        medicine = self.lexicon.medicines.get(mention.medicine or "")
        return medicine is not None and STEROID in medicine.classes

    def _unknown_medicine(self, answer: Answer, doses: list[Part]) -> bool:
        """A generic-looking name the lexicon does not know, right next to an amount."""
        next_to = {dose.start - 1 for dose in doses} | {dose.end for dose in doses}
        return any(0 <= i < len(answer.words) and self.names.unknown(answer.words[i]) for i in next_to)

    def _unread(self, answer: Answer, doses: list[Part], counts: list[Number]) -> bool:
        """Something said beside the amounts that the reader cannot place: a person reads it back."""
        return (
            bool(doses) and any(n.value > 1 for n in counts)  # "3 tablets of prednisone 2.5 mg": a count unplaced
        ) or (
            self._unknown_medicine(answer, doses)  # "budesonide 9mg": a medicine the lexicon does not know
            or any(self._unknown_unit(answer, dose) for dose in doses if dose.bare)  # "6 kuai": 6 of something
            or any(_pair(word) for word in answer.words)  # "20/15 alternating days": two amounts, not a fraction
        )

    def _unknown_unit(self, answer: Answer, dose: Part) -> bool:
        """A word right after a number said without "mg" that no cue, unit, medicine or common word is."""
        if dose.end >= len(answer.words):
            return False
        word = answer.words[dose.end]
        lexeme = self.numbers.nlp.vocab[word]
        return (
            word.isalpha()
            and len(word) >= 3  # "mg", "am", "od" and the like are cues or units
            and not lexeme.is_stop
            and word not in self.vocabulary
            and word not in self.numbers.unit_of
            and word not in self.days
            and not any(m.start <= dose.end < m.end for m in answer.mentions)
        )

    def _current(self, doses: list[Part], when: str | None, reasons: set[str]) -> list[Part]:
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

    def _without_loose(self, doses: list[Part], answer: Answer, reasons: set[str]) -> list[Part]:
        """Numbers said without "mg" beside amounts in mg: a count of the tablets, or set aside.

        "5mg tabs, I take 3": one strength said as tablets and one small whole number is how
        many. Otherwise ("Rayos 5 mg (the 2 kinds)") a bare number is not more milligrams: set
        aside and read back, never added up. "8mg morning and 4 at night" keeps its 4.
        """
        loose = [dose for dose in doses if dose.bare and not dose.timed and not dose.counted]
        if not loose or len(loose) == len(doses):
            return doses
        if len(doses) == 2 and answer.cues["alternate"]:
            return doses  # "10 mg on even days and 5 on odd days": the unit said once, for both days
        kept = [dose for dose in doses if dose not in loose]
        words = answer.words
        if len(loose) == 1 and len(kept) == 1 and not kept[0].counted:
            count, strength = loose[0], kept[0]
            as_tablets = strength.end < len(words) and words[strength.end] in self.words["tablets"]
            if as_tablets and count.mg == int(count.mg) and 1 <= count.mg <= 8:
                per_day = max(count.per_day, strength.per_day)
                return [replace(strength, count=count.mg, counted=True, per_day=per_day)]
        reasons.add("unclear")
        return kept

    def _doubts(
        self, doses: list[Part], said: list[Part], answer: Answer, when: str | None, *, worked: Total, stepped: bool
    ) -> set[str]:
        """Why the amounts must not be taken at face value (cues about amounts set aside do not count)."""
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
        cues = {kind: self._scoped(answer, kind, said, doses) for kind in _DOUBTS}
        if cues["hedge"] or cues["unsure"]:
            reasons.add("hedge")
        if cues["vague"]:
            reasons.add("vague")
        if cues["conditional"]:
            reasons.add("both")  # "7.5 every day but I double it on bad days": two doses
        if cues["schedule"] or cues["injection"]:
            reasons.add("unclear")
        if cues["alternate"] and not worked.alternate and not any(dose.per_day == 0.5 for dose in doses):
            reasons.add("unclear")  # "15mg evrey second day": never read as 15 a day
        if cues["taper"] and (stepped or not any(dose.time == "current" for dose in doses)):
            reasons.add("unclear")  # "60 going down by 5 a week"; "tapering, now 15" says today's dose
        return reasons

    def _scoped(self, answer: Answer, kind: str, said: list[Part], kept: list[Part]) -> list[tuple[int, int]]:
        """The cues of a kind that are about the amounts kept: nearer one of them than any amount set aside.

        "Prednisone 10mg, methotrexate 20mg weekly": weekly is methotrexate's. A question after
        the answer ("10mg. is that too much?") casts no doubt on it: a "?" counts only in a
        sentence that does not ask something ("10?", "mg?").
        """
        ours = {(dose.start, dose.end) for dose in kept}
        found = []
        for start, end in answer.cues[kind]:
            if answer.words[start] == "?" and self._asks(answer, start):
                continue
            if said:
                distance = {(d.start, d.end): max(0, start - d.end, d.start - end) for d in said}
                nearest = min(distance.values())
                if not any(distance[span] == nearest for span in ours if span in distance):
                    continue
            found.append((start, end))
        return found

    def _asks(self, answer: Answer, at: int) -> bool:
        """The sentence ending at token ``at`` asks something and gives no number ("is that too much?")."""
        start = max((i + 1 for i in range(at) if answer.words[i] in _SENTENCE), default=0)
        asked = any(word in self.words["asks"] for word in answer.words[start:at])
        return asked and not any(start <= n.start < at for n in answer.numbers)

    def _no_amount(
        self,
        answer: Answer,
        steroids: list[Mention],
        counts: list[Number],
        *,
        other: list[Part],
        none_said: bool,
        reasons: set[str],
        span: tuple[int, int],
    ) -> DoseReading | None:
        """An answer without a usable amount of steroid: none, a vague answer, or no reading."""
        cues = answer.cues
        if none_said:
            last = max((end for _, end in cues["none"]), default=0)
            others = {m.start for m in answer.mentions if m not in steroids}
            exception = any(
                start >= last - 1 and not others & set(range(end, end + 3)) for start, end in cues["exception"]
            )  # "none, only plaquenil" names no steroid
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
    cues = yaml.safe_load(CUES.read_text(encoding="utf-8"))
    return DoseReader(numbers, lexicon, {**cues, "corrections": list(corrections())}, names)


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
