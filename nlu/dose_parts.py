"""How the parts of a dose answer make one day's dose: tablets, times a day, splits, alternate days.

``nlu.dose_amounts`` finds the amounts said (``Part``) and what each is of; this module is only
the arithmetic, and says when it cannot be trusted:

- tablets × strength ("2 × 5 mg"), times a day, an alternate-day dose as its daily average;
- parts of one day said by time of day ("20 mg in the morning and half in the evening") or
  with "+" are added up;
- a breakdown that agrees with the total said ("24mg (6 tabs of 4)", "15 split 10+5") is the
  total, with its arithmetic kept for the read-back;
- two amounts on alternate days ("10mg one day and 5mg the next") are averaged;
- a sum said after its parts ("5mg and a 1mg so 6mg"), the parts of a day with slashes
  ("20 / 10 / 10"); an amount said twice is read once, and read back;
- anything else with two amounts (alternatives, "10mg and 5mg") is flagged ("both"), never
  summed silently.

Before the arithmetic: the amounts said after a correction (``corrected``), and a slash pair
said of alternate days as two days' doses (``pairs_apart``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace

from nlu.medicine_names import Mention
from nlu.numbers import Number

ALTERNATIVES = {"or", "but", "then", "maybe", "probably"}  # "20mg, maybe 25": not parts of one dose
ADDED = {"+", "plus"}
REPEATED = {",", ".", ";", "-"}  # what parts said again are parted by ("5mg pred, 5mg pred")


@dataclass(frozen=True)
class Part:
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
    timed: bool = False  # a time of day said right by it ("10 in the morning")

    @property
    def daily(self) -> float:
        """Milligrams a day: strength × tablets × times a day."""
        return self.mg * self.count * self.per_day


@dataclass(frozen=True)
class Total:
    """One day's dose from its parts, the parts it was worked out from, and why it is in doubt."""

    mg: float
    parts: tuple[Part, ...]
    doubt: str | None = None  # "both" when the parts do not make one dose
    alternate: bool = False  # two amounts taken on alternate days, averaged


def total(
    parts: list[Part],
    words: list[str],
    *,
    alternate: bool,
    breakdown: set[int],
    result: frozenset[int] | set[int] = frozenset(),
) -> Total:
    """The daily dose the parts make.

    Args:
        parts: the amounts of today's steroid, in the order said.
        words: the answer's lower-case tokens.
        alternate: the answer says the amounts alternate by day ("one day ... the next").
        breakdown: tokens that open a breakdown of the amount before them ("(", "split", "=").
        result: tokens that mark the last amount as the sum of those before ("so 6mg", "15 in total").
    """
    first, rest = parts[0], parts[1:]
    summed = range(parts[-2].end, parts[-1].start) if rest else range(0)
    if len(parts) > 2 and any(r in result for r in [*summed, parts[-1].end, parts[-1].end + 1]):
        last, before = parts[-1], parts[:-1]
        if math.isclose(last.daily, sum(p.daily for p in before)):
            return Total(last.daily, tuple(before))  # "5mg and a 1mg so 6mg": the parts and their sum agree
        return Total(last.daily, (last,), "both")  # "5 and 2 so 8": read back
    if rest and any(b in breakdown for b in range(first.end, rest[0].start + 1)):
        if math.isclose(first.daily, sum(p.daily for p in rest)):
            return Total(first.daily, tuple(rest))  # "24mg (6 tabs of 4)": two readings that agree
        return Total(first.daily, (first,), "both")  # "24mg (6 tabs of 5)": read back
    for one, two in itertools.pairwise(parts):
        if ALTERNATIVES & set(words[one.end : two.start]):
            return Total(first.daily, (first,), "both")  # "20mg, maybe 25": alternatives, not parts
    if alternate and len(parts) == 2 and not any(p.timed for p in parts):
        # "10mg one day and 5mg the next": the average of the two days (the every-other-day
        # frequency, if read, belongs to the pair, not to one amount).
        return Total(sum(p.mg * p.count for p in parts) / 2, tuple(parts), alternate=True)
    gaps = [set(words[a.end : b.start]) for a, b in itertools.pairwise(parts)]
    if _said_again(parts, gaps):
        # "5mg prednisone, 5mg prednisone, I said that already": once, read back (twice a day is 10)
        return Total(first.daily, (first,), "both")
    # "20 / 10 / 10": three or more amounts with slashes are the parts of a day
    added = all(gap & ADDED or (len(parts) > 2 and gap == {"/"}) for gap in gaps)
    doubt = None
    if len(parts) > 1 and not added and not all(p.timed or p.counted for p in parts):
        doubt = "both"  # parts of one dose are said by time of day, or as tablets of each strength
    return Total(sum(p.daily for p in parts), tuple(parts), doubt)


