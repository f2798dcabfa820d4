"""The evaluator, table by table: each cohort's eligible path, every knock-out and its boundary."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from criteria import State, Status, Trial, Unknown, evaluate
from criteria.evaluator import Note
from criteria.examples import IIM, SLE, SSC
from tests.criteria.profiles import (
    PROFILES,
    TODAY,
    complete,
    days_ago,
    facts_for,
    judge,
    months_ago,
)


@pytest.mark.parametrize("cohort", ["sle", "iim", "ssc"])
def test_each_cohort_has_an_eligible_path(trial: Trial, cohort: str) -> None:
    result = judge(trial, PROFILES[cohort])
    assert result.status is Status.LIKELY_ELIGIBLE
    assert result.cohort == cohort
    assert not result.by_state(State.NOT_MET)
    assert not result.by_state(State.UNKNOWN)
    # Disease activity is always the site's to verify, in plain words.
    activity = {"sle": "sle-activity", "iim": "iim-activity", "ssc": "ssc-skin-score"}[cohort]
    assert result.get(activity).state is State.SITE_VERIFIES
    assert result.get(activity).reason in result.site_to_verify
    # Other cohorts' criteria are not applied.
    others = [c for c in result.criteria if c.id.split("-")[0] in {"sle", "iim", "ssc"} - {cohort}]
    assert others and all(c.state is State.NOT_APPLICABLE for c in others)


# (profile, changed answers, criterion that must come out not met)
KNOCKOUTS: list[tuple[dict[str, Any], dict[str, Any], str]] = [
    # --- age, inclusive at both ends, counted on the screening date
    (SLE, {"age": 17}, "inc-age"),  # one year too young
    (SLE, {"age": 66}, "inc-age"),  # one year too old
    (SLE, {"age": months_ago(18 * 12, extra_days=-1)}, "inc-age"),  # turns 18 tomorrow
    (SLE, {"age": months_ago(66 * 12)}, "inc-age"),  # 66th birthday today
    (SLE, {"age": 70}, "inc-age"),
    # --- which condition
    (SLE, {"condition": "other", "condition_other": "something_else"}, "inc-condition"),  # none of the three
    # --- SLE steroid ceiling 40 mg/day prednisone, in equivalents
    (SLE, {"current_steroid_dose": {"medicine": "prednisone", "mg_per_day": 40.5}}, "sle-steroid-max"),
    (SLE, {"current_steroid_dose": {"medicine": "methylprednisolone", "mg_per_day": 33}}, "sle-steroid-max"),
    (SLE, {"current_steroid_dose": {"medicine": "dexamethasone", "mg_per_day": 6.5}}, "sle-steroid-max"),
    # --- steroid alone must be at least 7.5 mg/day
    (
        SLE,
        {
            "current_medicines": [{"medicine": "prednisone", "duration": "1 year"}],
            "past_medicines": ["cellcept", "methotrexate"],
            "current_steroid_dose": {"medicine": "prednisone", "mg_per_day": 7},
        },
        "sle-steroid-alone-min",
    ),
    # --- at least 2 immunosuppressants/biologics, each for 3 months or more
    (SLE, {"past_medicines": "none"}, "sle-prior-therapy"),  # only CellCept
    (SLE, {"past_medicines": [{"medicine": "methotrexate", "duration": "2 months"}]}, "sle-prior-therapy"),
    (SLE, {"past_medicines": [{"medicine": "methotrexate", "duration": "12 weeks"}]}, "sle-prior-therapy"),
    (SLE, {"past_medicines": ["Plaquenil"]}, "sle-prior-therapy"),  # an antimalarial does not count
    # --- background therapy for 12 weeks before dosing
    (SLE, {"current_medicines": "none", "past_medicines": ["mmf", "mtx"]}, "sle-background-therapy"),
    # --- SLE-only exclusions
    (SLE, {"dialysis": "yes"}, "exc-dialysis"),
    (SLE, {"recent_high_dose_steroid": "yes"}, "exc-high-dose-steroid"),
    (
        SLE,
        {"current_medicines": [*SLE["current_medicines"], {"medicine": "Saphnelo", "duration": "5 months"}]},
        "exc-nonstandard-sle",  # taking it now
    ),
    # --- IIM steroid ceiling 60 mg/day
    (IIM, {"current_steroid_dose": {"medicine": "prednisone", "mg_per_day": 60.5}}, "iim-steroid-max"),
    # --- IIM prior therapy: steroids at some time, and an immune drug for 3 months
    (
        IIM,
        {
            "current_medicines": [{"medicine": "methotrexate", "duration": "1 year"}],
            "past_medicines": "none",
            "ever_steroids": "no",
        },
        "iim-prior-therapy",  # never had steroids for it: the only steroid answer that rules out
    ),
    (
        IIM,
        {"current_medicines": [{"medicine": "prednisone", "duration": "1 year"}], "past_medicines": "none"},
        "iim-prior-therapy",  # no immunomodulatory drug at all
    ),
    (IIM, {"myositis_type": "inclusion_body"}, "exc-other-myositis-type"),
    (IIM, {"myositis_type": "juvenile"}, "exc-other-myositis-type"),
    (IIM, {"non_myositis_weakness": "yes"}, "exc-non-myositis-damage"),
    # --- SSc
    (SSC, {"ssc_type": "limited"}, "ssc-diagnosis"),
    (SSC, {"ssc_diagnosis_date": months_ago(60, extra_days=1)}, "ssc-duration"),  # 5 years and a day
    (SSC, {"current_steroid_dose": {"medicine": "prednisone", "mg_per_day": 10.5}}, "ssc-steroid-max"),
    (
        SSC,
        {
            "current_medicines": [{"medicine": "mmf", "duration": "1 year"}],
            "past_medicines": "none",
            "ever_steroids": "no",
        },
        "ssc-prior-therapy",  # no glucocorticoid ever
    ),
    (SSC, {"ssc_pah_treated": "yes"}, "exc-ssc-pah"),
    (SSC, {"ssc_iv_nutrition": "yes"}, "exc-ssc-gut"),
    (SSC, {"ssc_gave": "yes"}, "exc-ssc-gave"),
    (SSC, {"ssc_renal_crisis": "yes"}, "exc-ssc-renal-crisis"),
    # --- exclusions for everyone (the waiting periods are in NOT_YET below)
    (SSC, {"plans_live_vaccine": "yes"}, "exc-live-vaccine"),
    (SSC, {"last_cancer_date": months_ago(12)}, "exc-cancer"),  # 4 years to wait: beyond recontact_within
    (SSC, {"transplant": "yes"}, "exc-transplant"),
    (SSC, {"recent_brain_event": "yes"}, "exc-cns"),
    (SSC, {"substance_problem": "yes"}, "exc-substance"),
    (SSC, {"recent_heart_event": "yes"}, "exc-heart"),
    (SSC, {"infection_now": "yes"}, "exc-infection-serology"),
    (SSC, {"tuberculosis": "yes"}, "exc-tuberculosis"),
    (SSC, {"pregnant_or_breastfeeding": "yes"}, "exc-pregnancy"),
    (SSC, {"contraception_agreement": "no"}, "inc-contraception-female"),
    (IIM, {"contraception_agreement": "no"}, "inc-contraception-male"),
]


@pytest.mark.parametrize(("profile", "changes", "criterion"), KNOCKOUTS, ids=lambda v: v if isinstance(v, str) else "")
def test_knockout(trial: Trial, profile: dict[str, Any], changes: dict[str, Any], criterion: str) -> None:
    result = judge(trial, profile, **changes)
    assert result.get(criterion).state is State.NOT_MET
    assert result.status is Status.NOT_ELIGIBLE
    reason = trial.criterion(criterion).reason_not_met
    assert reason in result.reasons
    # The facts that decided it are named, so a coordinator can see why.
    assert result.get(criterion).facts


# Waiting periods: (profile, changed answers, criterion, the first day the patient may qualify).
# The listing counts each window to the first dose, so these are "not yet", never "not a fit".
NOT_YET: list[tuple[dict[str, Any], dict[str, Any], str, str]] = [
    (SSC, {"last_cart_date": months_ago(6)}, "exc-car-t", "2026-11-26"),  # exactly 6 months ago
    (SSC, {"last_bcell_therapy_date": months_ago(1)}, "exc-b-cell-depletion", "2026-11-26"),  # exactly 1 month ago
    (SSC, {"last_bcell_therapy_date": days_ago(21), "bcell_recovered": "no"}, "exc-b-cell-depletion", "2026-12-05"),
    (SSC, {"last_live_vaccine_date": days_ago(28)}, "exc-live-vaccine", "2026-11-26"),  # 4 weeks to the day
    (SSC, {"last_serious_infection_date": days_ago(14)}, "exc-infection", "2026-11-26"),  # 14 days to the day
    (SSC, {"last_surgery_date": days_ago(28), "last_surgery_major": "yes"}, "exc-surgery", "2026-11-26"),
    (SSC, {"last_surgery_date": days_ago(10), "last_surgery_major": "no"}, "exc-surgery", "2026-11-30"),
    (SSC, {"last_trial_date": days_ago(27)}, "exc-other-trial", "2026-11-27"),
    (SLE, {"last_nonstandard_sle_date": months_ago(3)}, "exc-nonstandard-sle", "2026-11-26"),
    (SSC, {"last_cancer_date": months_ago(60, extra_days=-1)}, "exc-cancer", "2026-11-26"),  # 5 years tomorrow
    # a medicine taken now, not yet for 12 weeks (8 weeks of Plaquenil: 4 weeks to go)
    (
        SLE,
        {
            "current_medicines": [{"medicine": "Plaquenil", "duration": "8 weeks"}],
            "past_medicines": ["mmf", "mtx"],
            "current_steroid_dose": "none",
        },
        "sle-background-therapy",
        "2026-12-23",
    ),
]


@pytest.mark.parametrize(
    ("profile", "changes", "criterion", "after"), NOT_YET, ids=lambda v: v if isinstance(v, str) else ""
)
def test_waiting_period_is_not_yet(
    trial: Trial, profile: dict[str, Any], changes: dict[str, Any], criterion: str, after: str
) -> None:
    result = judge(trial, profile, **changes)
    item = result.get(criterion)
    assert item.state is State.NOT_YET
    assert item.recontact_after is not None and item.recontact_after.isoformat() == after
    assert result.status is Status.NOT_YET
    assert result.recontact_after == item.recontact_after
    # The reason says what and from when, in plain words.
    assert trial.criterion(criterion).reason_not_met in result.reasons[0]
    assert "You may be able to join from" in result.reasons[0]
    if "current_medicines" in changes:
        return  # a duration is as said on the screening date; the recontact re-screens it
    # On that day, the same dates no longer rule the patient out; the day before, they still do.
    answers = facts_for(trial, complete(trial, profile, **changes))
    later = evaluate(trial, answers, item.recontact_after)
    assert later.get(criterion).state in {State.MET, State.SITE_VERIFIES}
    before = evaluate(trial, answers, item.recontact_after - timedelta(days=1))
    assert before.get(criterion).state is State.NOT_YET


def test_a_rule_out_beats_a_wait(trial: Trial) -> None:
    result = judge(trial, SSC, last_cart_date=months_ago(1), transplant="yes")
    assert result.get("exc-car-t").state is State.NOT_YET
    assert result.status is Status.NOT_ELIGIBLE
    assert result.recontact_after is not None  # kept, though the status is the rule-out


# (profile, changed answers, criterion that must NOT be ruled out: the other side of each boundary)
PASSES: list[tuple[dict[str, Any], dict[str, Any], str]] = [
    (SLE, {"age": 18}, "inc-age"),
    (SLE, {"age": 65}, "inc-age"),
    (SLE, {"age": months_ago(18 * 12)}, "inc-age"),  # 18th birthday today
    (SLE, {"age": months_ago(66 * 12, extra_days=-1)}, "inc-age"),  # 66 tomorrow: still 65 today
    (SLE, {"current_steroid_dose": {"medicine": "prednisone", "mg_per_day": 40}}, "sle-steroid-max"),
    (SLE, {"current_steroid_dose": {"medicine": "methylprednisolone", "mg_per_day": 32}}, "sle-steroid-max"),
    (SLE, {"current_steroid_dose": {"medicine": "Medrol", "mg_per_day": 32}}, "sle-steroid-max"),
    (SLE, {"current_steroid_dose": {"medicine": "dexamethasone", "mg_per_day": 6}}, "sle-steroid-max"),
    (SLE, {"current_steroid_dose": {"medicine": "hydrocortisone", "mg_per_day": 160}}, "sle-steroid-max"),
    (SLE, {"current_steroid_dose": {"medicine": "deflazacort", "mg_per_day": 48}}, "sle-steroid-max"),
    (
        SLE,
        {
            "current_medicines": [{"medicine": "prednisone", "duration": "1 year"}],
            "past_medicines": ["cellcept", "methotrexate"],
            "current_steroid_dose": {"medicine": "prednisone", "mg_per_day": 7.5},
        },
        "sle-steroid-alone-min",
    ),
    (
        SLE,
        {"current_steroid_dose": {"medicine": "prednisone", "mg_per_day": 5}},
        "sle-steroid-alone-min",  # 5 mg is fine because Plaquenil and CellCept are taken too
    ),
    (SLE, {"past_medicines": [{"medicine": "methotrexate", "duration": "3 months"}]}, "sle-prior-therapy"),
    (SLE, {"past_medicines": ["Benlysta"]}, "sle-prior-therapy"),  # a biologic counts
    (IIM, {"current_steroid_dose": {"medicine": "prednisone", "mg_per_day": 60}}, "iim-steroid-max"),
    (
        IIM,
        {
            "current_medicines": [{"medicine": "methotrexate", "duration": "1 year"}],
            "past_medicines": "none",
            "ever_steroids": "yes",
        },
        "iim-prior-therapy",  # a steroid course not in either list still counts: the site checks the dose
    ),
    (IIM, {"past_medicines": ["Xeljanz"]}, "iim-prior-therapy"),  # a small molecule counts for IIM
    (SSC, {"ssc_diagnosis_date": months_ago(60)}, "ssc-duration"),  # exactly 5 years
    (SSC, {"current_steroid_dose": {"medicine": "prednisone", "mg_per_day": 10}}, "ssc-steroid-max"),
    (SSC, {"current_steroid_dose": {"medicine": "dexamethasone", "mg_per_day": 1.5}}, "ssc-steroid-max"),
    (
        SSC,
        {
            "current_medicines": [
                {"medicine": "prednisone", "duration": "1 year"},
                {"medicine": "mmf", "duration": "4 months"},
            ],
            "past_medicines": [{"medicine": "methotrexate", "duration": "3 months"}],
        },
        "ssc-prior-therapy",  # 4 + 3 = 7 months in total
    ),
    (
        SSC,
        {
            "current_medicines": [
                {"medicine": "prednisone", "duration": "1 year"},
                {"medicine": "mmf", "duration": "6 months"},
            ]
        },
        "ssc-prior-therapy",  # "6 months" reported against "more than 6 months": the site checks
    ),
    (SSC, {"last_cart_date": months_ago(6, extra_days=1)}, "exc-car-t"),
    (SSC, {"last_bcell_therapy_date": months_ago(1, extra_days=1)}, "exc-b-cell-depletion"),
    (SSC, {"last_bcell_therapy_date": days_ago(10), "bcell_recovered": "yes"}, "exc-b-cell-depletion"),
    (SSC, {"last_live_vaccine_date": days_ago(29)}, "exc-live-vaccine"),
    (SSC, {"last_serious_infection_date": days_ago(15)}, "exc-infection"),
    (SSC, {"last_surgery_date": days_ago(29), "last_surgery_major": "yes"}, "exc-surgery"),
    (SSC, {"last_surgery_date": days_ago(15), "last_surgery_major": "no"}, "exc-surgery"),
    (SSC, {"last_cancer_date": months_ago(60)}, "exc-cancer"),  # exactly 5 years: not "< 5 years"
    (SSC, {"last_trial_date": days_ago(29)}, "exc-other-trial"),
    (SLE, {"last_nonstandard_sle_date": months_ago(3, extra_days=1)}, "exc-nonstandard-sle"),
    (IIM, {"pregnant_or_breastfeeding": "yes"}, "exc-pregnancy"),  # only applies to women; check catches it
]


@pytest.mark.parametrize(("profile", "changes", "criterion"), PASSES, ids=lambda v: v if isinstance(v, str) else "")
def test_other_side_of_the_boundary(
    trial: Trial, profile: dict[str, Any], changes: dict[str, Any], criterion: str
) -> None:
    result = judge(trial, profile, **changes)
    assert result.get(criterion).state in {State.MET, State.SITE_VERIFIES}


def test_male_reporting_pregnancy_is_a_contradiction(trial: Trial) -> None:
    result = judge(trial, IIM, pregnant_or_breastfeeding="yes")
    assert result.status is Status.NEEDS_COORDINATOR
    assert [c.id for c in result.contradictions] == ["pregnant-but-male"]


def test_steroid_dose_without_a_steroid_is_a_contradiction(trial: Trial) -> None:
    result = judge(
        trial,
        SLE,
        current_medicines=[{"medicine": "cellcept", "duration": "1 year"}, "plaquenil"],
    )
    assert result.status is Status.NEEDS_COORDINATOR
    assert [c.id for c in result.contradictions] == ["steroid-dose-without-steroid"]


# "Not sure" is unknown, never no: (profile, fact answered "unsure", criterion, expected state)
UNSURE_CASES: list[tuple[dict[str, Any], str, str, State]] = [
    # the patient decides these, so a person must follow up
    (SLE, "age", "inc-age", State.UNKNOWN),
    (SLE, "transplant", "exc-transplant", State.UNKNOWN),
    (SLE, "dialysis", "exc-dialysis", State.UNKNOWN),
    (SLE, "last_cart_date", "exc-car-t", State.UNKNOWN),
    (SLE, "condition", "inc-condition", State.UNKNOWN),
    (SLE, "condition_other", "inc-condition", State.UNKNOWN),
    # the site tests for TB, but the trial file asks a coordinator to talk to an unsure patient first
    (SLE, "tuberculosis", "exc-tuberculosis", State.UNKNOWN),
    # the site checks these anyway (tests, records), so "not sure" passes to the site
    (SLE, "infection_now", "exc-infection-serology", State.UNKNOWN),  # a coordinator first (review item 9)
    (SLE, "recent_brain_event", "exc-cns", State.UNKNOWN),  # a coordinator first (review item 11)
    (SLE, "pregnant_or_breastfeeding", "exc-pregnancy", State.SITE_VERIFIES),
    (SSC, "ssc_type", "ssc-diagnosis", State.SITE_VERIFIES),
    (SLE, "bcell_recovered", "exc-b-cell-depletion", State.SITE_VERIFIES),
    (SLE, "past_medicines", "sle-prior-therapy", State.SITE_VERIFIES),
]


@pytest.mark.parametrize(("profile", "fact", "criterion", "state"), UNSURE_CASES)
def test_not_sure_is_never_no(trial: Trial, profile: dict[str, Any], fact: str, criterion: str, state: State) -> None:
    changes: dict[str, Any] = {fact: "unsure"}
    if fact == "bcell_recovered":
        changes["last_bcell_therapy_date"] = days_ago(10)  # only then does the answer matter
    if fact == "condition_other":
        changes["condition"] = "other"
    if fact == "condition":
        changes["condition_other"] = "something_else"  # asked too: it may name a close condition
    result = judge(trial, profile, **changes)
    assert result.get(criterion).state is state
    assert result.status is not Status.NOT_ELIGIBLE
    if state is State.UNKNOWN:
        assert result.get(criterion).unknown is Unknown.UNSURE
        assert result.status is Status.NEEDS_COORDINATOR
    else:
        # Review item 13: the site's list says the patient was not sure, unlike a plain "no".
        assert result.get(criterion).note is Note.UNSURE
        assert result.get(criterion).reason.startswith("You were not sure about this")
        assert result.get(criterion).reason in result.site_to_verify


def test_not_sure_to_everything_rules_nobody_out(trial: Trial) -> None:
    answers = {fact_id: "unsure" for fact_id in trial.facts}
    result = evaluate(trial, facts_for(trial, answers), TODAY)
    assert not result.by_state(State.NOT_MET)
    assert result.status is Status.NEEDS_COORDINATOR


def test_low_confidence_answer_never_rules_out_on_its_own(trial: Trial) -> None:
    answers = complete(trial, SLE, tuberculosis="yes")
    unsure_reading = evaluate(trial, facts_for(trial, answers, tuberculosis={"confidence": 0.5}), TODAY)
    assert unsure_reading.get("exc-tuberculosis").unknown is Unknown.LOW_CONFIDENCE
    assert unsure_reading.status is Status.NEEDS_COORDINATOR
    clear_reading = evaluate(trial, facts_for(trial, answers, tuberculosis={"confidence": 0.95}), TODAY)
    assert clear_reading.status is Status.NOT_ELIGIBLE


@pytest.mark.parametrize(
    ("fact", "criterion"),
    [
        ("tuberculosis", "exc-tuberculosis"),  # the site tests for TB too, but a doubtful "no" is not a pass
        ("age", "inc-age"),  # review item 4: age 34 read at 0.3 was "likely eligible"
    ],
)
def test_low_confidence_pass_goes_to_a_coordinator(trial: Trial, fact: str, criterion: str) -> None:
    # Found by bench.patients: "27 nvoember" read as a day in mid-2026 at 0.5 passed the 14-day
    # infection window onto the site's list, and the patient was told "likely eligible".
    facts = facts_for(trial, complete(trial, SLE), **{fact: {"confidence": 0.5}})
    result = evaluate(trial, facts, TODAY)
    assert result.get(criterion).unknown is Unknown.LOW_CONFIDENCE
    assert result.status is Status.NEEDS_COORDINATOR


def test_self_contradicting_answer_goes_to_a_person(trial: Trial) -> None:
    facts = facts_for(trial, complete(trial, SLE), transplant={"conflicting": True, "said": "no... well yes"})
    result = evaluate(trial, facts, TODAY)
    assert result.get("exc-transplant").unknown is Unknown.CONFLICT
    assert result.status is Status.NEEDS_COORDINATOR


@pytest.mark.parametrize(
    ("fact", "criterion"),
    [
        ("other_autoimmune_treated", "exc-other-autoimmune"),  # overlap syndromes are common: doctor decides
        ("antibody_allergy", "exc-antibody-allergy"),  # a brief mild reaction may be allowed
        ("other_serious_illness", "exc-other-severe-disease"),  # investigator's judgement by the listing's words
    ],
)
def test_judgement_criteria_send_a_yes_to_a_person(trial: Trial, fact: str, criterion: str) -> None:
    result = judge(trial, SLE, **{fact: "yes"})
    assert result.get(criterion).state is State.UNKNOWN
    assert result.get(criterion).unknown is Unknown.JUDGEMENT
    assert result.status is Status.NEEDS_COORDINATOR
    # "Not sure" (or "yes, that's right. No.") goes to a person too: found by bench.patients,
    # where it passed onto the site's list and the patient was told "likely eligible".
    unsure = judge(trial, SLE, **{fact: "unsure"})
    assert unsure.get(criterion).unknown is Unknown.UNSURE
    assert unsure.status is Status.NEEDS_COORDINATOR


def test_medicine_we_cannot_place_goes_to_the_site_not_a_guess(trial: Trial) -> None:
    # One sure immunosuppressant plus a name we do not know: it might be the second one.
    result = judge(trial, SLE, past_medicines=["zorbulimab"])
    assert result.get("sle-prior-therapy").state is State.SITE_VERIFIES
    # An unlisted immune medicine (voclosporin) is a maybe too, never counted silently.
    result = judge(trial, SLE, past_medicines=["Lupkynis"])
    assert result.get("sle-prior-therapy").state is State.SITE_VERIFIES


def test_missing_duration_on_current_medicine_is_a_maybe(trial: Trial) -> None:
    result = judge(trial, SLE, current_medicines=["prednisone", "cellcept", "plaquenil"])
    assert result.get("sle-prior-therapy").state is State.SITE_VERIFIES
    assert result.get("sle-background-therapy").state is State.SITE_VERIFIES


def test_incomplete_until_every_needed_fact_is_known(trial: Trial) -> None:
    answers = complete(trial, SLE)
    del answers["tuberculosis"]
    result = evaluate(trial, facts_for(trial, answers), TODAY)
    assert result.status is Status.INCOMPLETE
    assert result.get("exc-tuberculosis").ask == ("tuberculosis",)


def test_cohort_questions_wait_for_the_cohort(trial: Trial) -> None:
    result = evaluate(trial, {}, TODAY)
    assert result.status is Status.INCOMPLETE
    assert result.get("sle-prior-therapy").ask == ("condition",)


def test_evaluation_depends_on_the_screening_date_not_the_clock(trial: Trial) -> None:
    facts = facts_for(trial, complete(trial, SSC, last_cart_date=months_ago(6)))
    assert evaluate(trial, facts, TODAY).get("exc-car-t").state is State.NOT_YET
    later = TODAY.replace(day=26)
    assert evaluate(trial, facts, later).get("exc-car-t").state is State.MET
