"""Durations: how long a patient took one medicine, said on its own ("for about 2 years", "since 2019").

The answer to a follow-up question ("How long have you taken CellCept?") names no medicine,
so the medicine reader's list is empty; this component reads the lengths of time with the
same grammar (``MedicineReader.lengths``: units, "since", ranges and vague words) and adds
one ``duration`` entity: the length ("2 years"), at full confidence when one clear length is
said, flagged (``FLAGGED``, the reason as its role) when it is vague, a range, or when two
different lengths are said.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from criteria.quantities import Quantity
from nlu import clock, dates
from nlu.base import Found, RuleComponent
from nlu.medicines import FLAGGED, MedicineReader
from nlu.medicines import default_reader as medicine_reader

ENTITY = "duration"
# Words that make a date said the end of taking it, not the start.
_ENDED = re.compile(r"\b(?:stopped|stoped|stop|quit|finished|ended|until|till|til|came off|off it)\b", re.IGNORECASE)
# A length said that the length reader set aside ("two years in february"), or a course counted
# ("2 infusions in 2023", "only once"): a date beside them is not where a length starts.
_NOT_FROM_START = re.compile(
    r"\b(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+"
    r"(?:(?:days?|weeks?|months?|years?|yrs?)\b(?!\s+(?:ago|back|before)\b)"
    r"|(?:infusions?|doses?|cycles?|pulses?|shots?|injections?|rounds?|courses?|times)\b)|\bonce\b|\btwice\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Duration:
    """A length of time read from an answer."""

    value: str  # "2 years"
    confidence: float
    reason: str | None
    start: int
    end: int


def read(text: str, reader: MedicineReader | None = None, *, today: date | None = None) -> Duration | None:
    """The one length of time ``text`` says, flagged when it is not clear; None when it says none.

    ``today``: the day a start ("since 2019") is counted to; the screening day by default.
    """
    today = today or clock.screening_day()
    found = (reader or medicine_reader()).lengths(text, today=today)
    said = [f for f in found if f[0]]
    if not said and (started := _from_start(text, today)) is not None:
        return started  # "since I was diagnosed, 2015", "first infusion was 2 years ago": a start said
    if not found:
        return None
    start, end = min(f[2] for f in found), max(f[3] for f in found)
    if not said:
        return Duration("unsure", FLAGGED, found[0][1] or "vague", start, end)
    days = {round(Quantity.parse(f[0]).in_days()) for f in said if f[0]}
    reason = next((f[1] for f in found if f[1]), None)
    if len(days) > 1:
        reason = "both"  # "2 years, 3 maybe": two lengths
    if reason is None and "?" in text[end:] and not text[end:].strip(" ?!."):
        reason = "hedge"  # "6 months?": said as a guess (not "18 months, is that long enough?")
    first = said[0][0]
    assert first is not None
    return Duration(first, FLAGGED if reason else 1.0, reason, start, end)


def _from_start(text: str, today: date) -> Duration | None:
    """The length from the one clear date the answer names (the start) to today; None when it names none.

    Asked how long, a date said is when it began ("started this year in march"); not when the
    words say it ended ("stopped in 2020") or hedge it (the dates reader flags those).
    """
    if _ENDED.search(text) or _NOT_FROM_START.search(text):
        return None
    reading = dates.default_reader().read(text, today)
    if reading is None or reading.confidence < 1.0 or not isinstance(reading.value, dict):
        return None
    ((precision, said),) = reading.value.items()
    first = date.fromisoformat(
        said if precision == "date" else f"{said}-01" if precision == "month" else f"{said}-01-01"
    )
    if precision == "year":
        length, unit = today.year - first.year, "year"
    elif precision == "month":
        length, unit = (today.year - first.year) * 12 + today.month - first.month, "month"
    else:
        length, unit = (today - first).days, "day"
    if length <= 0:
        return None  # "since this year": how long is not said
    # "summer 2025" read as the year: a year or less from a year said is anywhere from 1 to 23 months
    reason = "vague" if unit == "year" and length <= 1 else None
    said = f"{length} {unit}{'s' if length != 1 else ''}"
    return Duration(said, FLAGGED if reason else 1.0, reason, reading.start, reading.end)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class DurationExtractor(RuleComponent):
    """Adds a ``duration`` entity: one length of time, flagged when unclear."""

    def __init__(self, reader: MedicineReader | None = None) -> None:
        """Use this medicine reader's grammar (the bundled one by default)."""
        self.reader = reader

    def found(self, text: str) -> Iterable[tuple[str, Found, str | None]]:
        """The length of time said, if any."""
        duration = read(text, self.reader)
        return [] if duration is None else [(ENTITY, duration, duration.reason)]
