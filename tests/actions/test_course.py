"""``answers.course``: a steroid course described instead of a yes or no, weighed against the question."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from answers.course import read_course
from answers.reading import FLAGGED, Reading, read
from criteria import load_trial
from criteria.schema import Course
from nlu import clock
from nlu.pipeline import entities

TRIAL = load_trial("NCT07193810")
TODAY = date(2026, 11, 25)  # 56 days back is 2026-09-30
COURSE = Course(prednisone_mg_per_day=100, days=14, within_days=56)  # the trial's own, for the pure cases


def dose(mg: float, medicine: str | None = "prednisone", role: str | None = None) -> dict[str, Any]:
    return {"entity": "dose", "value": {"medicine": medicine, "mg_per_day": mg}, "role": role}


def duration(said: str, confidence: float = 1.0) -> dict[str, Any]:
    return {"entity": "duration", "value": said, "confidence_entity": confidence}


def when(precision: str, said: str, confidence: float = 1.0) -> dict[str, Any]:
    return {"entity": "date", "value": {precision: said}, "confidence_entity": confidence}


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        ([dose(60), duration("1 month")], "no"),  # below the dose: no, whatever the length
        ([dose(60)], "no"),  # below the dose, no length said
        ([dose(80, "methylprednisolone"), duration("2 weeks")], "yes"),  # Medrol 80 is prednisone 100
        ([dose(60, "methylprednisolone"), duration("3 weeks")], "no"),  # Medrol 60 is prednisone 75
        ([dose(1000, "methylprednisolone", "unclear"), duration("3 days")], "no"),  # a pulse: too short
        ([dose(120), duration("3 weeks"), when("month", "2026-08")], "no"),  # all of it before the 8 weeks
        ([dose(120), duration("3 weeks"), when("date", "2026-10-20")], "yes"),  # inside them
        ([dose(120), duration("3 weeks"), when("month", "2026-09")], None),  # September: maybe, maybe not
        ([dose(120), duration("3 weeks")], "yes"),  # no time said: the question asked about the last weeks
        ([dose(120)], None),  # no length said
        ([dose(120), duration("3 weeks", 0.5)], None),  # a length its reader doubts
        ([dose(120), duration("3 weeks"), when("month", "2026-10", 0.5)], "yes"),  # doubted, no time words: none
        ([dose(60), duration("3 weeks"), when("month", "2026-10", 0.5)], "no"),  # too low, whenever it was
        ([dose(120, role="hedge"), duration("3 weeks")], None),  # "about 120": a hedged dose
        ([dose(120, "hydroxychloroquine"), duration("3 weeks")], None),  # not a steroid
        ([duration("3 weeks")], None),  # no dose
        (
            [
                dose(80, "methylprednisolone"),
                {"entity": "medicines", "value": [{"medicine": "methylprednisolone", "duration": "2 weeks"}]},
                duration("2 weeks", 0.5),
            ],
            "yes",
        ),  # "medrol 80 daily for 2 weeks, started 5 weeks ago": the list gives the steroid's length
    ],
)
def test_a_course_weighed_against_the_question(found: list[dict[str, Any]], expected: str | None) -> None:
    assert read_course(COURSE, "the words", found, TODAY) == expected


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "screening_day", lambda: TODAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("60mg of prednisone for a month in september", Reading("no")),
        ("3 days of IV solumedrol 1000 in october", Reading("unsure", FLAGGED)),  # a pulse: a person weighs it
        ("no IV steroids, just 10mg pred", Reading("no")),  # a pulse denied
        ("medrol 80 daily for 2 weeks", Reading("yes")),  # Medrol 80 is prednisone 100; no time said
        # A time beside a length is one the dates reader doubts: not placed, not guessed (a person asks).
        ("medrol 80 daily for 2 weeks, started 10 weeks ago", None),
        ("medrol 80 daily for 2 weeks, 3 months ago", None),
        ("120 mg pred for 3 weeks, finished in july", None),
        ("yes, 60 mg for a month", Reading("unsure", FLAGGED)),  # the words and the course disagree
        ("no, only 60 mg", Reading("no")),  # they agree
        ("no", Reading("no")),  # no course said: the words as ever
    ],
)
def test_the_question_reads_a_course_in_the_patients_words(today: None, text: str, expected: Reading | None) -> None:
    fact = TRIAL.facts["recent_high_dose_steroid"]
    assert read(fact, text, "inform", 0.9, today=TODAY, entities=entities(text)) == expected


def test_the_trial_file_states_the_course() -> None:
    assert TRIAL.facts["recent_high_dose_steroid"].answer.course == COURSE
