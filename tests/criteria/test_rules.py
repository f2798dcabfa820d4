"""The rule language: parsing errors, three-valued logic, gating, medicine counting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from criteria import NEVER, UNSURE, Dose, Fact, MedicineUse
from criteria.lexicon import Lexicon
from criteria.medicine_rule import MedicineTest
from criteria.quantities import Quantity
from criteria.ruleparse import parse_rule
from criteria.rules import (
    AllOf,
    AnyOf,
    Context,
    DosePerKg,
    FactTest,
    Not,
    Outcome,
    Rule,
    Truth,
)

T, F, M, U = Truth.TRUE, Truth.FALSE, Truth.MISSING, Truth.UNSURE
TODAY = date(2026, 11, 25)


@dataclass(frozen=True)
class Fixed(Rule):
    """A rule whose answer is given, asking for ``name`` when missing."""

    truth: Truth
    name: str = "x"

    def evaluate(self, ctx: Context) -> Outcome:
        return Outcome(self.truth, frozenset({self.name}), (self.name,) if self.truth is M else ())

    def fact_ids(self) -> tuple[str, ...]:
        return (self.name,)


def ctx(
    lexicon: Lexicon, implied: dict[str, float] | None = None, ongoing: frozenset[str] = frozenset(), **values: Any
) -> Context:
    facts = {k: v if isinstance(v, Fact) else Fact(k, v) for k, v in values.items()}
    return Context(facts=facts, today=TODAY, lexicon=lexicon, implied_days=implied or {}, ongoing=ongoing)


@pytest.mark.parametrize(
    ("left", "right", "all_of", "any_of"),
    [
        (T, T, T, T),
        (T, F, F, T),  # one false sinks "all", one true floats "any"
        (F, M, F, M),  # a false decides "all" without waiting for the missing answer
        (T, M, M, T),  # a true decides "any" without waiting
        (M, U, M, M),  # missing beats unsure: asking may still settle it
        (U, T, U, T),
        (U, F, F, U),
        (U, U, U, U),
    ],
)
def test_kleene_tables(lexicon: Lexicon, left: Truth, right: Truth, all_of: Truth, any_of: Truth) -> None:
    pair = (Fixed(left, "a"), Fixed(right, "b"))
    assert AllOf(pair).evaluate(ctx(lexicon)).truth is all_of
    assert AnyOf(pair).evaluate(ctx(lexicon)).truth is any_of


@pytest.mark.parametrize(("inner", "outer"), [(T, F), (F, T), (M, M), (U, U)])
def test_not_keeps_unknowns(lexicon: Lexicon, inner: Truth, outer: Truth) -> None:
    assert Not(Fixed(inner)).evaluate(ctx(lexicon)).truth is outer


def test_gates_ask_the_first_open_child_only(lexicon: Lexicon) -> None:
    rule = AllOf((Fixed(M, "gate"), Fixed(M, "follow_up")))
    assert rule.evaluate(ctx(lexicon)).ask == ("gate",)
    rule = AllOf((Fixed(T, "gate"), Fixed(M, "follow_up")))
    assert rule.evaluate(ctx(lexicon)).ask == ("follow_up",)


@pytest.mark.parametrize(
    ("test", "value", "truth"),
    [
        (FactTest("d", within=Quantity(6, "month")), date(2026, 5, 25), T),  # exactly 6 months ago: within
        (FactTest("d", within=Quantity(6, "month")), date(2026, 5, 24), F),
        (FactTest("d", within=Quantity(6, "month")), NEVER, F),  # never is never within
        (FactTest("d", within_less_than=Quantity(5, "year")), date(2021, 11, 25), F),  # exactly 5 years: not "< 5"
        (FactTest("d", within_less_than=Quantity(5, "year")), date(2021, 11, 26), T),
        (FactTest("d", equals=("never",)), NEVER, T),  # YAML's "never" matches the marker
        (FactTest("d", min=Quantity(18, "year"), max=Quantity(65, "year")), 65, T),
        (FactTest("d", min=Quantity(18, "year"), max=Quantity(65, "year")), date(1960, 11, 25), F),  # 66 today
        (FactTest("d", max=Quantity(40, "mg/day")), Dose("methylprednisolone", 32, 40.0), T),
        (FactTest("d", above=Quantity(0, "mg/day")), Dose(None, 0, 0.0), F),
        (FactTest("d", min=Quantity(50, "kg")), Quantity(120, "lb"), T),  # 54.4 kg
        (FactTest("d", equals=(True,)), UNSURE, U),
    ],
)
def test_fact_tests(lexicon: Lexicon, test: FactTest, value: Any, truth: Truth) -> None:
    assert test.evaluate(ctx(lexicon, d=value)).truth is truth


def test_fact_test_asks_for_a_missing_fact(lexicon: Lexicon) -> None:
    out = FactTest("age", min=Quantity(18, "year")).evaluate(ctx(lexicon))
    assert (out.truth, out.ask) == (M, ("age",))


def test_conflicting_answer_is_unsure(lexicon: Lexicon) -> None:
    fact = Fact("d", True, conflicting=True)
    assert FactTest("d", equals=(True,)).evaluate(ctx(lexicon, d=fact)).truth is U


def uses(*items: tuple[str, float | None]) -> tuple[MedicineUse, ...]:
    return tuple(MedicineUse(name, name if name != "???" else None, days) for name, days in items)


TWO_IS = MedicineTest(("now", "past"), ("immunosuppressant", "biologic"), 2, Quantity(3, "month"))


@pytest.mark.parametrize(
    ("now", "past", "truth"),
    [
        (uses(("methotrexate", 200), ("rituximab", 100)), uses(), T),
        (uses(("methotrexate", 200), ("belimumab", 60)), uses(), F),  # one is too short
        # Review item 7: rituximab "2 weeks" (two infusions) was "too short" and ruled out;
        # a drug given in infusions or pulses may be a whole course: a maybe for the site.
        (uses(("methotrexate", 200), ("rituximab", 14)), uses(), U),
        (uses(("methotrexate", 200), ("cyclophosphamide", 30)), uses(), U),  # monthly pulses
        # Minor item: drugs the listing does not name (abatacept, baricitinib) counted in full.
        (uses(("methotrexate", 200), ("abatacept", 400)), uses(), U),
        (uses(("methotrexate", 200), ("ocrelizumab", 400)), uses(), U),
        (uses(("methotrexate", 200), ("anifrolumab", 400)), uses(), U),  # review item 2
        (uses(("methotrexate", 200)), uses(("azathioprine", None)), T),  # past list implies 3 months
        (uses(("methotrexate", 200), ("azathioprine", None)), uses(), U),  # current, no duration: maybe
        (uses(("methotrexate", 200), ("???", 400)), uses(), U),  # a name we cannot place: maybe
        (uses(("methotrexate", 200), ("voclosporin", 400)), uses(), U),  # unlisted immune drug: maybe
        (uses(("methotrexate", 200), ("hydroxychloroquine", 400)), uses(), F),  # antimalarial does not count
        (uses(("methotrexate", 200), ("folic_acid", 400)), uses(), F),  # supportive medicines never count
        ((), (), F),  # "none" to both questions
    ],
)
def test_medicine_counting(
    lexicon: Lexicon, now: tuple[MedicineUse, ...], past: tuple[MedicineUse, ...], truth: Truth
) -> None:
    implied = {"past": Quantity(3, "month").in_days()}
    assert TWO_IS.evaluate(ctx(lexicon, implied, now=now, past=past)).truth is truth


def test_medicine_count_asks_the_missing_list(lexicon: Lexicon) -> None:
    out = TWO_IS.evaluate(ctx(lexicon, now=uses(("methotrexate", 200))))
    assert (out.truth, out.ask) == (M, ("past",))
    # Enough already: the second list is not needed.
    out = TWO_IS.evaluate(ctx(lexicon, now=uses(("methotrexate", 200), ("rituximab", 200))))
    assert out.truth is T


CUMULATIVE = MedicineTest(("now", "past"), ("immunosuppressant", "biologic"), total_more_than=Quantity(6, "month"))


@pytest.mark.parametrize(
    ("now", "past", "truth"),
    [
        (uses(("mycophenolate_mofetil", 4 * 30.4375)), uses(("methotrexate", 3 * 30.4375)), T),  # 7 months
        # Minor item "boundaries": "6 months" against "more than 6 months" ruled out; patients
        # round what they report, so a total exactly at the bound is for the site.
        (uses(("mycophenolate_mofetil", 6 * 30.4375)), uses(), U),
        (uses(("mycophenolate_mofetil", 5 * 30.4375)), uses(), F),  # 5 months is clearly short
        (uses(("mycophenolate_mofetil", 3 * 30.4375)), uses(("methotrexate", None)), U),  # at least 6, maybe more
        (uses(("mycophenolate_mofetil", None)), uses(), U),
    ],
)
def test_cumulative_duration(lexicon: Lexicon, now: Any, past: Any, truth: Truth) -> None:
    implied = {"past": Quantity(3, "month").in_days()}
    assert CUMULATIVE.evaluate(ctx(lexicon, implied, now=now, past=past)).truth is truth


def test_a_date_window_says_when_it_ends(lexicon: Lexicon) -> None:
    # Rituximab 3 weeks ago: inside "within 1 month" until the day after 1 month from it.
    rule = FactTest("d", within=Quantity(1, "month"))
    out = rule.evaluate(ctx(lexicon, d=TODAY - timedelta(days=21)))
    assert (out.truth, out.flips_on) == (T, date(2026, 12, 5))
    assert rule.evaluate(ctx(lexicon, d=date(2026, 11, 4))).truth is T
    assert (
        FactTest("d", within=Quantity(1, "month"))
        .evaluate(
            Context(
                facts={"d": Fact("d", date(2026, 11, 4))}, today=date(2026, 12, 5), lexicon=lexicon, implied_days={}
            )
        )
        .truth
        is F
    )
    # A date outside the window, or never, does not flip by itself.
    assert rule.evaluate(ctx(lexicon, d=NEVER)).flips_on is None
    assert FactTest("d", within_less_than=Quantity(5, "year")).evaluate(ctx(lexicon, d=date(2024, 3, 1))).flips_on == (
        date(2029, 3, 1)  # exactly 5 years on is no longer "< 5 years"
    )


@pytest.mark.parametrize(
    ("rule", "flips_on"),
    [
        # all(...) that holds stops holding when its first child stops: minor surgery 10 days ago
        (
            AllOf((FactTest("a", within=Quantity(4, "week")), FactTest("a", within=Quantity(2, "week")))),
            date(2026, 11, 30),
        ),
        # any(...) that holds stops only when every holding child has stopped
        (
            AnyOf((FactTest("a", within=Quantity(4, "week")), FactTest("a", within=Quantity(2, "week")))),
            date(2026, 12, 14),
        ),
        # ... and never, when one holding child never stops
        (AnyOf((FactTest("a", within=Quantity(2, "week")), FactTest("b", equals=(True,)))), None),
        # all(...) with a child that holds for good still ends with the one that stops
        (AllOf((FactTest("a", within=Quantity(2, "week")), Not(FactTest("b", equals=(False,))))), date(2026, 11, 30)),
    ],
)
def test_combinations_carry_the_day_they_turn(lexicon: Lexicon, rule: Rule, flips_on: date | None) -> None:
    out = rule.evaluate(ctx(lexicon, a=TODAY - timedelta(days=10), b=True))
    assert out.truth is T
    assert out.flips_on == flips_on


def test_a_medicine_taken_now_is_long_enough_later(lexicon: Lexicon) -> None:
    # Review item 6: mycophenolate for 10 weeks is "not yet", not "not a fit" (12 weeks needed).
    rule = MedicineTest(("now",), ("immunosuppressant",), 1, Quantity(12, "week"))
    now = uses(("mycophenolate_mofetil", 70))
    out = rule.evaluate(ctx(lexicon, ongoing=frozenset({"now"}), now=now))
    assert out.truth is F
    assert out.flips_on == TODAY + timedelta(days=14)
    # A past medicine does not grow: too short stays too short.
    assert rule.evaluate(ctx(lexicon, now=now)).flips_on is None
    # Two needed, one sure and one growing: the day the second is long enough.
    two = MedicineTest(("now",), ("immunosuppressant", "biologic"), 2, Quantity(3, "month"))
    now = uses(("methotrexate", 200), ("belimumab", 61))
    out = two.evaluate(ctx(lexicon, ongoing=frozenset({"now"}), now=now))
    assert (out.truth, out.flips_on) == (F, TODAY + timedelta(days=30))


def test_a_cumulative_total_taken_now_grows(lexicon: Lexicon) -> None:
    now = uses(("mycophenolate_mofetil", 4 * 30.4375))
    out = CUMULATIVE.evaluate(ctx(lexicon, ongoing=frozenset({"now"}), now=now, past=uses()))
    assert out.truth is F
    assert out.flips_on == TODAY + timedelta(days=61)


def test_an_implied_duration_is_reported_as_assumed(lexicon: Lexicon) -> None:
    # Review item 12: the past list's "3 months or more" was taken silently.
    implied = {"past": Quantity(3, "month").in_days()}
    out = TWO_IS.evaluate(ctx(lexicon, implied, now=uses(("methotrexate", 200)), past=uses(("azathioprine", None))))
    assert out.truth is T
    assert out.assumed == frozenset({"past"})
    out = TWO_IS.evaluate(ctx(lexicon, implied, now=uses(("methotrexate", 200), ("azathioprine", 100)), past=uses()))
    assert out.assumed == frozenset()


def test_dose_per_kg_reads_dose_before_weight(lexicon: Lexicon) -> None:
    rule = DosePerKg("peak", "weight", above=Quantity(1, "mg/kg/day"))
    assert rule.evaluate(ctx(lexicon, peak=Dose(None, 0, 0.0))).truth is F  # no weight needed
    out = rule.evaluate(ctx(lexicon, peak=Dose("prednisone", 80, 80.0)))
    assert (out.truth, out.ask) == (M, ("weight",))
    assert rule.evaluate(ctx(lexicon, peak=Dose("prednisone", 80, 80.0), weight=Quantity(70, "kg"))).truth is T
    assert rule.evaluate(ctx(lexicon, peak=Dose("prednisone", 70, 70.0), weight=Quantity(70, "kg"))).truth is F
    assert rule.evaluate(ctx(lexicon, peak=Dose("prednisone", 70, 70.0), weight=UNSURE)).truth is U


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("age", "must be a mapping"),
        ({}, "must be a mapping"),
        ({"all": [{"fact": "a", "is": True}]}, "at least two rules"),  # a one-child "all" is a typo
        ({"every": []}, "unknown rule keys"),
        ({"fact": "a", "is": True, "min": "1 year"}, "exactly one of"),
        ({"fact": "a", "in": []}, "non-empty list"),
        ({"fact": "a", "min": "eighteen"}, "number and a unit"),
        ({"fact": "a", "is": True, "colour": "red"}, "unknown keys"),
        ({"medicines": {"from": ["x"]}}, "classes"),
        ({"medicines": {"from": ["x"], "classes": ["biologic"], "min_count": 0}}, "min_count"),
        ({"medicines": {"from": ["x"], "classes": ["biologic"], "within": "1 month"}}, "unknown keys"),
        ({"dose_per_kg": {"dose": "d", "weight": "w"}, "above": "1 mg/day"}, "mg/kg/day"),
        ({"dose_per_kg": {"dose": "d"}, "above": "1 mg/kg/day"}, "'dose' and 'weight'"),
        ({"any": [{"fact": "a", "is": True}, {"not": {"fact": "b"}}]}, "rule.any[1].not"),  # position named
    ],
)
def test_parse_errors_say_where_and_what(raw: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")):
        parse_rule(raw)


def test_parse_builds_the_tree() -> None:
    rule = parse_rule(
        {"all": [{"fact": "last_surgery_date", "within": "4 weeks"}, {"not": {"fact": "major", "is": True}}]}
    )
    assert rule == AllOf(
        (FactTest("last_surgery_date", within=Quantity(4, "week")), Not(FactTest("major", equals=(True,))))
    )
    assert rule.fact_ids() == ("last_surgery_date", "major")


@pytest.mark.parametrize(
    ("now", "past", "truth"),
    [
        # The same drug named twice, or two forms of one agent, is one immunosuppressant, not two.
        (uses(("mycophenolate_mofetil", 700)), uses(("mycophenolate_mofetil", None)), F),
        (uses(("mycophenolate_mofetil", 700)), uses(("mycophenolic_acid", None)), F),
        (uses(("mycophenolate_mofetil", 700), ("mycophenolate_mofetil", 20)), uses(), F),
        # Two names we cannot place, told apart by what the patient said: each may count.
        (uses(("mycophenolate_mofetil", 700)), uses(("???", None)), U),
    ],
)
def test_one_agent_counts_once(lexicon: Lexicon, now: Any, past: Any, truth: Truth) -> None:
    implied = {"past": Quantity(3, "month").in_days()}
    assert TWO_IS.evaluate(ctx(lexicon, implied, now=now, past=past)).truth is truth


def test_a_repeated_agent_keeps_its_longest_course(lexicon: Lexicon) -> None:
    # A short current course does not hide a long earlier one of the same drug.
    now = uses(("mycophenolate_mofetil", 20), ("rituximab", 200))
    past = uses(("mycophenolate_mofetil", None))
    implied = {"past": Quantity(3, "month").in_days()}
    assert TWO_IS.evaluate(ctx(lexicon, implied, now=now, past=past)).truth is T
