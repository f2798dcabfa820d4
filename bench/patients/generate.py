"""Synthetic patients of NCT07193810: a clean patient per cohort, then a few true variations.

Every patient has a true answer to every question of the trial, in the structured forms
``criteria.coerce`` accepts. A clean patient is likely eligible; each patient then gets 0-2
variations drawn from ``VARIATIONS`` (each exclusion of the trial, waiting periods, matters for
a person, and harmless ones such as a cancer 8 years ago), and about 1 in 10 is truly unsure of
one fact. The same seed gives the same patients. Questions this module does not know (the
trial file is being extended) get a harmless default by answer type.
"""

from __future__ import annotations

import random
from datetime import date

from bench.patients.draft import IMMUNOSUPPRESSANTS, STEROID_DOSES, Draft
from bench.patients.truth import Patient, facts_of
from bench.patients.variations import COHORT_3, VARIATIONS, Variation
from criteria import Trial, evaluate

COHORTS = {"sle": 0.40, "iim": 0.25, "ssc": 0.25, "other": 0.10}
#: Facts a patient may truly not know, and the cohorts that are asked them.
UNSURE_FACTS: dict[str, set[str] | None] = {
    "pregnant_or_breastfeeding": None,
    "myositis_type": {"iim"},
    "ssc_type": {"ssc"},
    "last_live_vaccine_date": None,
    "tuberculosis": None,
    "infection_now": None,
    "recent_high_dose_steroid": {"sle"},
    "recent_heart_event": None,
    "other_autoimmune_treated": None,
    "other_serious_illness": None,
    "antibody_allergy": None,
    "recent_brain_event": None,
    "ssc_pah_treated": {"ssc"},
}


def make_patients(trial: Trial, count: int, seed: int, today: date) -> list[Patient]:
    """``count`` patients, the same for the same seed and screening date.

    Every third patient is given the variations in turn (so each exclusion, wait and matter for
    a person appears in a run of 150 patients or more); the others draw theirs at random.
    """
    return [make_patient(trial, random.Random(f"{seed}:{index}"), today, index) for index in range(count)]


