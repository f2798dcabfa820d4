"""The rule language of a trial file, and its three-valued evaluation.

A rule is a small tree written in YAML::

    {all: [rule, ...]}          every child holds
    {any: [rule, ...]}          at least one child holds
    {not: rule}
    {fact: age, min: 18 years, max: 65 years}        numbers, ages, doses (prednisone mg/day)
    {fact: sex, is: female}  /  {fact: x, in: [a, b]}
    {fact: last_cart, within: 6 months}               date on or after the same day 6 months ago
    {fact: last_cancer, within_less_than: 5 years}    strictly less than 5 years ago
    {medicines: {...}}                                 counting medicines (criteria/medicine_rule.py)
    {dose_per_kg: {dose: peak_steroid_dose, weight: body_weight}, above: 1 mg/kg/day}

Children of ``all``/``any`` are gates, read left to right: while the first undecided child
waits for an answer, the facts of later children are not asked. Put the cheap gating
question first (``sex`` before ``pregnant``).

Evaluation is Kleene logic with two kinds of unknown: MISSING (not asked yet: ask) and
UNSURE (asked, but the answer cannot be placed: a person decides).

A decided outcome may also say when it will change by itself (``flips_on``): a date window
passes ("rituximab 3 weeks ago" stops counting after a month), and a medicine taken now
grows longer ("mycophenolate for 10 weeks" reaches 12 weeks). The evaluator turns such a
rule-out into "not yet", with the date from which the patient may qualify.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum
from typing import Any

from criteria.lexicon import Lexicon
from criteria.quantities import Quantity, age_on, shift_back
from criteria.values import NEVER, Dose, Fact


class Truth(Enum):
    """Result of a rule: true, false, or one of two unknowns."""

    TRUE = "true"
    FALSE = "false"
    MISSING = "missing"
    UNSURE = "unsure"


@dataclass(frozen=True)
class Outcome:
    """What a rule decided, which facts decided it, and which facts to ask next.

    ``flips_on``: the first day on which a decided (TRUE/FALSE) outcome turns by itself, when
    only time changes; None when it never does. ``assumed``: the medicine-list facts whose
    implied durations ("the question asked for 3 months or more") the outcome relied on.
    """

    truth: Truth
    used: frozenset[str] = frozenset()
    ask: tuple[str, ...] = ()
    flips_on: date | None = None
    assumed: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Context:
    """Everything a rule reads: the answers, the screening date, the lexicon, implied durations.

    ``ongoing``: medicine-list facts of medicines taken now, whose durations keep growing.
    """

    facts: Mapping[str, Fact]
    today: date
    lexicon: Lexicon
    implied_days: Mapping[str, float]
    ongoing: frozenset[str] = field(default_factory=frozenset)


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


def latest(days: Iterable[date | None]) -> date | None:
    """When every one of these has turned: None if one never does."""
    found = list(days)
    return None if not found or None in found else max(d for d in found if d is not None)


def earliest(days: Iterable[date | None]) -> date | None:
    """When the first of these turns: None if none ever does."""
    found = [d for d in days if d is not None]
    return min(found) if found else None


def _combine(outcomes: list[Outcome], *, decisive: Truth) -> Outcome:
    decided = [o for o in outcomes if o.truth is decisive]
    assumed = frozenset().union(*(o.assumed for o in outcomes))
    if decided:
        # The first decisive child is the reason; later ones are not needed to explain it.
        # The decision stands until every decisive child has turned.
        return Outcome(decisive, decided[0].used, flips_on=latest(o.flips_on for o in decided), assumed=assumed)
    used = frozenset().union(*(o.used for o in outcomes))
    missing = [o for o in outcomes if o.truth is Truth.MISSING]
    if missing:
        return Outcome(Truth.MISSING, used, missing[0].ask)
    if any(o.truth is Truth.UNSURE for o in outcomes):
        return Outcome(Truth.UNSURE, used, assumed=assumed)
    other = Truth.TRUE if decisive is Truth.FALSE else Truth.FALSE
    # Every child holds the other way: the first of them to turn turns the whole.
    return Outcome(other, used, flips_on=earliest(o.flips_on for o in outcomes), assumed=assumed)


@dataclass(frozen=True)
class Not(Rule):
    """Negation; unknowns stay unknown."""

    child: Rule

    def evaluate(self, ctx: Context) -> Outcome:
        """Swap TRUE and FALSE."""
        out = self.child.evaluate(ctx)
        swap = {Truth.TRUE: Truth.FALSE, Truth.FALSE: Truth.TRUE}
        return Outcome(swap.get(out.truth, out.truth), out.used, out.ask, out.flips_on, out.assumed)

    def fact_ids(self) -> tuple[str, ...]:
        """Facts of the child."""
        return self.child.fact_ids()


def read_fact(ctx: Context, fact_id: str) -> Fact | Outcome:
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
        got = read_fact(ctx, self.fact)
        if isinstance(got, Outcome):
            return got
        used = frozenset({self.fact})
        holds = self._holds(got.value, ctx.today)
        return Outcome(_truth(holds), used, flips_on=self._window_ends(got.value, ctx.today) if holds else None)

    def _window_ends(self, value: object, today: date) -> date | None:
        """The first day a date inside a ``within`` window is outside it."""
        window = self.within or self.within_less_than
        if window is None or not isinstance(value, date):
            return None
        day = date.fromordinal(max(today.toordinal(), value.toordinal() + round(window.in_days()) - 3))
        while self._holds(value, day):
            day += timedelta(days=1)
        return day

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
class DosePerKg(Rule):
    """A glucocorticoid dose per kilogram of body weight (prednisone mg/kg/day)."""

    dose: str
    weight: str
    above: Quantity | None = None
    min: Quantity | None = None

    def evaluate(self, ctx: Context) -> Outcome:
        """Dose first: a dose of 0 decides without asking the weight."""
        dose = read_fact(ctx, self.dose)
        if isinstance(dose, Outcome):
            return dose
        assert isinstance(dose.value, Dose)
        mg = dose.value.prednisone_mg_per_day
        if mg == 0:
            return Outcome(Truth.FALSE, frozenset({self.dose}))
        weight = read_fact(ctx, self.weight)
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
