"""Phrasing medicines: names (generic, brand, the misspellings patients use), daily steroid doses, lists.

Names come from ``criteria/data/medicines.yaml`` (the engine's own names for each medicine),
so every name a patient types means the medicine they take. Doses may be composed: tablets x
strength in either order, a half or one and a half tablets, a morning and an evening dose, or
twice the daily dose every other day.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from bench.patients.bank import Bank
from bench.patients.speak import Said, num, pick
from bench.patients.speak_time import length
from criteria.lexicon import Lexicon


def name_of(lexicon: Lexicon, rng: random.Random, medicine_id: str, clear: bool = False) -> str:
    """A name a patient uses for a medicine: mostly the generic name, else a brand or a common misspelling."""
    medicine = lexicon.medicines.get(medicine_id)
    if medicine is None:
        return medicine_id.replace("_", " ")
    roll = rng.random()
    if clear or roll < 0.55 or not (medicine.brands or medicine.aliases):
        return medicine.generic
    if medicine.brands and (roll < 0.85 or not medicine.aliases):
        return rng.choice(medicine.brands)
    return rng.choice(medicine.aliases)


@dataclass(frozen=True)
class DoseParts:
    """How a daily dose was put: its template kind and the numbers in it."""

    kind: str  # plain, tablets, fraction, split, alternate
    values: dict[str, Any]


def dose_parts(bank: Bank, rng: random.Random, medicine_id: str, mg: float, clear: bool = False) -> DoseParts:
    """A way to say ``mg`` a day of a steroid, composed from the tablets patients have."""
    if clear:
        return DoseParts("plain", {"mg": num(mg)})
    options = [DoseParts("plain", {"mg": num(mg)})]
    for strength in bank.strengths.get(medicine_id, []):
        count = mg / strength
        if count in {2, 3, 4}:
            options.append(DoseParts("tablets", {"count": int(count), "strength": num(strength)}))
        halves = bank.texts("numbers.halves")
        if count in {0.5, 1.5, 2.5, 3.5}:
            words = halves[int(count)]
            plural = "tablet" if count <= 1 else "tablets"
            options.append(DoseParts("fraction", {"count_words": words, "strength": num(strength), "tablets": plural}))
    if mg >= 2 and float(mg).is_integer():  # halves of a whole dose: 5 -> 2.5 + 2.5, 15 -> 7.5 + 7.5
        options.append(DoseParts("split", {"am": num(mg / 2), "pm": num(mg / 2)}))
    if mg >= 8 and mg % 4 == 0:
        options.append(DoseParts("split", {"am": num(mg * 3 / 4), "pm": num(mg / 4)}))
    if rng.random() < 0.3:
        options.append(DoseParts("alternate", {"mg2": num(mg * 2)}))
    weights = [3.0 if part.kind == "plain" else 2.0 for part in options]
    return rng.choices(options, weights)[0]


def dose(bank: Bank, lexicon: Lexicon, rng: random.Random, raw: Any, clear: bool = False) -> Said:
    """Today's daily steroid dose, or none."""
    if not isinstance(raw, dict):
        return Said(pick(rng, bank.texts("doses.none"), clear))
    medicine_id = str(raw["medicine"])
    name = name_of(lexicon, rng, medicine_id, clear)
    parts = dose_parts(bank, rng, medicine_id, float(raw["mg_per_day"]), clear)
    template = pick(rng, bank.texts(f"doses.{parts.kind}"), clear)
    return Said(template.format(medicine=name, **parts.values), protect=frozenset({name}))


def medicine_list(
    bank: Bank,
    lexicon: Lexicon,
    rng: random.Random,
    raw: Any,
    today: date,
    *,
    current: bool,
    durations: bool = True,
    leave_out: frozenset[str] = frozenset(),
    clear: bool = False,
    fits: Callable[[int, list[str]], bool] = lambda _i, _r: True,
) -> tuple[Said, dict[str, str]]:
    """A list of medicines, with or without how long; also the name used for each medicine id.

    ``leave_out``: medicine ids the patient forgets to name. ``fits(index, readings)`` checks a
    less exact duration of item ``index``.
    """
    items = [item for item in raw if item["medicine"] not in leave_out] if isinstance(raw, list) else []
    if not items:
        return Said(pick(rng, bank.texts("medicines.none_now" if current else "medicines.none_past"), clear)), {}
    names: dict[str, str] = {}
    parts = []
    for index, item in enumerate(raw):
        if item["medicine"] in leave_out:
            continue
        name = name_of(lexicon, rng, item["medicine"], clear)
        names[item["medicine"]] = name
        if not durations or not item.get("duration"):
            parts.append(name)
            continue
        said = length(bank, rng, item["duration"], today, current=current, clear=clear, fits=partial(fits, index))
        parts.append(pick(rng, bank.texts("medicines.item"), clear).format(medicine=name, duration=said))
    lead = "" if clear else rng.choice(bank.texts("medicines.lead_now" if current else "medicines.lead_past"))
    text = lead + join(rng, parts, clear)
    return Said(text, protect=frozenset(names.values())), names


def join(rng: random.Random, parts: list[str], clear: bool = False) -> str:
    """Items joined as patients list them: "a, b and c", "a; b; c"."""
    if len(parts) == 1:
        return parts[0]
    if clear:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    separator = rng.choice([", ", ", ", "; ", " + "])
    last = rng.choice([" and ", ", ", ", and ", separator])
    return separator.join(parts[:-1]) + last + parts[-1]
