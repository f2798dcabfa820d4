"""The corpus scoring: values compared as the engine's values, flags counted both ways."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from criteria import load_trial
from criteria.values import NEVER, UNSURE, Dose
from evaluation.corpus import Entry
from evaluation.evaluate import evaluate, same

TRIAL = load_trial("NCT07193810")
MEDROL_15, PRED_15 = Dose("methylprednisolone", 15.0, 18.75), Dose("prednisone", 15.0, 15.0)


def entry(question: str, expect: Any, *, flag: bool = False, text: str = "...") -> Entry:
    return Entry(file="test.yaml", index=0, question=question, text=text, expect=expect, flag=flag)


@pytest.mark.parametrize(
    ("answer_type", "got", "expect", "expected", "agree"),
    [
        # a date labelled to the month agrees with any day of that month
        ("date_or_never", date(2026, 3, 17), {"month": "2026-03"}, date(2026, 3, 1), True),
        ("date_or_never", date(2026, 4, 1), {"month": "2026-03"}, date(2026, 3, 1), False),
        # ... to the day only with that day
        ("date_or_never", date(2026, 11, 5), {"date": "2026-11-04"}, date(2026, 11, 4), False),
        ("date_or_never", NEVER, "never", NEVER, True),
        # an age read as a birth date agrees with the age it gives on the screening day
        ("age", date(1984, 3, 2), 42, 42, True),
        ("age", 41, 42, 42, False),
        # a dose without a named medicine is scored on its amount only
        ("dose", MEDROL_15, {"medicine": None, "mg_per_day": 15}, PRED_15, True),
        ("dose", MEDROL_15, {"medicine": "prednisone", "mg_per_day": 15}, PRED_15, False),
        ("yes_no", UNSURE, "unsure", UNSURE, True),
    ],
)  # fmt: skip
def test_same(answer_type: str, got: Any, expect: Any, expected: Any, agree: bool) -> None:
    assert same(answer_type, got, expected, entry("x", expect)) is agree


def test_tallies_and_misses() -> None:
    entries = [
        entry("tuberculosis", "no", text="nope"),  # read right
        entry("dialysis", "yes", text="3x a week"),  # read wrong
        entry("transplant", "no", text="not that I know of"),  # clear, but the reader would not commit
        entry("antibody_allergy", "unsure", flag=True, text="maybe?"),  # ambiguous, flagged: good
        entry("substance_problem", "no", flag=True, text="not really"),  # ambiguous, taken at face value
    ]
    readings = {"nope": False, "3x a week": False, "not that I know of": None, "maybe?": None, "not really": False}
    tallies, misses = evaluate(TRIAL, entries, lambda trial, e: readings[e.text])
    yes_no = tallies["yes_no"]
    assert (yes_no.clear, yes_no.read, yes_no.right, yes_no.flagged_clear) == (3, 2, 1, 1)
    assert (yes_no.ambiguous, yes_no.ambiguous_flagged) == (2, 1)
    assert [m.split()[0] for m in misses] == ["wrong", "flagged", "not"]
