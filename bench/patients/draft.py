"""A patient being made: true answers, how the patient knows them, and helpers to set them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from criteria.quantities import Quantity, age_on, shift_back

STEROID_DOSES: dict[str, list[float]] = {  # usual daily doses (mg) by medicine, as patients take them
    "prednisone": [2.5, 5, 7.5, 10, 12.5, 15, 20, 25, 30],
    "prednisolone": [5, 7.5, 10, 15, 20],
    "methylprednisolone": [4, 8, 12, 16, 24],
}
IMMUNOSUPPRESSANTS = ["mycophenolate_mofetil", "azathioprine", "methotrexate", "tacrolimus", "leflunomide"]
B_CELL = ["rituximab", "belimumab"]


@dataclass
class Draft:
    """A patient being made: answers, details, and helpers for dates."""

    rng: random.Random
    today: date
    cohort: str
    answers: dict[str, Any]
    details: dict[str, Any]
    story: list[str]

    def when(self, fact: str, n: int, unit: str) -> None:
        """The true date of ``fact``: ``n`` units before today, as the patient knows it."""
        self.answers[fact] = shift_back(self.today, Quantity(n, unit)).isoformat()
        self.details[fact] = {"ago": f"{n} {unit}"}

    def never(self, fact: str) -> None:
        """The patient never had it."""
        self.answers[fact] = "never"
        self.details.pop(fact, None)

    def born(self, age: int) -> None:
        """A birth date giving this age today."""
        born = shift_back(self.today, Quantity(age, "year")) - timedelta(days=self.rng.randint(0, 360))
        while age_on(born, self.today) != age:
            born += timedelta(days=1)
        self.answers["age"] = born.isoformat()
        self.details["age"] = {"years": age}

    def medicines(self, fact: str) -> list[dict[str, str]]:
        """The (mutable) list of a medicine-list fact."""
        value = self.answers.get(fact)
        if not isinstance(value, list):
            value = []
            self.answers[fact] = value
        return value

    def take(self, fact: str, medicine: str, n: int, unit: str) -> None:
        """Add a medicine with how long it was (or has been) taken."""
        self.medicines(fact).append({"medicine": medicine, "duration": f"{n} {unit}"})

    def drop(self, fact: str, medicine: str) -> None:
        """Remove a medicine from a list."""
        self.answers[fact] = [m for m in self.medicines(fact) if m["medicine"] != medicine]

    def steroid(self, medicine: str | None, mg: float | None = None) -> None:
        """The steroid taken now (None: none), with its daily dose."""
        self.answers["current_medicines"] = [
            m for m in self.medicines("current_medicines") if m["medicine"] not in STEROID_DOSES
        ]
        if medicine is None:
            self.answers["current_steroid"] = False
            self.answers["current_steroid_dose"] = "none"
            return
        mg = mg if mg is not None else self.rng.choice(STEROID_DOSES[medicine])
        self.medicines("current_medicines").insert(0, {"medicine": medicine, "duration": self.length(6, 60)})
        self.answers["current_steroid"] = True
        self.answers["current_steroid_dose"] = {"medicine": medicine, "mg_per_day": mg}
        self.answers["ever_steroids"] = True

    def length(self, low_months: int, high_months: int) -> str:
        """A duration between two lengths in months, as a patient would know it."""
        months = self.rng.randint(low_months, high_months)
        if months >= 24 and self.rng.random() < 0.6:
            return f"{months // 12} year"
        return f"{months} month"
