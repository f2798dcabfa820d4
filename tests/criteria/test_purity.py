"""The engine stays pure: no heavy imports, and no input makes it fail in an unplanned way."""

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from criteria import Fact, Status, Trial, coerce, evaluate, load_trial, make_fact, next_question
from criteria.errors import FactError
from criteria.lexicon import Lexicon
from criteria.schema import FactDef
from criteria.simulate import CLEAR_BY_TYPE, run_screening

REPO_ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ["rasa", "rasa_sdk", "sqlalchemy", "sanic", "flask", "fastapi", "spacy", "tensorflow", "psycopg2", "redis"]

_IMPORT_ALL = """
import importlib, json, pkgutil, sys
import criteria
names = sorted(m.name for m in pkgutil.iter_modules(criteria.__path__, "criteria.") if m.name != "criteria.__main__")
for name in names:
    importlib.import_module(name)
forbidden = json.loads(sys.argv[1])
loaded = [m for m in forbidden if any(k == m or k.startswith(m + ".") for k in sys.modules)]
print(json.dumps({"imported": names, "loaded": loaded}))
"""


def test_importing_every_module_pulls_in_no_framework() -> None:
    # A fresh interpreter: this test process has pytest and hypothesis loaded already.
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL, json.dumps(FORBIDDEN)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report = json.loads(done.stdout)
    # Every module file was really imported (so the check below is not vacuous) ...
    on_disk = {f"criteria.{p.stem}" for p in (REPO_ROOT / "criteria").glob("*.py")} - {
        "criteria.__init__",
        "criteria.__main__",
    }
    assert set(report["imported"]) == on_disk
    # ... and none of them brought in Rasa, a web framework, a database or an NLP/ML stack.
    assert report["loaded"] == []


# --- property tests ---------------------------------------------------------------------------
# Strategies need the trial at import time; load_trial is cached, so this is the fixtures' trial.

TRIAL = load_trial("NCT07193810")
TODAY = date(2026, 11, 25)
UNITS = ["days", "weeks", "months", "years", "mg", "kg", "lb", "mg/day", "furlongs"]
WORDS = [
    "yes", "no", "never", "none", "unsure", "not sure", "sle", "iim", "other", "female",
    "CellCept", "Medrol", "PLAQUENIL®", "Zorblax", "2026-01-31", "2099-01-01", "1992-02-29",
]  # fmt: skip
KEYS = ["ago", "birth_date", "medicine", "mg_per_day", "duration", "value"]

# Quantity-like strings reach the calendar code through {"ago": ...} and durations, including
# counts far past the calendar's end.
quantity_text = st.builds(
    lambda n, unit: f"{n} {unit}",
    st.one_of(st.integers(-(10**30), 10**30), st.floats(-1e30, 1e30, allow_nan=False).map(lambda x: round(x, 2))),
    st.sampled_from(UNITS),
)
# Integers beyond float range included: they must be re-asked, not crash.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**400), 10**400),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(WORDS),
    quantity_text,
    st.dates(date(1, 1, 1), date(9999, 12, 31)),
)
json_ish = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=5)), children, max_size=3),
    ),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fact=st.sampled_from(list(TRIAL.facts.values())), raw=json_ish)
def test_coerce_returns_a_value_or_raises_fact_error(lexicon: Lexicon, today: date, fact: FactDef, raw: object) -> None:
    try:
        coerce(fact, raw, today=today, lexicon=lexicon)
    except FactError as exc:
        assert exc.fact_id == fact.id  # the caller knows which question to ask again


# Valid answers, per answer type.
_STEROID_NAMES = [
    n for n, mid in TRIAL.lexicon.all_names().items() if TRIAL.lexicon.membership(mid, ["glucocorticoid"])
]
_MEDICINE_NAMES = [*TRIAL.lexicon.all_names(), "Zorblax", "my water pill"]  # some we cannot place
_recent = st.dates(TODAY - timedelta(days=20 * 365), TODAY)
_duration = st.builds(
    lambda n, unit: f"{n} {unit}", st.integers(0, 120), st.sampled_from(["days", "weeks", "months", "years"])
)
_medicine_item = st.one_of(
    st.sampled_from(_MEDICINE_NAMES),
    st.fixed_dictionaries({"medicine": st.sampled_from(_MEDICINE_NAMES)}, optional={"duration": _duration}),
)


def _sometimes(strategy: st.SearchStrategy[object], other: object, one_in: int) -> st.SearchStrategy[object]:
    """``strategy``, or ``other`` about once in ``one_in`` draws (plain one_of would be half and half)."""
    return st.integers(1, one_in).flatmap(lambda n: st.just(other) if n == 1 else strategy)


