"""Numbers and amounts on spaCy's blank English pipeline: the layer under the answer readers."""

from __future__ import annotations

import pytest
import spacy
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from criteria.quantities import DAYS_PER_UNIT, MASS_MG, WEIGHT_KG
from nlu.numbers import UNITS, NumberReader, default_reader, prepare

READER = default_reader()


def numbers(text: str) -> list[tuple[float, float, float]]:
    return [(n.value, n.low, n.high) for n in READER.numbers(READER.doc(text))]


def amounts(text: str) -> list[tuple[float, str]]:
    return [(a.number.value, a.unit) for a in READER.amounts(READER.doc(text))]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", 42),  # digits
        ("I'm 42.", 42),  # in a sentence, with the full stop
        ("forty-two", 42),  # words, hyphenated
        ("forty two", 42),  # words, spaced
        ("Fourty", 40),  # a common misspelling
        ("two hundred and ten", 210),  # a scale word, British "and"
        ("a hundred", 100),  # "a" as one, before a scale word
        ("2.5", 2.5),  # a decimal point
        ("2,5", 2.5),  # a decimal comma
        ("1,000", 1000),  # a thousands comma
        ("7 and a half", 7.5),  # a spoken half
        ("one and a half", 1.5),
        ("7½", 7.5),  # a fraction glyph (NFKC alone would read "71/2")
        ("7 1/2", 7.5),  # a typed fraction after a whole number
        ("1/2", 0.5),
        ("a dozen", 12),
        ("twleve", 12),  # a number word with two letters swapped (found by bench.patients)
        ("eleevn", 11),
        ("twnety five", 25),  # one letter left out
        ("eigth", 8),
        ("fivety five", 55),  # a spelling as said: never "five"
        ("one and a quarter", 1.25),  # a spoken quarter
        ("2 and three quarters", 2.75),
        ("twenty nineteen", 2019),  # a year as said
        ("twenty twenty-four", 2024),
        ("nineteen eighty five", 1985),
        ("twenty five", 25),  # not a year: a tens word after "twenty" is a number of its own
    ],
)
def test_one_number(text: str, value: float) -> None:
    assert numbers(text) == [(value, value, value)]


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("40-45", 40, 45),  # a hyphen range
        ("40 to 45", 40, 45),
        ("between 40 and 45", 40, 45),
        ("5 or 6", 5, 6),
        ("40 kg - 45 kg", 40, 45),  # the unit said twice
    ],
)
def test_ranges_are_one_approximate_number(text: str, low: float, high: float) -> None:
    [number] = READER.numbers(READER.doc(text))
    assert (number.low, number.high, number.value) == (low, high, (low + high) / 2)
    assert number.approximate and not number.exact


@pytest.mark.parametrize(
    ("text", "approximate", "vague", "bound"),
    [
        ("about 40", True, False, None),
        ("~40", True, False, None),  # a tilde is "about"
        ("40ish", True, False, None),  # digits apart from letters: "40 ish"
        ("40 or so", True, False, None),
        ("over 60", False, False, "over"),
        ("more than 60", False, False, "over"),
        ("less than 5", False, False, "under"),
        ("at least 18", False, False, "over"),
        ("60+", False, False, "over"),
        ("a few", True, True, None),  # no usable number
        ("several", True, True, None),
        ("a couple of", True, True, None),
        ("40", False, False, None),  # plain: exact
    ],
)
def test_how_exact(text: str, approximate: bool, vague: bool, bound: str | None) -> None:
    [number] = READER.numbers(READER.doc(text))
    assert (number.approximate, number.vague, number.bound) == (approximate, vague, bound)
    assert number.exact is not (approximate or vague or bound is not None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20mg pred", [(20, "mg")]),  # digits stuck to the unit
        ("5mg/day", [(5, "mg")]),
        ("154lbs", [(154, "lb")]),
        ("70 kilos", [(70, "kg")]),
        ("3 weeks ago", [(3, "week")]),
        ("a year", [(1, "year")]),  # "a" before a time unit is one
        ("a year and a half", [(1.5, "year")]),
        ("a year and half", [(1.5, "year")]),
        ("half a year", [(0.5, "year")]),
        ("a couple of years", [(2, "year")]),
        ("5-year", [(5, "year")]),
        ("10 to 15mg", [(12.5, "mg")]),
        ("1 tablet of 5mg 3 times daily", [(5, "mg")]),  # a tablet and times are not units
        ("65yo", [(65, "year")]),
        ("an hour", []),  # not a unit we read
        ("vitamin d", []),  # a unit needs a number before it
    ],
)
def test_amounts(text: str, expected: list[tuple[float, str]]) -> None:
    assert amounts(text) == expected


@pytest.mark.parametrize(
    "text", ["", "yes", "lupus", "3/2/1984", "a", "and a half", "I don't know", "the fifth", "the eighth", "there"]
)  # ordinals and words one slip from a number word are no number
def test_no_number(text: str) -> None:
    assert numbers(text) == []


def test_prepare_is_what_every_reader_reads() -> None:
    assert prepare("  about\u00a0 20mg\u2019s ~5  ") == "about 20 mg's about 5"


def test_units_are_the_engines() -> None:
    units = yaml.safe_load(UNITS.read_text(encoding="utf-8"))
    assert set(units) - {"stone"} <= set(DAYS_PER_UNIT) | set(MASS_MG) | set(WEIGHT_KG)  # stone: the reader converts


def test_a_reader_on_its_own_units() -> None:
    reader = NumberReader(spacy.blank("en"), {"mg": ["mg"]})
    assert [(a.number.value, a.unit) for a in reader.amounts(reader.doc("3 weeks, 5 mg"))] == [(5, "mg")]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(), max_size=300) | st.from_regex(r"[0-9 ./,\-a-z½~]{0,60}", fullmatch=True))
def test_any_text_is_read_without_error(text: str) -> None:
    doc = READER.doc(text)
    for number in READER.numbers(doc):
        assert number.low <= number.value <= number.high
        assert 0 <= number.start < number.end <= len(doc)
    READER.amounts(doc)