def make_patient(trial: Trial, rng: random.Random, today: date, index: int) -> Patient:
    """One patient whose true facts the engine accepts and that contradict nothing."""
    patient_id = f"p{index + 1:04d}"
    forced = VARIATIONS[(index // 3) % len(VARIATIONS)] if index % 3 == 0 else None
    for _ in range(50):
        if forced is not None:
            cohort = rng.choice(sorted(forced.cohorts or COHORT_3))
        else:
            cohort = rng.choices(list(COHORTS), weights=list(COHORTS.values()))[0]
        draft = Draft(rng, today, cohort, {}, {}, [])
        _baseline(draft, female=True if forced is not None and forced.female_only else None)
        count = rng.choices([0, 1, 2], weights=[0.6, 0.3, 0.1])[0]
        usable = [v for v in VARIATIONS if v.fits(draft)]
        picked = _pick(rng, usable, count)
        if forced is not None:
            picked = [forced, *[v for v in picked if v.group != forced.group][:1]] if rng.random() < 0.3 else [forced]
        for variation in picked:
            variation.apply(draft)
            draft.story.append(variation.name)
        _defaults(trial, draft)
        unsure = _unsure(trial, draft) if rng.random() < 0.10 else None
        if unsure:
            draft.answers[unsure] = "unsure"
            draft.story.append(f"unsure:{unsure}")
        facts = facts_of(trial, draft.answers, today)
        if not evaluate(trial, facts, today).contradictions:
            return Patient(patient_id, cohort, draft.answers, draft.details, unsure, draft.story)
    raise RuntimeError(f"could not make a consistent patient {patient_id}")


def _pick(rng: random.Random, usable: list[Variation], count: int) -> list[Variation]:
    picked: list[Variation] = []
    while usable and len(picked) < count:
        choice = rng.choices(usable, weights=[v.weight for v in usable])[0]
        picked.append(choice)
        usable = [v for v in usable if v.group != choice.group]
    return picked


def _baseline(d: Draft, female: bool | None = None) -> None:
    """A clean, likely eligible patient of the cohort (or of another condition)."""
    rng = d.rng
    d.answers["condition"] = d.cohort
    if female is None:
        female = rng.random() < {"sle": 0.9, "iim": 0.65, "ssc": 0.8}.get(d.cohort, 0.7)
    d.answers["sex"] = "female" if female else "male"
    age = rng.randint(21, 63)
    d.born(age)
    d.answers["pregnant_or_breastfeeding"] = False
    d.answers["contraception_agreement"] = "not_applicable" if female and age > 50 and rng.random() < 0.7 else "yes"
    d.answers["current_medicines"] = []
    d.answers["past_medicines"] = []
    if d.cohort == "other":
        d.answers["condition_other"] = rng.choices(["antisynthetase", "overlap", "something_else"], [3, 3, 4])[0]
    if d.cohort == "iim":
        d.answers["myositis_type"] = rng.choices(
            ["dermatomyositis", "polymyositis", "antisynthetase", "imnm", "other_type"], [45, 25, 12, 10, 8]
        )[0]
    if d.cohort == "ssc":
        d.answers["ssc_type"] = "diffuse"
        d.when("ssc_diagnosis_date", rng.randint(10, 50), "month")
    suppressant = rng.choice(IMMUNOSUPPRESSANTS)
    if d.cohort in {"sle", "other"} and rng.random() < 0.85:
        d.take("current_medicines", "hydroxychloroquine", rng.randint(1, 9), "year")
    d.take("current_medicines", suppressant, *_span(rng, 7, 40))
    if rng.random() < 0.85 or d.cohort == "ssc":
        medicine = rng.choices(list(STEROID_DOSES), [7, 2, 3])[0]
        top = {"ssc": 10.0, "iim": 60.0}.get(d.cohort, 40.0)
        doses = [m for m in STEROID_DOSES[medicine] if _prednisone(medicine, m) <= top]
        d.steroid(medicine, rng.choice(doses))
    else:
        d.steroid(None)
        d.answers["ever_steroids"] = True
        d.take("past_medicines", "prednisone", rng.randint(4, 24), "month")
    others = [m for m in IMMUNOSUPPRESSANTS if m != suppressant]
    for medicine in rng.sample([*others, "cyclophosphamide", "rituximab"], rng.randint(1, 2)):
        d.take("past_medicines", medicine, *_span(rng, 4, 30))
        if medicine == "rituximab":
            d.when("last_bcell_therapy_date", rng.randint(9, 30), "month")
    if rng.random() < 0.25:
        d.take("current_medicines", rng.choice(["folic_acid", "vitamin_d", "omeprazole", "calcium"]), 1, "year")
    if rng.random() < 0.3:
        d.when("last_surgery_date", rng.randint(2, 15), "year")
    if rng.random() < 0.3:
        d.when("last_serious_infection_date", rng.randint(3, 18), "month")
    if rng.random() < 0.2:
        d.when("last_live_vaccine_date", rng.randint(2, 20), "year")


def _span(rng: random.Random, low_months: int, high_months: int) -> tuple[int, str]:
    months = rng.randint(low_months, high_months)
    return (months // 12, "year") if months >= 24 and rng.random() < 0.5 else (months, "month")


def _prednisone(medicine: str, mg: float) -> float:
    return mg * {"prednisone": 1.0, "prednisolone": 1.0, "methylprednisolone": 1.25}[medicine]


def _defaults(trial: Trial, d: Draft) -> None:
    """A harmless true answer to every question not set yet (never, no, the first choice...)."""
    for fact_id, fact in trial.facts.items():
        if fact_id in d.answers:
            continue
        kind = fact.answer.type
        if kind == "yes_no":
            d.answers[fact_id] = fact_id == "ever_steroids"
        elif kind == "date_or_never":
            d.never(fact_id)
        elif kind == "date":
            d.when(fact_id, 2, "year")
        elif kind in {"medicine_list", "dose"}:
            d.answers[fact_id] = "none"
        elif kind == "choice":
            choices = list(fact.answer.choices or {})
            d.answers[fact_id] = "no" if "no" in choices else choices[0]
        elif kind == "number":
            d.answers[fact_id] = 70
        elif kind == "age":
            d.born(40)
    for fact_id in ("current_medicines", "past_medicines"):
        if d.answers.get(fact_id) == []:
            d.answers[fact_id] = "none"


def _unsure(trial: Trial, d: Draft) -> str | None:
    options = [
        fact
        for fact, cohorts in UNSURE_FACTS.items()
        if fact in trial.facts
        and (cohorts is None or d.cohort in cohorts)
        and not (fact == "pregnant_or_breastfeeding" and d.answers.get("sex") != "female")
    ]
    return d.rng.choice(options) if options else None
