"""The rule language of a trial file, and its three-valued evaluation.

A rule is a small tree written in YAML::

    {all: [rule, ...]}          every child holds
    {any: [rule, ...]}          at least one child holds
    {not: rule}
    {fact: age, min: 18 years, max: 65 years}        numbers, ages, doses (prednisone mg/day)
    {fact: sex, is: female}  /  {fact: x, in: [a, b]}
    {fact: last_cart, within: 6 months}               date on or after the same day 6 months ago
    {fact: last_cancer, within_less_than: 5 years}    strictly less than 5 years ago
    {medicines: {from: [current_medicines, past_medicines], classes: [immunosuppressant, biologic],
                 min_count: 2, each_at_least: 3 months}}
    {dose_per_kg: {dose: peak_steroid_dose, weight: body_weight}, above: 1 mg/kg/day}

Children of ``all``/``any`` are gates, read left to right: while the first undecided child
waits for an answer, the facts of later children are not asked. Put the cheap gating
question first (``sex`` before ``pregnant``).

Evaluation is Kleene logic with two kinds of unknown: MISSING (not asked yet: ask) and
UNSURE (asked, but the answer cannot be placed: a person decides).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from criteria.lexicon import Lexicon
from criteria.quantities import Quantity, age_on, shift_back
from criteria.values import NEVER, Dose, Fact, MedicineUse


class Truth(Enum):
    """Result of a rule: true, false, or one of two unknowns."""

    TRUE = "true"
    FALSE = "false"
    MISSING = "missing"
    UNSURE = "unsure"


@dataclass(frozen=True)
class Outcome:
    """What a rule decided, which facts decided it, and which facts to ask next."""

    truth: Truth
    used: frozenset[str] = frozenset()
    ask: tuple[str, ...] = ()


@dataclass(frozen=True)
class Context:
    """Everything a rule reads: the answers, the screening date, the lexicon, implied durations."""

    facts: Mapping[str, Fact]
    today: date
    lexicon: Lexicon
    implied_days: Mapping[str, float]


class Rule:
    """Base of every rule node."""

    def evaluate(self, ctx: Context) -> Outcome:
        """Evaluate against the answers in ``ctx``."""
        raise NotImplementedError

    def fact_ids(self) -> tuple[str, ...]:
        """Every fact this rule may read, in order of first use."""
        raise NotImplementedError


def _dedupe(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


@dataclass(frozen=True)
class AllOf(Rule):
    """Every child holds."""

    children: tuple[Rule, ...]

    def evaluate(self, ctx: Context) -> Outcome:
        """FALSE beats MISSING beats UNSURE beats TRUE."""
        return _combine([c.evaluate(ctx) for c in self.children], decisive=Truth.FALSE)

    def fact_ids(self) -> tuple[str, ...]:
        """Facts of all children."""
        return _dedupe([f for c in self.children for f in c.fact_ids()])


@dataclass(frozen=True)
class AnyOf(Rule):
    """At least one child holds."""

    children: tuple[Rule, ...]

    def evaluate(self, ctx: Context) -> Outcome:
        """TRUE beats MISSING beats UNSURE beats FALSE."""
        return _combine([c.evaluate(ctx) for c in self.children], decisive=Truth.TRUE)

    def fact_ids(self) -> tuple[str, ...]:
        """Facts of all children."""
        return _dedupe([f for c in self.children for f in c.fact_ids()])


def _combine(outcomes: list[Outcome], *, decisive: Truth) -> Outcome:
    decided = [o for o in outcomes if o.truth is decisive]
    if decided:
        # The first decisive child is the reason; later ones are not needed to explain it.
        return Outcome(decisive, decided[0].used)
    used = frozenset().union(*(o.used for o in outcomes))
    missing = [o for o in outcomes if o.truth is Truth.MISSING]
    if missing:
        return Outcome(Truth.MISSING, used, missing[0].ask)
    if any(o.truth is Truth.UNSURE for o in outcomes):
        return Outcome(Truth.UNSURE, used)
    other = Truth.TRUE if decisive is Truth.FALSE else Truth.FALSE
    return Outcome(other, used)


@dataclass(frozen=True)
class Not(Rule):
    """Negation; unknowns stay unknown."""

    child: Rule

    def evaluate(self, ctx: Context) -> Outcome:
        """Swap TRUE and FALSE."""
        out = self.child.evaluate(ctx)
        swap = {Truth.TRUE: Truth.FALSE, Truth.FALSE: Truth.TRUE}
        return Outcome(swap.get(out.truth, out.truth), out.used, out.ask)

    def fact_ids(self) -> tuple[str, ...]:
        """Facts of the child."""
        return self.child.fact_ids()


def _read(ctx: Context, fact_id: str) -> Fact | Outcome:
    """The fact, or the Outcome that stands in for it when it is missing or unsure."""
    fact = ctx.facts.get(fact_id)
    if fact is None:
        return Outcome(Truth.MISSING, frozenset(), (fact_id,))
    if fact.unsure:
        return Outcome(Truth.UNSURE, frozenset({fact_id}))
    return fact


def _truth(flag: bool) -> Truth:
    return Truth.TRUE if flag else Truth.FALSE


@dataclass(frozen=True)
class FactTest(Rule):
    """A test on one fact's value."""

    fact: str
    equals: tuple[Any, ...] = ()
    min: Quantity | None = None
    max: Quantity | None = None
    above: Quantity | None = None
    below: Quantity | None = None
    within: Quantity | None = None
    within_less_than: Quantity | None = None

    def evaluate(self, ctx: Context) -> Outcome:
        """Compare the fact's value with the rule's bounds."""
        got = _read(ctx, self.fact)
        if isinstance(got, Outcome):
            return got
        used = frozenset({self.fact})
        return Outcome(_truth(self._holds(got.value, ctx.today)), used)

    def _holds(self, value: object, today: date) -> bool:
        if self.equals:
            return value in self.equals
        if self.within is not None or self.within_less_than is not None:
            if value is NEVER:
                return False
            assert isinstance(value, date)
            if self.within is not None:
                return value >= shift_back(today, self.within)
            assert self.within_less_than is not None
            return value > shift_back(today, self.within_less_than)
        number = _as_number(value, today)
        checks: list[tuple[Quantity | None, Callable[[float, float], bool]]] = [
            (self.min, lambda a, b: a >= b),
            (self.max, lambda a, b: a <= b),
            (self.above, lambda a, b: a > b),
            (self.below, lambda a, b: a < b),
        ]
        return all(bound is None or op(number, _bound_value(bound)) for bound, op in checks)

    def fact_ids(self) -> tuple[str, ...]:
        """The one fact."""
        return (self.fact,)


