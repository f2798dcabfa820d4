"""Every sentence a patient can see reads at US grade 8 or below (Flesch-Kincaid), median 6 or below.

Choice labels ("Inclusion body myositis") are names, not sentences, so they are left out:
the formula is meaningless on two or three words.
"""

from __future__ import annotations

import statistics

import pytest
import textstat

from criteria import load_trial
from criteria.messages import TEXT

MAX_GRADE = 8.0
TARGET_MEDIAN = 6.0


def patient_strings() -> dict[str, str]:
    trial = load_trial("NCT07193810")
    strings: dict[str, str] = {}
    for fact in trial.facts.values():
        strings[f"{fact.id}.question"] = fact.question
        strings[f"{fact.id}.why"] = fact.why
        strings[f"{fact.id}.explain"] = fact.explain
        strings.update({f"{fact.id}.terms.{term}": text for term, text in fact.terms.items()})
    for crit in trial.criteria:
        strings[f"{crit.id}.plain"] = crit.plain
        if crit.reason_not_met:
            strings[f"{crit.id}.reason_not_met"] = crit.reason_not_met
        if crit.site_check:
            strings[f"{crit.id}.site_check"] = crit.site_check
    strings.update({f"class.{name}": cls.plain for name, cls in trial.lexicon.classes.items()})
    strings.update({f"message.{code.value}": text for code, text in TEXT.items()})
    return strings


STRINGS = patient_strings()


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_grade_8_or_below(key: str) -> None:
    grade = textstat.flesch_kincaid_grade(STRINGS[key])
    assert grade <= MAX_GRADE, f"{key}: grade {grade:.1f}: {STRINGS[key]!r}"


def test_median_grade(capsys: pytest.CaptureFixture[str]) -> None:
    grades = [textstat.flesch_kincaid_grade(text) for text in STRINGS.values()]
    median = statistics.median(grades)
    with capsys.disabled():
        print(f"\nreadability: {len(grades)} patient-facing strings, median grade {median:.1f}, max {max(grades):.1f}")
    assert median <= TARGET_MEDIAN


def test_the_check_can_fail() -> None:
    # The listing's own wording is far above grade 8; the check must notice it.
    listing = "Participation in any other clinical trial within 5 half-lives of the investigational product."
    assert textstat.flesch_kincaid_grade(listing) > MAX_GRADE
