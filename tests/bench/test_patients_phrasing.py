"""Every phrasing function keeps the true meaning: a table of cases, each tried with many random draws.

The checks here read the text with a few plain rules of their own (a negation word, the numbers
written, a medicine's names): they are not a reader of answers, only a guard that a phrasing
still says the truth.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

import pytest

from bench.patients import speak, speak_medicines, speak_time
from bench.patients.bank import Bank
from bench.patients.noise import roughen
from criteria import Trial
from criteria.quantities import Quantity, age_on, shift_back
from tests.bench.conftest import TODAY

DRAWS = 120
NEGATION = re.compile(r"\b(no|noo|nope|nah|not|never|nevr|neva|dont|didnt|dint|havent|havnt|im not|wont|wasnt)\b|n't\b")
AFFIRMATION = re.compile(r"\b(yes|yess|yeah|yep|yup|ya|i do|i am|i have|i did|i will|it was)\b")
YES_WORD = re.compile(r"\b(yes|yess|yeah|yep|yup|ya)\b")


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]


@pytest.mark.parametrize(
    ("value", "question"),
    [
        (False, "Have you ever had an organ transplant?"),  # "have" form: "havent", "i dint have it", "nope never"
        (False, "Do you need dialysis for your kidneys?"),  # "do" form: "i dont", "no I don't"
        (False, "Are you pregnant or breastfeeding now?"),  # "are" form: "im not"
        (False, "Was that surgery a major operation?"),  # "was" form: "no, it was a small one"
        (True, "Have you been told you have TB now?"),  # yes, "have" form
        (True, "In the last 8 weeks, did you take a very high steroid dose?"),  # "did" form, after a lead-in
        (True, "Do you plan to get a live vaccine?"),  # yes, "do" form
        (False, "Has a doctor told you that your B-cell levels are back to normal?"),  # "told": "nobody told me"
        (True, "Has a doctor told you that your B-cell levels are back to normal?"),  # "told": "the doctor told me"
    ],
)
def test_yes_no_says_yes_or_no_as_the_truth_is(bank: Bank, value: bool, question: str) -> None:
    form = speak.question_form(question)
    for seed in range(DRAWS):
        rng = random.Random(seed)
        said = speak.yes_no(bank, rng, value, form, clear=seed % 5 == 0)
        text = roughen(said.text, rng, bank).casefold()
        if value:  # a yes, with no negation anywhere
            assert AFFIRMATION.search(text) and not NEGATION.search(text), text
        else:  # a negation, and no word of assent
            assert NEGATION.search(text) and not YES_WORD.search(text), text
        assert not said.flags


def test_the_question_form_is_read_from_the_first_verb() -> None:
    assert speak.question_form("In the last 6 months, have you had a heart attack?") == "have"
    assert speak.question_form("Has a doctor told you that your B-cell levels are back to normal?") == "told"
    assert speak.question_form("Have you been told you have TB now?") == "have"
    assert speak.question_form("Do you have another immune disease?") == "do"
    assert speak.question_form("Was that surgery a major operation?") == "was"


@pytest.mark.parametrize(
    ("fact_id", "key", "must"),
    [
        ("condition", "sle", r"lupus|lupis|sle"),  # lupus by any of its names
        ("condition", "ssc", r"scleroderma|sclerodema|systemic sclerosis|ssc"),  # scleroderma
        ("sex", "female", r"^(female|femal|woman|a woman|f)\.?$"),  # never "male" alone
        ("myositis_type", "inclusion_body", r"inclusion body|ibm"),  # the excluded type, named
        ("contraception_agreement", "not_applicable", r"apply|applicable|can't have children"),  # not a "no"
        ("infection_now", "past", r"before|past|cured|cleared"),  # a past infection, never "now"
    ],
)
def test_a_choice_is_named_as_the_truth_is(bank: Bank, trial: Trial, fact_id: str, key: str, must: str) -> None:
    label = (trial.facts[fact_id].answer.choices or {})[key]
    for seed in range(DRAWS):
        said = speak.choice(bank, random.Random(seed), fact_id, key, label=label)
        assert re.search(must, said.text.casefold()), said.text


@pytest.mark.parametrize(
    "born",
    [
        date(1974, 3, 12),  # 52, birthday passed this year
        date(1961, 12, 6),  # 64 until tomorrow: a year of birth alone would straddle 65
        date(2008, 12, 5),  # 18 today
    ],
)
def test_an_age_says_the_true_age_or_birth_date(bank: Bank, born: date) -> None:
    years = age_on(born, TODAY)
    for seed in range(DRAWS):
        rng = random.Random(seed)
        said = speak.age(bank, rng, born, TODAY, formats=bank.texts("dates.formats"))
        text = said.text.casefold()
        words = speak.number_words(bank, years)
        assert str(years) in text or words in text or str(born.year) in text, text
        readings = [r["age"] for r in said.changes]
        if str(born.year) in text and str(years) not in text:  # a birth date or year: its readings bracket it
            first, last = (date.fromisoformat(r) for r in (readings[0], readings[-1]))
            assert first <= born <= last
        else:
            assert readings == [years]


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        ("never", None),  # never: "never", "nope never", "none"
        (shift_back(TODAY, Quantity(3, "week")).isoformat(), {"ago": "3 week"}),  # 3 weeks ago
        (shift_back(TODAY, Quantity(2, "year")).isoformat(), {"ago": "2 year"}),  # 2 years ago: month, year forms
        (shift_back(TODAY, Quantity(1, "month")).isoformat(), {"ago": "1 month"}),  # "a month ago"
        (TODAY.isoformat(), {"ago": "0 day", "still": True}),  # still taking antibiotics: today
    ],
)
def test_a_date_says_the_true_date_or_a_span_holding_it(bank: Bank, raw: str, detail: dict | None) -> None:
    for seed in range(DRAWS):
        rng = random.Random(seed)
        said = speak_time.when(bank, rng, "last_cancer_date", raw, detail=detail, today=TODAY)
        text = said.text.casefold()
        if raw == "never":
            assert text in [t.casefold() for t in bank.texts("dates.never")]
            continue
        if detail and detail.get("still"):
            assert "still" in text or "today" in text
            continue
        truth = date.fromisoformat(raw)
        if said.changes:  # a month, a year or "about": the span holds the truth
            first, last = (date.fromisoformat(c["last_cancer_date"]) for c in (said.changes[0], said.changes[-1]))
            assert first <= truth <= last, text
            assert last <= TODAY
        else:  # exact: the number and unit of "ago", or the date itself
            n, unit = speak_time.parse_length(detail["ago"])
            ago = str(n) in text or speak.number_words(bank, n) in text or (n == 1 and f"a {unit}" in text)
            assert (ago and unit in text) or str(truth.year) in text, text


@pytest.mark.parametrize(
    ("duration", "current"),
    [
        ("18 month", True),  # taken now: "since June 2025", "about 18 months", "1.5"... never another length
        ("3 year", True),  # taken now: "since 2023" is allowed
        ("4 month", False),  # in the past: no "since"
        ("10 week", True),  # short, taken now
    ],
)
def test_a_duration_says_the_true_length_or_a_span_holding_it(bank: Bank, duration: str, current: bool) -> None:
    truth = Quantity.parse(duration).in_days()
    for seed in range(DRAWS):
        rng = random.Random(seed)
        seen: list[list[str]] = []

        def fits(readings: list[str], seen: list[list[str]] = seen) -> bool:
            seen.append(readings)
            return True

        text = speak_time.length(bank, rng, duration, TODAY, current=current, fits=fits).casefold()
        if seen:  # a span: it holds the truth
            low, high = (Quantity.parse(r).in_days() for r in seen[-1])
            assert low <= truth <= high + 1, text
            assert current or "since" not in text
        else:
            n, unit = speak_time.parse_length(duration)
            spelled = [str(n), speak.number_words(bank, n), str(n // 12) if unit == "month" else "-"]
            assert any(re.search(rf"\b{re.escape(s)}\b", text) for s in spelled), text


def _mg_of(parts: speak_medicines.DoseParts, bank: Bank) -> float:
    """The daily dose a composed phrasing says, computed from its parts."""
    v = parts.values
    if parts.kind == "plain":
        return float(v["mg"])
    if parts.kind == "tablets":
        return v["count"] * float(v["strength"])
    if parts.kind == "fraction":
        return (bank.texts("numbers.halves").index(v["count_words"]) + 0.5) * float(v["strength"])
    if parts.kind == "split":
        return float(v["am"]) + float(v["pm"])
    return float(v["mg2"]) / 2  # every other day


@pytest.mark.parametrize(
    ("medicine", "mg"),
    [
        ("prednisone", 20),  # 4 x 5 mg, 2 x 10 mg, 10 + 10, 40 every other day
        ("prednisone", 7.5),  # one and a half 5 mg tablets, 3 x 2.5 mg
        ("prednisone", 5),  # half a 10 mg tablet, 2.5 + 2.5
        ("methylprednisolone", 16),  # 4 x 4 mg Medrol, 2 x 8 mg, 12 + 4
        ("prednisolone", 12.5),  # half a 25 mg tablet
    ],
)
def test_a_dose_adds_up_to_the_true_daily_dose(bank: Bank, trial: Trial, medicine: str, mg: float) -> None:
    names = {n.casefold() for n in trial.lexicon.medicines[medicine].names()}
    kinds = set()
    for seed in range(DRAWS):
        parts = speak_medicines.dose_parts(bank, random.Random(seed), medicine, mg)
        kinds.add(parts.kind)
        assert _mg_of(parts, bank) == mg, parts
        said = speak_medicines.dose(bank, trial.lexicon, random.Random(seed), {"medicine": medicine, "mg_per_day": mg})
        assert any(name in said.text.casefold() for name in names), said.text
    assert len(kinds) >= 3  # composite forms do appear


def test_no_steroid_is_said_as_none(bank: Bank, trial: Trial) -> None:
    for seed in range(DRAWS):
        text = speak_medicines.dose(bank, trial.lexicon, random.Random(seed), "none").text.casefold()
        assert NEGATION.search(text) or text in {"none", "zero", "0"}, text


@pytest.mark.parametrize(
    ("items", "leave_out"),
    [
        # three medicines taken now, all named
        ([{"medicine": "prednisone", "duration": "2 year"},
          {"medicine": "mycophenolate_mofetil", "duration": "14 month"},
          {"medicine": "hydroxychloroquine", "duration": "5 year"}], frozenset()),
        # the steroid left out: it is never named
        ([{"medicine": "prednisone", "duration": "2 year"}, {"medicine": "methotrexate", "duration": "8 month"}],
         frozenset({"prednisone"})),
        # none at all
        ("none", frozenset()),
    ],
)  # fmt: skip
def test_a_medicine_list_names_each_true_medicine(
    bank: Bank, trial: Trial, items: object, leave_out: frozenset[str]
) -> None:
    lexicon = trial.lexicon
    for seed in range(DRAWS):
        said, names = speak_medicines.medicine_list(
            bank, lexicon, random.Random(seed), items, TODAY, current=True, leave_out=leave_out
        )
        text = said.text.casefold()
        if not isinstance(items, list):
            assert text in [t.casefold() for t in bank.texts("medicines.none_now")]
            continue
        for item in items:
            all_names = {n.casefold() for n in lexicon.medicines[item["medicine"]].names()}
            named = any(re.search(rf"\b{re.escape(n)}\b", text) for n in all_names)
            assert named is (item["medicine"] not in leave_out), (item, text)
            if item["medicine"] not in leave_out:
                assert lexicon.find(names[item["medicine"]]).id == item["medicine"]  # the name means that medicine


def test_noise_keeps_numbers_and_protected_names(bank: Bank) -> None:
    text = "I take 7.5 mg of Deltasone and 2 tablets of CellCept every morning since 2019."
    for seed in range(DRAWS):
        rough = roughen(text, random.Random(seed), bank, frozenset({"Deltasone", "CellCept"}))
        assert _numbers(rough) == [7.5, 2, 2019]
        assert "Deltasone" in rough and "CellCept" in rough


def test_a_contradiction_is_flagged(bank: Bank) -> None:
    rng = random.Random(1)
    said = speak.contradict_age(bank, rng, date(1974, 3, 12), TODAY)
    assert said.flags == {"contradiction"}
    assert "52" in said.text and str(1974) not in said.text  # the birth year given does not fit the age
    assert speak.contradict_yes_no(bank, rng).flags == {"contradiction"}


def test_unsure_says_not_sure_never_no(bank: Bank) -> None:
    for seed in range(DRAWS):
        said = speak.unsure(bank, random.Random(seed))
        assert said.flags == {"unsure"}
        assert re.search(r"sure|know|idea|dunno|remember|idk|certain", said.text.casefold())


def test_dates_are_never_after_the_screening_date(bank: Bank) -> None:
    recent = (TODAY - timedelta(days=3)).isoformat()
    for seed in range(DRAWS):
        said = speak_time.when(bank, random.Random(seed), "x", recent, detail={"ago": "3 day"}, today=TODAY)
        assert all(date.fromisoformat(c["x"]) <= TODAY for c in said.changes)
