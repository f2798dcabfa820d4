"""Phrasing dates ("3 weeks ago", "last March", "in 2021", "never") and durations ("for 2 years", "since 2019").

A phrasing less exact than the truth (a month, a year, "about") is only used when ``fits``
says every reading of it keeps the truth; otherwise the exact phrasing is used.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from bench.patients.bank import Bank
from bench.patients.speak import Said, number_words, pick
from criteria.quantities import Quantity, shift_back

MONTHS = [date(2000, m, 1).strftime("%B") for m in range(1, 13)]
HALF_UNIT_DAYS = {"day": 1, "week": 3, "month": 15, "year": 182}

Readings = Callable[[list[dict[str, Any]]], bool]


def _accept_all(_: list[dict[str, Any]]) -> bool:
    return True


def spell(bank: Bank, rng: random.Random, n: int, unit: str, clear: bool = False) -> tuple[str, str]:
    """``n`` and the unit as a patient writes them: ("3", "weeks"), ("three", "weeks"), ("a", "week")."""
    word = unit if n == 1 else f"{unit}s"
    if clear:
        return str(n), word
    roll = rng.random()
    if n == 1 and roll < 0.5:
        return "a", word
    if n <= 12 and roll < 0.3:
        return number_words(bank, n), word
    return str(n), word


def parse_length(text: str) -> tuple[int, str]:
    """``"3 week"`` -> (3, "week")."""
    quantity = Quantity.parse(text)
    return int(quantity.value), quantity.unit


def when(
    bank: Bank,
    rng: random.Random,
    fact_id: str,
    raw: str,
    *,
    detail: dict[str, Any] | None,
    today: date,
    clear: bool = False,
    fits: Readings = _accept_all,
) -> Said:
    """A date, or never, in one of several forms."""
    if raw == "never":
        return Said(pick(rng, bank.texts("dates.never"), clear))
    detail = detail or {}
    if detail.get("still"):
        return Said(pick(rng, bank.texts("dates.today"), clear), [{fact_id: today.isoformat()}])
    day = date.fromisoformat(raw)
    formats = bank.texts("dates.formats")
    exact = Said(pick(rng, bank.texts("dates.exact"), clear).format(date=day.strftime(rng.choice(formats))))
    ago = detail.get("ago")
    if ago:
        n, unit = parse_length(ago)
        number, word = spell(bank, rng, n, unit, clear)
        exact_ago = Said(pick(rng, bank.texts("dates.ago"), clear).format(n=number, unit=word))
        if clear or rng.random() < 0.45:
            return exact_ago
    if clear:
        return exact
    options: list[tuple[float, Callable[[], Said]]] = [(25, lambda: exact)]
    if ago:
        options.append((15, lambda: _about_ago(bank, rng, fact_id, ago, today)))
    options.append((20, lambda: _month(bank, rng, fact_id, day, today)))
    options.append((15, lambda: _year(bank, rng, fact_id, day, today)))
    said = rng.choices([make for _, make in options], [weight for weight, _ in options])[0]()
    return said if not said.changes or fits(said.changes) else exact


def _range(fact_id: str, first: date, last: date, today: date) -> list[dict[str, Any]]:
    return [{fact_id: first.isoformat()}, {fact_id: min(last, today).isoformat()}]


def _about_ago(bank: Bank, rng: random.Random, fact_id: str, ago: str, today: date) -> Said:
    n, unit = parse_length(ago)
    centre = shift_back(today, Quantity(n, unit))
    half = timedelta(days=HALF_UNIT_DAYS.get(unit, 1))
    number, word = spell(bank, rng, n, unit)
    text = rng.choice(bank.texts("dates.about_ago")).format(n=number, unit=word)
    return Said(text, _range(fact_id, centre - half, centre + half, today))


def _month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _month(bank: Bank, rng: random.Random, fact_id: str, day: date, today: date) -> Said:
    first, last = _month_bounds(day)
    month = rng.choice([MONTHS[day.month - 1], MONTHS[day.month - 1][:3]])
    recent = (today.year * 12 + today.month) - (day.year * 12 + day.month)
    if 0 < recent < 12 and rng.random() < 0.5:
        template = rng.choice(bank.texts("dates.last_month"))
        if "this year" in template and day.year != today.year:
            template = bank.texts("dates.last_month")[0]
        return Said(template.format(month=MONTHS[day.month - 1]), _range(fact_id, first, last, today))
    text = rng.choice(bank.texts("dates.month_year")).format(month=month, year=day.year)
    return Said(text, _range(fact_id, first, last, today))


def _year(bank: Bank, rng: random.Random, fact_id: str, day: date, today: date) -> Said:
    text = rng.choice(bank.texts("dates.year")).format(year=day.year)
    return Said(text, _range(fact_id, date(day.year, 1, 1), date(day.year, 12, 31), today))


def length(
    bank: Bank,
    rng: random.Random,
    duration: str,
    today: date,
    *,
    current: bool,
    clear: bool = False,
    fits: Callable[[list[str]], bool] = lambda _: True,
) -> str:
    """How long a medicine was taken ("for 2 years", "about 18 months", "since 2019").

    ``fits`` receives the readings of a less exact phrasing, as durations (``"400 day"``).
    """
    n, unit = parse_length(duration)
    if unit == "month" and n % 12 == 0 and not clear and rng.random() < 0.5:
        n, unit = n // 12, "year"
    number, word = spell(bank, rng, n, unit, clear)
    exact = pick(rng, bank.texts("durations.length"), clear).format(n=number, unit=word)
    if clear:
        return exact
    days = Quantity(n, unit).in_days()
    roll = rng.random()
    if roll < 0.15:
        half = HALF_UNIT_DAYS.get(unit, 1) * (2 if unit in {"month", "week"} else 1)
        text = rng.choice(bank.texts("durations.about")).format(n=number, unit=word)
        readings = [f"{max(days - half, 1):.0f} day", f"{days + half:.0f} day"]
        return text if fits(readings) else exact
    start = today - timedelta(days=round(days))
    if current and roll < 0.35 and start.year < today.year:
        first, last = date(start.year, 1, 1), date(start.year, 12, 31)
        text = rng.choice(bank.texts("durations.since_year")).format(year=start.year)
        readings = [f"{(today - last).days} day", f"{(today - first).days} day"]
        return text if fits(readings) else exact
    if current and roll < 0.45:
        first, last = _month_bounds(start)
        month = MONTHS[start.month - 1]
        text = rng.choice(bank.texts("durations.since_month")).format(month=month, year=start.year)
        readings = [f"{max((today - last).days, 1)} day", f"{(today - first).days} day"]
        return text if fits(readings) else exact
    return exact