def _valid_answer(fact: FactDef) -> st.SearchStrategy[object]:
    kind = fact.answer.type
    by_type: dict[str, st.SearchStrategy[object]] = {
        "yes_no": st.one_of(st.booleans(), st.sampled_from(["yes", "no"])),
        "choice": st.sampled_from(sorted(fact.answer.choices or {})),
        "age": st.one_of(st.integers(0, 120), st.dates(TODAY - timedelta(days=120 * 365), TODAY).map(date.isoformat)),
        "number": st.one_of(st.floats(25, 300), st.integers(60, 600).map(lambda lb: f"{lb} lb")),
        "date": st.one_of(_recent, _recent.map(date.isoformat), _duration.map(lambda d: {"ago": d})),
        "date_or_never": st.one_of(_recent, st.just("never"), _duration.map(lambda d: {"ago": d})),
        "dose": st.one_of(
            st.just("none"),
            st.fixed_dictionaries({"medicine": st.just("prednisone"), "mg_per_day": st.floats(0, 200)}),
            st.fixed_dictionaries({"medicine": st.sampled_from(_STEROID_NAMES), "mg_per_day": st.integers(0, 200)}),
        ),
        "medicine_list": st.one_of(st.just("none"), st.lists(_medicine_item, max_size=5)),
    }
    return _sometimes(by_type[kind], "unsure", 8)


_VALID = {fact_id: _valid_answer(fact) for fact_id, fact in TRIAL.facts.items()}


# Complete screenings of one likely-eligible patient per cohort ("no"/"never" to every
# knock-out question), so random changes to them also reach likely_eligible and the
# near-eligible states a purely random patient almost never gets to.
_CLEAN_ANSWERS = [
    {
        "condition": "sle", "sex": "female", "age": 34, "contraception_agreement": "yes", "infection_now": "no",
        "current_medicines": [
            {"medicine": "CellCept", "duration": "2 years"}, {"medicine": "pred", "duration": "1 year"},
        ],
        "past_medicines": ["Rituxan"], "current_steroid_dose": {"medicine": "prednisone", "mg_per_day": 10},
    },
    {
        "condition": "iim", "sex": "male", "age": 50, "myositis_type": "dermatomyositis",
        "current_medicines": [{"medicine": "MTX", "duration": "2 years"}, {"medicine": "pred", "duration": "1 year"}],
        "current_steroid_dose": {"medicine": "prednisone", "mg_per_day": 10}, "contraception_agreement": "yes",
        "infection_now": "no", "past_medicines": "none",
    },
    {
        "condition": "ssc", "sex": "female", "age": 50, "ssc_type": "diffuse", "ssc_diagnosis_date": {"ago": "2 years"},
        "current_medicines": [{"medicine": "MMF", "duration": "1 year"}, {"medicine": "pred", "duration": "1 year"}],
        "current_steroid_dose": {"medicine": "prednisone", "mg_per_day": 10}, "contraception_agreement": "yes",
        "infection_now": "no", "past_medicines": "none",
    },
]  # fmt: skip
_CLEAN = [run_screening(TRIAL, answers, TODAY, defaults=CLEAR_BY_TYPE) for answers in _CLEAN_ANSWERS]


def test_the_clean_screenings_are_likely_eligible() -> None:
    # Guards the premise of the strategy below.
    assert [s.result.status for s in _CLEAN] == [Status.LIKELY_ELIGIBLE] * 3


@st.composite
def answered(draw: st.DrawFn) -> dict[str, Fact]:
    """A subset of a clean screening (or of nothing), then random valid answers to random questions.

    Every answer has a confidence and a conflict flag; "unsure" comes up now and then.
    """
    base = draw(st.sampled_from([{}, *(s.facts for s in _CLEAN)]))
    dropped = draw(st.sets(st.sampled_from(sorted(base)))) if base else set()
    facts = {fact_id: fact for fact_id, fact in base.items() if fact_id not in dropped}
    for fact_id in draw(st.lists(st.sampled_from(list(TRIAL.facts)), unique=True, max_size=len(TRIAL.facts))):
        raw = draw(_VALID[fact_id])
        confidence = draw(_sometimes(st.floats(0, 1), 1.0, 2))
        conflicting = draw(_sometimes(st.just(False), True, 10))
        facts[fact_id] = make_fact(
            TRIAL.facts[fact_id],
            raw,
            today=TODAY,
            lexicon=TRIAL.lexicon,
            confidence=confidence,
            conflicting=conflicting,
        )
    return facts


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=answered())
def test_any_valid_answers_give_a_verdict_and_a_sound_next_question(
    trial: Trial, today: date, facts: dict[str, Fact]
) -> None:
    result = evaluate(trial, facts, today)
    assert result.status in set(Status)
    event(result.status.value)  # shown by --hypothesis-show-statistics: every status is reached
    question = next_question(trial, facts, today=today)
    # An answered question is never asked again, not even a "not sure".
    assert question is None or question.id not in facts
    # Once ruled out (or when nothing is left to ask), nothing more is asked ...
    if result.status in {Status.NOT_ELIGIBLE, Status.LIKELY_ELIGIBLE}:
        assert question is None
    # ... and a screening with questions left is never stuck without one to ask.
    if result.status is Status.INCOMPLETE:
        assert question is not None
