"""Body weights in free text: "70 kg", "154 lbs", "11 stone 6", "160", "was 80, now 72".

``WeightReader`` reads what a message says as a body weight, on the words ``nlu.measures``
prepared: a number with its unit (stone with its pounds), or without one (kg when only kg is
plausible, else flagged: it could be lb), a former or peak weight set aside for today's; then
settles them into one weight (kg, or ``"<n> lb"``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from criteria.quantities import WEIGHT_KG
from nlu.measure_parts import Measure, Reading, Said, agreed, kept, measure
from nlu.numbers import Number

_LB_KG = WEIGHT_KG["lb"]
_STONE_LB = 14


class WeightReader:
    """Reads body weights, and settles them into one."""

    def __init__(self, cues: dict[str, Any], unit_of: dict[str, str]) -> None:
        """The weight ranges of ``nlu/data/measures.yaml`` (``weight_kg``) and the units by spelling."""
        self.unit_of = unit_of
        self.plausible_kg = (float(cues["weight_kg"]["plausible"][0]), float(cues["weight_kg"]["plausible"][1]))
        self.possible_kg = (float(cues["weight_kg"]["possible"][0]), float(cues["weight_kg"]["possible"][1]))

    def weight(
        self, said: Said, number: Number, unit: str, end: int, *, following: Number | None, pounds: set[int]
    ) -> Reading:
        """A number with its weight unit; stone with its pounds ("10 st 4", "11 stone and 6 pounds")."""
        factor = {"kg": 1.0, "lb": _LB_KG, "stone": _STONE_LB * _LB_KG}[unit]
        kg = (number.low * factor, number.high * factor, number.value * factor)
        lb = None if unit == "kg" else number.value * (1 if unit == "lb" else _STONE_LB)
        nxt = following
        if (
            unit == "stone"
            and nxt is not None
            and number.low == number.high
            and nxt.exact
            and 0 <= nxt.value < _STONE_LB
            and said.words[end : nxt.start] in ([], ["and"])
        ):
            pounds.add(nxt.start)
            lb = number.value * _STONE_LB + nxt.value
            kg = (lb * _LB_KG,) * 3
            end = nxt.end + (self.unit_of.get(said.word(nxt.end)) == "lb")
        return self._weight_reading(said, number, kg, end, lb=lb, marked=True)

    def bare_weight(self, said: Said, number: Number) -> list[Reading]:
        """A number without a unit: kg when only kg is plausible, else flagged (it could be lb)."""
        if said.before(("age_words",), number.start, reach=2) or number.end in said.starts["age_words"]:
            return []
        value = number.value
        kg_ok = self.plausible_kg[0] <= value <= self.plausible_kg[1]
        lb_ok = self.plausible_kg[0] <= value * _LB_KG <= self.plausible_kg[1]
        if not (kg_ok or lb_ok or self.possible_kg[0] <= value <= self.possible_kg[1]):
            return []
        factor = _LB_KG if lb_ok and not kg_ok else 1.0
        kg = (number.low * factor, number.high * factor, value * factor)
        marked = said.before(("weight_words",), number.start, reach=2)  # "my weight is 54"
        reading = self._weight_reading(said, number, kg, number.end, lb=value if factor != 1.0 else None, marked=marked)
        return [reading if kg_ok and not lb_ok else replace(reading, reason=reading.reason or "unclear")]

    def _weight_reading(
        self, said: Said, number: Number, kg: tuple[float, float, float], end: int, *, lb: float | None, marked: bool
    ) -> Reading:
        peak = said.before(("weight_peak",), number.start) or any(
            at in said.starts["weight_peak_after"] for at in (end, end + 1)
        )  # "went up to 90", "80 before the steroids"
        possible = self.possible_kg[0] <= kg[2] <= self.possible_kg[1]
        reason = "vague" if number.bound else "unclear" if peak or not possible else None
        then = peak or said.before(("weight_then",), number.start)
        other = said.before(("others",), number.start, reach=2)
        return Reading(*kg, number.start, end, reason=reason, marked=marked, then=then, other=other, lb=lb)

    def settle_weight(self, said: Said, readings: list[Reading]) -> Measure | None:
        """The weight: what the readings agree on (kg and lb said together), or a flagged reading."""
        readings = kept(said, readings)
        if any(r.marked for r in readings):
            readings = [r for r in readings if r.marked]  # "I'm 45, 70 kg": the 45 is not a weight
        if any(not r.then for r in readings):
            readings = [r for r in readings if not r.then]  # "was 80, now 72"
        if not readings:
            return None
        _, _, reason = agreed(readings, max(1.0, 0.02 * max(r.value for r in readings)))  # 154 lb is 70 kg
        if reason is None and readings[0].then:
            reason = "unclear"  # only a former weight
        if reason is None and said.starts["hedges"]:
            reason = "hedge"
        chosen = next((r for r in readings if r.lb is None and r.marked), readings[0])
        value = f"{round(chosen.lb, 1):g} lb" if chosen.lb is not None else round(float(chosen.value), 2)
        return measure(said, "weight", value, reason, readings)