def _as_number(value: object, today: date) -> float:
    """Numbers the comparators read: years for ages, prednisone mg/day for doses, kg for weights."""
    if isinstance(value, Dose):
        return value.prednisone_mg_per_day
    if isinstance(value, date):
        return float(age_on(value, today))
    if isinstance(value, Quantity):
        return value.in_kg() if value.dimension == "weight" else value.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"cannot compare {value!r} with a number")
    return float(value)


def _bound_value(bound: Quantity) -> float:
    return bound.in_kg() if bound.dimension == "weight" else bound.value


@dataclass(frozen=True)
class MedicineTest(Rule):
    """Counts medicines of some classes across one or more medicine-list facts.

    Each listed medicine is *sure* (in a wanted class and long enough), *out* (another class
    or known too short) or *maybe* (a name we cannot place, or a duration not given). The
    rule holds when the sure ones suffice, fails when even every maybe would not, and is
    unknown in between.
    """

    sources: tuple[str, ...]
    classes: tuple[str, ...]
    min_count: int = 1
    each_at_least: Quantity | None = None
    total_more_than: Quantity | None = None

    def evaluate(self, ctx: Context) -> Outcome:
        """Three-valued count (and cumulative duration) over the listed medicines."""
        items: list[tuple[MedicineUse, float | None]] = []
        pending: list[Outcome] = []
        used: set[str] = set()
        for source in self.sources:
            got = _read(ctx, source)
            if isinstance(got, Outcome):
                pending.append(got)
                used |= got.used
                continue
            used.add(source)
            assert isinstance(got.value, tuple)
            implied = ctx.implied_days.get(source)
            items.extend((use, implied) for use in got.value)
        # One agent named twice (CellCept now, "mycophenolate" in the past) is one medicine.
        groups: dict[str, list[tuple[MedicineUse, float | None]]] = {}
        for use, implied in items:
            key = ctx.lexicon.agent_of(use.medicine) if use.medicine else "?" + use.said.strip().casefold()
            groups.setdefault(key, []).append((use, implied))
        sure = maybe = 0
        low = high = 0.0
        for entries in groups.values():
            first = entries[0][0].medicine
            in_class = ctx.lexicon.membership(first, self.classes) if first else None
            if in_class is False:
                continue
            checks = [self._long_enough(use.duration_days, implied) for use, implied in entries]
            long_enough = True if True in checks else False if all(c is False for c in checks) else None
            if long_enough is False:
                continue
            known = [use.duration_days for use, _ in entries if use.duration_days is not None]
            floor = max([*known, *(implied or 0.0 for _, implied in entries)])
            if in_class and long_enough:
                sure += 1
                low += floor
            else:
                maybe += 1
            high += sum(known) if len(known) == len(entries) else math.inf
        open_end = bool(pending)
        verdicts = [self._count_verdict(sure, maybe, open_end)]
        if self.total_more_than is not None:
            limit = self.total_more_than.in_days()
            if open_end:
                high = math.inf
            verdicts.append(Truth.TRUE if low > limit else Truth.FALSE if high <= limit else None)
        frozen_used = frozenset(used)
        if all(v is Truth.TRUE for v in verdicts):
            return Outcome(Truth.TRUE, frozen_used)
        if any(v is Truth.FALSE for v in verdicts):
            return Outcome(Truth.FALSE, frozen_used)
        missing = [p for p in pending if p.truth is Truth.MISSING]
        if missing:
            return Outcome(Truth.MISSING, frozen_used, missing[0].ask)
        return Outcome(Truth.UNSURE, frozen_used)

    def _long_enough(self, known: float | None, implied: float | None) -> bool | None:
        if self.each_at_least is None:
            return True
        need = self.each_at_least.in_days()
        if known is not None:
            # Half a day of slack absorbs month/week rounding ("3 months" vs 91.3 days).
            return known + 0.5 >= need
        if implied is not None and implied + 0.5 >= need:
            return True
        return None

    def _count_verdict(self, sure: int, maybe: int, open_end: bool) -> Truth | None:
        if sure >= self.min_count:
            return Truth.TRUE
        if not open_end and sure + maybe < self.min_count:
            return Truth.FALSE
        return None

    def fact_ids(self) -> tuple[str, ...]:
        """The medicine-list facts."""
        return self.sources


