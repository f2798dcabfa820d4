"""The amounts a dose answer says, and what each is of: "two 5mg tablets twice a day", "20 mg in 5 ml", "pred 20".

``AmountReader`` finds each amount of steroid said (a ``nlu.dose_parts.Part``): its strength in
mg, the tablets counted with it, how many times a day, per kg of body weight, a liquid's
millilitres, a bare number beside tablets, the medicine named next to it and whether it is
history, a plan or today's dose. ``nlu.doses`` decides which of them is the answer, and how
sure; ``nlu.dose_parts`` adds them up.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.tokens import Doc

from nlu.dose_parts import Part
from nlu.medicine_names import Cues, Mention
from nlu.numbers import Amount, Number, NumberReader
from nlu.text import clause_breaks

MASS = {"mg": 1.0, "g": 1000.0, "mcg": 0.001}  # milligrams in one unit
_CLAUSE = clause_breaks()
# A comma does not part a medicine from its dose ("prednisone, 10mg"); "then" starts another.
_DOSE_OF = (_CLAUSE - {","}) | {"then"}


@dataclass(frozen=True)
class Answer:
    """One dose answer as the readers see it: tokens, cues, frequencies, numbers, amounts, medicines named."""

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


class AmountReader:
    """Finds the amounts of a dose answer and what the words around each say of it."""

    def __init__(self, numbers: NumberReader, words: dict[str, set[str]], daily: list[list[str]]) -> None:
        """Cue words by kind (``nlu/data/doses.yaml``: tablets, step, per, volume, split); "a day" phrases."""
        self.numbers = numbers
        self.words = words
        self.daily = daily

    def doses(self, answer: Answer, reasons: set[str]) -> tuple[list[Part], list[Number], float | None, bool]:
        """The amounts of steroid said, tablet counts with no strength, the body weight (kg), a taper step.

        A taper step is "by 2.5" in "down by 2.5 a week".

        Tablet counts and times a day are applied to the amounts they go with.
        """
        words, amounts, numbers = answer.words, answer.amounts, answer.numbers
        doses: list[Part] = []
        counts: list[Number] = []
        weight = concentration = None
        volumes: list[Number] = []
        skip: set[int] = set()
        stepped = False
        for index, number in enumerate(numbers):
            amount = amounts.get(number.start)
            before = words[number.start - 1] if number.start > 0 else ""
            after = words[number.end] if number.end < len(words) else ""
            if number.start in skip:
                continue
            if before in self.words["step"] and (amount is None or amount.unit in MASS):
                stepped = True
                continue  # "reducing by 5mg every week": a taper step
            if amount is not None and amount.unit in MASS:
                mg, end = number.value * MASS[amount.unit], amount.end
                per = words[end : end + 3]
                if len(per) > 1 and per[0] in self.words["per"] and self.numbers.unit_of.get(per[1]) == "kg":
                    doses.append(Part(mg, number.start, end + 2, number, per_kg=True))  # "1 mg/kg"
                elif len(per) == 3 and per[0] in {"in", "per", "/"} and per[2] in self.words["volume"]:
                    volume = next((n for n in numbers if n.start == end + 1), None)
                    if volume is not None and volume.value > 0:
                        concentration = mg / volume.value  # "15mg in 5ml"
                        skip.add(volume.start)
                else:
                    doses.append(Part(mg, number.start, end, number))
            elif amount is not None:
                if amount.unit in {"kg", "lb"} and words[amount.end : amount.end + 1] != ["of"]:
                    weight = number.value * (1.0 if amount.unit == "kg" else 0.4536)  # "I weigh 55 kg"
                continue  # else a length of time ("for 5 days", "x3 days")
            elif after in self.words["volume"]:
                volumes.append(number)  # "10ml a day"
            elif (part := self._unitless(answer, index, counts)) is not None:
                doses.append(part)
        doses += [Part(v.value * concentration, v.start, v.end + 1, v) for v in volumes if concentration]
        if volumes and not concentration:
            reasons.add("vague")  # millilitres of a liquid of unknown strength
        doses = self._counted(doses, counts, words)
        if doses:  # "... and half a tab at night": part of a tablet, of the strength said (see of_the_strength)
            halves = [n for n in counts if 0 < n.value < 1]
            counts = [n for n in counts if n not in halves]
            doses = sorted([*doses, *(Part(n.value, n.start, n.end, n, bare=True) for n in halves)], key=_start)
        return [self._often(dose, doses, answer) for dose in doses], counts, weight, stepped

    def _unitless(self, answer: Answer, index: int, counts: list[Number]) -> Part | None:
        """A number said without a unit: times a day, a tablet count (added to ``counts``), or a bare amount."""
        words, amounts, numbers = answer.words, answer.amounts, answer.numbers
        number = numbers[index]
        before = words[number.start - 1] if number.start > 0 else ""
        after = words[number.end] if number.end < len(words) else ""
        if before in {"day", "days", "week"} and not any(end == number.start for end, _ in answer.often.values()):
            return None  # "day 3 of 20mg" is which day, not an amount ("alternate days 10 and 5": a frequency's end)
        if after in {"times", "x"} and self._daily_at(words, number.end + 1):
            answer.often[number.start] = (number.end + 1, number.value)  # "3 times daily", "2x a day"
        elif before == "x" and self._daily_at(words, number.end):
            answer.often[number.start - 1] = (number.end, number.value)  # "x2 a day"
        elif (
            after in self.words["tablets"]
            or words[number.end : number.end + 2] == ["of", "them"]
            or (after in {"a", "an"} and number.end + 1 < len(words) and words[number.end + 1] in self.words["tablets"])
        ):
            counts.append(number)  # "2 pills of 20 mg", "1 tab", "half a tab"
        elif before in self.words["tablets"] or (before == "," and words[number.start - 2] in self.words["tablets"]):
            counts.append(number)  # "the small white ones, 2 a day": how many, of no strength said
        elif after == "of" and self._strength_at(answer, number.end + 1):
            counts.append(number)  # "1 of 5mg", "1 and 1/2 of the 20mg"
        elif after == "x" and index + 1 < len(numbers) and numbers[index + 1].start == number.end + 1:
            counts.append(number)  # "2 x 30mg", "2 x 2.5"
        elif before == "x" and not (counts and counts[-1].end == number.start - 1):
            counts.append(number)  # "5mg x 2" (in "2 x 2.5" the 2.5 is the strength)
        elif number.end in amounts and amounts[number.end].unit in MASS:
            counts.append(number)  # "Two 10mg tablets", "half a 5 mg tab"
        elif words[number.start] == "one" and number.end == number.start + 1:
            return None  # "the delayed release one": a word, not an amount
        elif number.high < 1900:
            return Part(number.value, number.start, number.end, number, bare=True)  # "pred 20"
        return None

    def of_one_strength(
        self, doses: list[Part], counts: list[Number], answer: Answer
    ) -> tuple[list[Part], list[Number]]:
        """Tablets counted apart from the one strength said: "morning 2 tablets, afternoon 1 tablet, prednisone 5mg".

        Only when one strength (in mg) is said, and each count is said with its time of day or
        the strength with "each" ("2 and half tablet pred, each one 5 mg"). The strength said
        alone is what a tablet holds, not a dose of its own.
        """
        strengths = [d for d in doses if not d.bare]
        if len({d.mg for d in strengths}) != 1:
            return doses, counts
        strength = strengths[0]
        words = answer.words
        if answer.cues["alternate"] and strength.counted and len(doses) == 2:
            # "5mg tabs, 3 on even days and 2 on odd days": the other day's number is tablets too
            other = next(d for d in doses if d is not strength)
            if other.bare and other.mg == int(other.mg) <= 8:
                made = replace(strength, start=other.start, end=other.end, number=other.number, count=other.mg)
                return sorted([strength, made], key=lambda part: part.start), counts
        each = any(words[i] == "each" for i in range(max(0, strength.start - 3), strength.start))
        if "of" in words[max(0, strength.start - 2) : strength.start]:
            # "2 in the morning 1 at night of the 5mg": whole numbers by the time of day are tablets of it
            loose = [d for d in doses if d.bare and self.timed(d, words) and d.mg == int(d.mg) <= 4]
            counts = [*counts, *(d.number for d in loose)]
            doses = [d for d in doses if d not in loose]
        counts = [n for n in counts if n.start == 0 or words[n.start - 1] != "each"]  # "each one 5 mg"
        if not counts or len(strengths) != len(doses):
            return doses, counts
        made = [
            Part(strength.mg, n.start, n.end, n, count=n.value, counted=True, medicine=strength.medicine)
            for n in counts
        ]
        by_day = len(counts) == 2 and bool(answer.cues["alternate"])  # "3 on even days and 2 on odd days"
        if not (each and len(counts) == 1) and not by_day and not all(self.timed(p, words) for p in made):
            return doses, counts
        # "4 tablets of the 5mg ... and 2 of them": the 4 stays ("each one 5 mg" is the strength)
        kept = [] if each else [d for d in doses if d.counted]
        return sorted([*kept, *made], key=lambda part: part.start), []

    def _strength_at(self, answer: Answer, at: int) -> bool:
        """An amount in mg at token ``at``, after at most one article ("of the 20mg", "of 5mg")."""
        if answer.words[at : at + 1] and answer.words[at] in {"the", "a", "my"}:
            at += 1
        amount = answer.amounts.get(at)
        return amount is not None and amount.unit in MASS

    def _daily_at(self, words: list[str], at: int) -> bool:
        """A "day" phrase ("a day", "daily", "per day") at token ``at``."""
        return any(words[at : at + len(phrase)] == phrase for phrase in self.daily)

    def _counted(self, doses: list[Part], counts: list[Number], words: list[str]) -> list[Part]:
        """Tablet counts applied to their strength: "Two 10mg", "1 tablet of 5mg", "5mg x 2 tabs"."""
        between = {*self.words["tablets"], "of", "x", "a", "an", "-", "the", "my"}
        placed = []
        for dose in doses:
            count, counted = 1.0, False
            for number in [n for n in counts if dose.start - 4 <= n.end and n.start <= dose.end + 4]:
                gap = words[number.end : dose.start] if number.end <= dose.start else words[dose.end : number.start]
                if len(gap) <= 3 and all(
                    word in between | ({","} if number.start >= dose.end else set()) for word in gap
                ):
                    count *= number.value
                    counted = True
                    counts.remove(number)
            placed.append(replace(dose, count=count, counted=counted))
        return placed

    def _often(self, dose: Part, doses: list[Part], answer: Answer) -> Part:
        """Times a day said after a dose (or before the first one: "bd 5mg")."""
        limit = min([d.start for d in doses if d.start > dose.start], default=len(answer.words))
        found = [(start, times) for start, (_, times) in answer.often.items() if dose.end <= start < limit]
        if not found and not any(d.end <= dose.start for d in doses):
            found = [(start, times) for start, (end, times) in answer.often.items() if end <= dose.start]
        return replace(dose, per_day=min(found)[1]) if found else dose

    def placed(self, dose: Part, answer: Answer) -> Part:
        """The medicine a dose is of (the nearest named in its clause) and when it is taken, when said."""
        words, cues = answer.words, answer.cues
        nearest, best = None, 4
        for mention in answer.mentions:
            if mention.end < dose.start - best or mention.start > dose.end + best:
                continue  # too far to be this dose's
            gap = words[mention.end : dose.start] if mention.end <= dose.start else words[dose.end : mention.start]
            overlaps = mention.end > dose.start and mention.start < dose.end
            if overlaps or any(word in _DOSE_OF for word in gap):
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
        return replace(dose, medicine=nearest, time=time, timed=self.timed(dose, words))

    def timed(self, dose: Part, words: list[str]) -> bool:
        """A time of day said right by the dose ("10 in the morning", "am 5mg")."""
        near = words[max(0, dose.start - 3) : dose.end + 4]
        return any(word in self.words["split"] for word in near)


def _start(part: Part) -> int:
    return part.start


def _clause(words: list[str], start: int, end: int, bounds: frozenset[str] = _CLAUSE) -> bool:
    """No clause boundary (or other ``bounds``) between two tokens."""
    return not any(word in bounds for word in words[start:end])