def of_the_strength(parts: list[Part]) -> list[Part]:
    """A bare fraction beside one tablet strength is that fraction of a tablet ("and half at night")."""
    strengths = {p.mg for p in parts if not p.bare}
    if len(strengths) != 1:
        return parts
    [strength] = strengths
    return [
        replace(p, mg=strength, count=p.mg, bare=False, counted=True) if p.bare and 0 < p.mg < 1 else p for p in parts
    ]


def how(worked: Total) -> dict[str, str]:
    """``{"how": "2 × 5 mg"}``: the arithmetic behind a daily total, for the read-back and the coordinator.

    Empty when the amount was said as it is ("10mg"): there is nothing to check.
    """
    labels = []
    for part in worked.parts:
        label = f"{part.mg:g} mg" if part.count == 1 else f"{_count(part.count)} × {part.mg:g} mg"
        if part.per_day != 1 and not worked.alternate:
            often = {0.5: "every other day", 2: "twice a day"}.get(part.per_day, f"{part.per_day:g} times a day")
            label = f"{label} {often}"
        labels.append(label)
    said = " and ".join(labels) + " on alternate days" if worked.alternate else " + ".join(labels)
    return {} if said == f"{worked.mg:g} mg" else {"how": said}


def _count(count: float) -> str:
    """A tablet count as said on a label: 2, ½, 1½."""
    whole, part = divmod(count, 1)
    half = {0.25: "¼", 0.5: "½", 0.75: "¾"}.get(round(part, 4))
    return f"{int(whole) or ''}{half}" if half else f"{count:g}"


def _said_again(parts: list[Part], gaps: list[set[str]]) -> bool:
    """One amount said twice ("5mg pred, 5mg pred"): parted by a comma or a stop, no time of day.

    Two doses a day are parts, not repeats: a time of day, "and" or "+" between them keeps both.
    """
    return (
        bool(gaps)
        and not any(p.timed for p in parts)
        and all(gap & REPEATED and all(w in REPEATED or w.isalpha() for w in gap) for gap in gaps)
        and not any(gap & (ADDED | ALTERNATIVES | {"and"}) for gap in gaps)
        and len({_same(p) for p in parts}) == 1
    )


def _same(part: Part) -> tuple[float, float, float, str | None, bool]:
    """What makes two parts the same amount said twice: strength, tablets, times a day, medicine, time of day."""
    return part.mg, part.count, part.per_day, part.medicine.medicine if part.medicine else None, part.timed


def corrected(doses: list[Part], counts: list[Number], said: list[tuple[int, int]]) -> tuple[list[Part], list[Number]]:
    """The amounts said after the last correction that follows one ("20mg no sorry 15mg": 15)."""
    if not doses:
        return doses, counts
    last = max(dose.start for dose in doses)
    ends = [end for _, end in said if end <= last and any(dose.end <= end for dose in doses)]
    if not ends:
        return doses, counts
    after = max(ends)
    return [d for d in doses if d.start >= after], [n for n in counts if n.start >= after]


def pairs_apart(doses: list[Part], words: list[str]) -> list[Part]:
    """Two amounts with a slash, said of alternate days, as two days' doses ("15mg / 10mg alternating")."""
    apart: list[Part] = []
    for dose in doses:
        number = dose.number
        if number.low == number.high or "/" not in words[number.start : number.end]:
            apart.append(dose)
            continue
        first = number.high if _said_first(words[number.start], number.high) else number.low
        for value in (first, number.low + number.high - first):
            one = replace(number, value=value, low=value, high=value, approximate=False)
            apart.append(replace(dose, mg=dose.mg * value / number.value, number=one))
    return apart


def _said_first(word: str, value: float) -> bool:
    try:
        return float(word) == value
    except ValueError:
        return False