@dataclass(frozen=True)
class DosePerKg(Rule):
    """A glucocorticoid dose per kilogram of body weight (prednisone mg/kg/day)."""

    dose: str
    weight: str
    above: Quantity | None = None
    min: Quantity | None = None

    def evaluate(self, ctx: Context) -> Outcome:
        """Dose first: a dose of 0 decides without asking the weight."""
        dose = _read(ctx, self.dose)
        if isinstance(dose, Outcome):
            return dose
        assert isinstance(dose.value, Dose)
        mg = dose.value.prednisone_mg_per_day
        if mg == 0:
            return Outcome(Truth.FALSE, frozenset({self.dose}))
        weight = _read(ctx, self.weight)
        if isinstance(weight, Outcome):
            return Outcome(weight.truth, weight.used | {self.dose}, weight.ask)
        kg = _as_number(weight.value, ctx.today)
        per_kg = mg / kg
        ok = (self.above is None or per_kg > self.above.value) and (self.min is None or per_kg >= self.min.value)
        return Outcome(_truth(ok), frozenset({self.dose, self.weight}))

    def fact_ids(self) -> tuple[str, ...]:
        """Dose, then weight."""
        return (self.dose, self.weight)


def walk(rule: Rule) -> list[Rule]:
    """Every node of a rule tree, parents first."""
    nodes: list[Rule] = [rule]
    if isinstance(rule, AllOf | AnyOf):
        for child in rule.children:
            nodes.extend(walk(child))
    elif isinstance(rule, Not):
        nodes.extend(walk(rule.child))
    return nodes
