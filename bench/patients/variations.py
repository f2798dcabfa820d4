"""True differences from a clean patient: exclusions, waiting periods, matters for a person, harmless ones.

``VARIATIONS`` is the list ``generate`` draws from; a variation's ``group`` keeps two of the
same kind (two ages) off one patient.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.patients.draft import B_CELL, IMMUNOSUPPRESSANTS, STEROID_DOSES, Draft


@dataclass(frozen=True)
class Variation:
    """A true difference from the clean patient (an exclusion, a wait, or something harmless)."""

    name: str
    weight: float
    cohorts: frozenset[str]  # empty: every cohort
    apply: Callable[[Draft], None]
    group: str = ""  # one variation per group
    female_only: bool = False

    def fits(self, d: Draft) -> bool:
        """Whether it can happen to this patient."""
        if self.cohorts and d.cohort not in self.cohorts:
            return False
        return not (self.female_only and d.answers.get("sex") != "female")


def _set(**values: Any) -> Callable[[Draft], None]:
    def apply(d: Draft) -> None:
        d.answers.update(values)

    return apply


def _dated(fact: str, low: int, high: int, unit: str, **also: Any) -> Callable[[Draft], None]:
    def apply(d: Draft) -> None:
        d.when(fact, d.rng.randint(low, high), unit)
        d.answers.update(also)

    return apply


def _age(low: int, high: int) -> Callable[[Draft], None]:
    return lambda d: d.born(d.rng.randint(low, high))


def _one_suppressant(d: Draft) -> None:
    """Lupus: only one immune medicine ever (prior therapy not met)."""
    d.answers["past_medicines"] = [m for m in d.medicines("past_medicines") if m["medicine"] == "prednisone"]


def _steroid_only(d: Draft) -> None:
    """Myositis or scleroderma: steroids but never an immune medicine."""
    _one_suppressant(d)
    d.answers["current_medicines"] = [m for m in d.medicines("current_medicines") if m["medicine"] in STEROID_DOSES]
    if not d.answers["current_medicines"]:
        d.steroid("prednisone", 10)


def _new_suppressant(d: Draft) -> None:
    """The only medicine taken now is an immune medicine started a few weeks ago (not yet).

    Past immune medicines are kept for lupus (its prior therapy counts two), dropped otherwise.
    """
    if d.cohort != "sle":
        _one_suppressant(d)
    for item in d.medicines("current_medicines"):
        if item["medicine"] in IMMUNOSUPPRESSANTS:
            item["duration"] = f"{d.rng.randint(4, 10)} week"
    d.drop("current_medicines", "hydroxychloroquine")
    d.steroid(None)
    d.answers["ever_steroids"] = True


def _no_birth_control(d: Draft) -> None:
    """Will not use birth control (a man, sometimes: the listing's line for men)."""
    if d.rng.random() < 0.4:
        d.answers["sex"] = "male"
    d.answers["contraception_agreement"] = "no"


def _high_steroid(d: Draft) -> None:
    mg = {"sle": [50, 60], "iim": [70, 80], "ssc": [15, 20, 30]}[d.cohort]
    d.steroid("prednisone", d.rng.choice(mg))


def _steroid_alone_low(d: Draft) -> None:
    """A steroid below 7.5 mg/day as the only medicine taken now (prior therapy in the past)."""
    current = d.medicines("current_medicines")
    for item in current:
        if item["medicine"] in IMMUNOSUPPRESSANTS:
            d.take("past_medicines", item["medicine"], 12, "month")
    d.answers["current_medicines"] = []
    d.steroid("prednisone", d.rng.choice([2.5, 5]))


def _bcell_recent(recovered: bool | None) -> Callable[[Draft], None]:
    """A B-cell medicine in the last month; B cells told normal, told still low, or nobody said (None: not sure)."""

    def apply(d: Draft) -> None:
        d.when("last_bcell_therapy_date", d.rng.randint(1, 3), "week")
        d.take("current_medicines", d.rng.choice(B_CELL), d.rng.randint(4, 12), "month")
        d.answers["bcell_recovered"] = recovered if recovered is not None else "unsure"

    return apply


def _bcell_current_old(d: Draft) -> None:
    """Rituximab every 6 months: taken now, last infusion months ago (fine)."""
    d.when("last_bcell_therapy_date", d.rng.randint(2, 5), "month")
    d.take("current_medicines", "rituximab", d.rng.randint(1, 3), "year")


def _surgery(major: bool, low: int, high: int, unit: str = "day") -> Callable[[Draft], None]:
    def apply(d: Draft) -> None:
        d.when("last_surgery_date", d.rng.randint(low, high), unit)
        d.answers["last_surgery_major"] = major
        d.details["surgery"] = "major" if major else "minor"

    return apply


def _transplant(d: Draft) -> None:
    d.answers["transplant"] = True
    d.details["transplant"] = {"organ": d.rng.choice(["kidney", "bone marrow", "liver"]), "year": d.today.year - 6}


def _current_anifrolumab(d: Draft) -> None:
    d.take("current_medicines", "anifrolumab", d.rng.randint(4, 14), "month")
    d.when("last_nonstandard_sle_date", d.rng.randint(1, 3), "week")


def _still_on_antibiotics(d: Draft) -> None:
    d.answers["last_serious_infection_date"] = d.today.isoformat()
    d.details["last_serious_infection_date"] = {"ago": "0 day", "still": True}


ALL: frozenset[str] = frozenset()
COHORT_3 = frozenset({"sle", "iim", "ssc"})
SLE = frozenset({"sle"})
VARIATIONS: list[Variation] = [
    # exclusions (not eligible)
    Variation("too_young", 2, COHORT_3, _age(16, 17), "age"),
    Variation("too_old", 4, COHORT_3, _age(66, 79), "age"),
    Variation("pregnant", 3, COHORT_3, _set(pregnant_or_breastfeeding=True), "pregnancy", female_only=True),
    Variation("no_birth_control", 2, COHORT_3, _no_birth_control, "pregnancy"),
    Variation("one_immune_medicine", 4, frozenset({"sle"}), _one_suppressant, "therapy"),
    Variation("steroids_only", 3, frozenset({"iim", "ssc"}), _steroid_only, "therapy"),
    Variation("steroid_too_high", 4, COHORT_3, _high_steroid, "steroid"),
    Variation("steroid_alone_too_low", 2, frozenset({"sle", "iim"}), _steroid_alone_low, "steroid"),
    Variation(
        "excluded_myositis",
        3,
        frozenset({"iim"}),
        lambda d: d.answers.update(myositis_type=d.rng.choice(["inclusion_body", "juvenile"])),
        "type",
    ),
    Variation("limited_ssc", 4, frozenset({"ssc"}), _set(ssc_type="limited"), "type"),
    Variation("ssc_too_long", 3, frozenset({"ssc"}), _dated("ssc_diagnosis_date", 6, 12, "year"), "diagnosis"),
    Variation("plans_live_vaccine", 1, COHORT_3, _set(plans_live_vaccine=True), "vaccine"),
    Variation("transplant", 1, COHORT_3, _transplant, "transplant"),
    Variation("cancer_recent", 2, COHORT_3, _dated("last_cancer_date", 1, 4, "year"), "cancer"),
    Variation("infection_now", 1, COHORT_3, _set(infection_now="yes"), "serology"),
    Variation("tuberculosis", 1, COHORT_3, _set(tuberculosis=True), "tb"),
    Variation("dialysis", 1, frozenset({"sle"}), _set(dialysis=True), "kidney"),
    Variation("high_dose_steroid", 1, frozenset({"sle"}), _set(recent_high_dose_steroid=True), "steroid"),
    Variation("brain_event", 1, COHORT_3, _set(recent_brain_event=True), "brain"),
    Variation("other_weakness", 1, frozenset({"iim"}), _set(non_myositis_weakness=True), "weakness"),
    Variation("pah", 2, frozenset({"ssc"}), _set(ssc_pah_treated=True), "ssc_organ"),
    Variation("iv_nutrition", 1, frozenset({"ssc"}), _set(ssc_iv_nutrition=True), "ssc_organ"),
    Variation("gave", 1, frozenset({"ssc"}), _set(ssc_gave=True), "ssc_organ"),
    Variation("renal_crisis", 1, frozenset({"ssc"}), _set(ssc_renal_crisis=True), "ssc_organ"),
    Variation("substance", 1, COHORT_3, _set(substance_problem=True), "substance"),
    Variation("heart", 1, COHORT_3, _set(recent_heart_event=True), "heart"),
    Variation("anifrolumab_now", 1, frozenset({"iim", "ssc"}), _current_anifrolumab, "nonstandard"),
    # waiting periods (not yet)
    Variation("cart_recent", 1, COHORT_3, _dated("last_cart_date", 2, 5, "month"), "cart"),
    Variation("bcell_recent", 2, COHORT_3, _bcell_recent(False), "bcell"),
    Variation("saphnelo_recent", 1, SLE, _dated("last_nonstandard_sle_date", 3, 9, "week"), "nonstandard"),
    Variation("other_trial_recent", 1, COHORT_3, _dated("last_trial_date", 1, 3, "week"), "trial"),
    Variation("live_vaccine_recent", 1, COHORT_3, _dated("last_live_vaccine_date", 1, 3, "week"), "vaccine"),
    Variation("infection_recent", 2, COHORT_3, _dated("last_serious_infection_date", 2, 12, "day"), "infection"),
    Variation("still_on_antibiotics", 1, COHORT_3, _still_on_antibiotics, "infection"),
    Variation("major_surgery_recent", 1, COHORT_3, _surgery(True, 7, 25), "surgery"),
    Variation("minor_surgery_recent", 1, COHORT_3, _surgery(False, 2, 12), "surgery"),
    Variation("new_immune_medicine", 3, COHORT_3, _new_suppressant, "therapy"),
    # for a person (needs a coordinator)
    Variation("amyopathic", 1, frozenset({"iim"}), _set(myositis_type="amyopathic"), "type"),
    Variation("kidney_flare", 2, frozenset({"sle"}), _set(recent_kidney_flare=True), "kidney"),
    Variation("other_autoimmune", 2, COHORT_3, _set(other_autoimmune_treated=True), "autoimmune"),
    Variation("antibody_allergy", 1, COHORT_3, _set(antibody_allergy=True), "allergy"),
    Variation("other_serious_illness", 1, COHORT_3, _set(other_serious_illness=True), "illness"),
    Variation("past_infection", 1, COHORT_3, _set(infection_now="past"), "serology"),
    # harmless: still likely eligible
    Variation("cancer_long_ago", 2, COHORT_3, _dated("last_cancer_date", 7, 20, "year"), "cancer"),
    Variation("surgery_months_ago", 2, COHORT_3, _surgery(True, 3, 11, "month"), "surgery"),
    Variation("bcell_recovered", 1, COHORT_3, _bcell_recent(True), "bcell"),
    Variation("bcell_recent_not_told", 1, COHORT_3, _bcell_recent(None), "bcell"),
    Variation("rituximab_every_6_months", 1, COHORT_3, _bcell_current_old, "bcell"),
    Variation("cart_long_ago", 1, COHORT_3, _dated("last_cart_date", 9, 30, "month"), "cart"),
    Variation("old_trial", 1, COHORT_3, _dated("last_trial_date", 3, 24, "month"), "trial"),
]
