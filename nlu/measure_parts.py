"""What the age and weight readers share: a message as read, one reading, and how readings are settled.

``Said`` is a message as ``nlu.measures`` reads it (its words, their spans, where each cue
is); a ``Reading`` is one thing said as an age (``nlu.ages``) or a weight (``nlu.weights``);
``kept`` and ``agreed`` settle a message's readings into one ``Measure``, flagged when they
disagree or must not be taken at face value.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from nlu.text import clause_breaks

FLAGGED = 0.5  # below the bar at which the form commits to an answer
REASONS = ("both", "range", "vague", "unclear", "hedge")  # the most telling first, when several apply
STOPS = clause_breaks("measures")


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
class Reading:
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
class Said:
    """A message as read: its words, their character spans, where each kind of cue is, and the day."""

    words: list[str]
    spans: list[tuple[int, int]]
    today: date
    starts: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    ends: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def word(self, at: int) -> str:
        """The word at ``at``, or "" outside the message."""
        return self.words[at] if 0 <= at < len(self.words) else ""

    def before(self, kinds: tuple[str, ...], start: int, reach: int = 1) -> bool:
        """A cue of these kinds ends just before ``start``, or up to ``reach`` words before (no punctuation between)."""
        at = start
        while at > 0 and start - at <= reach:
            if any(at in self.ends[kind] for kind in kinds):
                return True
            at -= 1
            if self.words[at] in STOPS:
                return False
        return False

    def born(self, start: int) -> bool:
        """A "born" or "DOB" up to three words before (the date of "born on the 21st June 1969")."""
        return any(end in self.ends["born"] for end in range(max(0, start - 3), start + 1))


def kept(said: Said, readings: list[Reading]) -> list[Reading]:
    """Those before a correction set aside ("35 no wait 36"), then someone else's numbers.

    The correction first: "I am 52 - wait this is for my wife, she is 48" is the wife's 48.
    """
    last = max((r.start for r in readings), default=-1)
    corrections = [end for end in said.ends["corrections"] if end <= last]
    if corrections:
        readings = [r for r in readings if r.start >= max(corrections)]
    if any(not r.other for r in readings):
        readings = [r for r in readings if not r.other]
    return readings


def agreed(readings: list[Reading], tolerance: float) -> tuple[float, float, str | None]:
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


def measure(said: Said, entity: str, value: Any, reason: str | None, readings: list[Reading]) -> Measure:
    """The entity's reading, over the characters of every reading it was settled from."""
    start = said.spans[min(r.start for r in readings)][0]
    end = said.spans[max(r.end for r in readings) - 1][1]
    return Measure(entity, value, FLAGGED if reason else 1.0, reason, start, end)


def words_of(words: list[Any]) -> set[str]:
    """A list of cue words, lower case."""
    return {str(word).casefold() for word in words}
