"""Typed fact values and the fact record itself (pure data, no I/O).

A fact is one answer: the value the rules read, the patient's own words, how sure the
reader of those words was, and who set it. "Not sure" is a value of its own (``UNSURE``),
never a "no".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Literal, TypeAlias

from criteria.quantities import Quantity


class Marker(str, Enum):
    """Values that are not measurements (equal to their YAML spelling, e.g. ``never``)."""

    UNSURE = "unsure"
    NEVER = "never"

    def __repr__(self) -> str:
        return self.name


UNSURE = Marker.UNSURE
NEVER = Marker.NEVER


@dataclass(frozen=True)
class Dose:
    """A daily glucocorticoid dose, already converted to prednisone equivalents.

    ``medicine`` is None for "no steroid" (0 mg/day). ``how`` is the arithmetic behind
    ``mg_per_day`` when the patient said it in parts ("2 × 5 mg", "20 mg every other day"),
    for the coordinator and the read-back; it never changes a decision, so not equality either.
    """

    medicine: str | None
    mg_per_day: float
    prednisone_mg_per_day: float
    how: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class MedicineUse:
    """One medicine a patient named, with how long they took it when they said so.

    ``medicine`` is the lexicon id, or None when the name could not be placed.
    """

    said: str
    medicine: str | None
    duration_days: float | None = None


Value: TypeAlias = bool | str | int | float | date | Quantity | Dose | tuple[MedicineUse, ...] | Marker


@dataclass(frozen=True)
class Fact:
    """One answered question.

    Attributes:
        id: the fact id from the trial file.
        value: typed value (see ``criteria.coerce``), ``UNSURE`` for "not sure".
        said: the patient's own words, kept for the coordinator.
        confidence: how sure the reader of ``said`` was (1.0 for buttons and coordinators).
        conflicting: the answer said two opposite things ("yes... well no").
        set_by: who set it: the patient or a coordinator settling a handoff.
        at: when it was set.
    """

    id: str
    value: Value
    said: str | None = None
    confidence: float = 1.0
    conflicting: bool = False
    set_by: Literal["patient", "coordinator"] = "patient"
    at: datetime | None = field(default=None, compare=False)

    @property
    def unsure(self) -> bool:
        """True when the answer cannot be placed: "not sure" or self-contradicting."""
        return self.value is UNSURE or self.conflicting
