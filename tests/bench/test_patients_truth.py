"""The synthetic patients: deterministic, complete, loadable, and a realistic mix of truths."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.patients.generate import make_patients
from bench.patients.truth import Patient, judge, keeps_meaning
from criteria import Status, Trial, evaluate
from tests.bench.conftest import TODAY


@pytest.fixture(scope="module")
def patients(trial: Trial) -> list[Patient]:
    return make_patients(trial, 300, 1, TODAY)


def test_the_same_seed_makes_the_same_patients(trial: Trial) -> None:
    first = [p.as_json() for p in make_patients(trial, 40, 7, TODAY)]
    again = [p.as_json() for p in make_patients(trial, 40, 7, TODAY)]
    other = [p.as_json() for p in make_patients(trial, 40, 8, TODAY)]
    assert first == again
    assert first != other


def test_every_patient_answers_every_question_in_a_form_the_engine_loads(trial: Trial, patients: list[Patient]) -> None:
    for patient in patients:
        assert set(patient.answers) == set(trial.facts), patient.id
        judge(trial, patient.answers, TODAY)  # make_fact on every answer; raises on a refused value


def test_true_facts_never_contradict_each_other(trial: Trial, patients: list[Patient]) -> None:
    from bench.patients.truth import facts_of

    for patient in patients:
        assert not evaluate(trial, facts_of(trial, patient.answers, TODAY), TODAY).contradictions, patient.id


def test_every_status_is_represented_in_a_realistic_mix(trial: Trial, patients: list[Patient]) -> None:
    statuses = Counter(judge(trial, p.answers, TODAY).status for p in patients)
    assert set(statuses) == {Status.LIKELY_ELIGIBLE, Status.NOT_ELIGIBLE, Status.NOT_YET, Status.NEEDS_COORDINATOR}
    assert 0.35 <= statuses[Status.LIKELY_ELIGIBLE] / len(patients) <= 0.45
    assert statuses[Status.NOT_YET] >= 15  # waiting periods are common enough to measure


def test_the_three_cohorts_and_other_conditions_all_appear(patients: list[Patient]) -> None:
    cohorts = Counter(p.cohort for p in patients)
    assert set(cohorts) == {"sle", "iim", "ssc", "other"}
    assert cohorts["other"] < 0.15 * len(patients)


def test_every_exclusion_rules_out_some_patients(trial: Trial, patients: list[Patient]) -> None:
    deciding = Counter(c for p in patients for c in judge(trial, p.answers, TODAY).deciding)
    exclusions = [c.id for c in trial.criteria if c.kind == "exclusion" and c.rule is not None]
    assert [c for c in exclusions if not deciding[c]] == []


def test_about_one_in_ten_patients_is_truly_unsure_of_one_fact(patients: list[Patient]) -> None:
    unsure = [p for p in patients if p.unsure]
    assert 0.05 <= len(unsure) / len(patients) <= 0.15
    assert all(p.answers[p.unsure] == "unsure" for p in unsure)


def test_a_reading_that_changes_a_criterion_does_not_keep_the_meaning(trial: Trial, patients: list[Patient]) -> None:
    patient = next(p for p in patients if p.answers["last_cancer_date"] == "never" and p.cohort == "sle")
    # "cancer 2 years ago" is a rule-out that "never" is not: not the same meaning
    assert not keeps_meaning(trial, patient.answers, TODAY, [{"last_cancer_date": "2024-12-01"}])
    # "cancer 20 years ago" leaves every criterion as "never" does
    assert keeps_meaning(trial, patient.answers, TODAY, [{"last_cancer_date": "2006-12-01"}])
    # a date after the screening date is refused by the engine: never a reading of the truth
    assert not keeps_meaning(trial, patient.answers, TODAY, [{"last_cancer_date": "2027-01-01"}])
