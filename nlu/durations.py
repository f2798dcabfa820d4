"""Durations: how long a patient took one medicine, said on its own ("for about 2 years", "since 2019").

The answer to a follow-up question ("How long have you taken CellCept?") names no medicine,
so the medicine reader's list is empty; this component reads the lengths of time with the
same grammar (``MedicineReader.lengths``: units, "since", ranges and vague words) and adds
one ``duration`` entity: the length ("2 years"), at full confidence when one clear length is
said, flagged (``FLAGGED``, the reason as its role) when it is vague, a range, or when two
different lengths are said.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from criteria.quantities import Quantity
from nlu import clock
from nlu.base import Found, RuleComponent
from nlu.medicines import FLAGGED, MedicineReader
from nlu.medicines import default_reader as medicine_reader

ENTITY = "duration"


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
    found = (reader or medicine_reader()).lengths(text, today=today or clock.screening_day())
    if not found:
        return None
    said = [f for f in found if f[0]]
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
