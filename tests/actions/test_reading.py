"""``answers.read``: the entity for the question asked, and the fall-backs when there is none."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from answers.readback import read_back
from answers.reading import ENTITY_OF, Reading, read
from criteria import load_trial

TRIAL = load_trial("NCT07193810")
TODAY = date(2026, 11, 25)


def reading(fact_id: str, text: str, entities: list[dict[str, Any]], intent: str = "inform") -> Reading | None:
    fact = TRIAL.facts[fact_id]
    return read(fact, text, intent, 0.9, today=TODAY, entities=entities)


def polarity(value: str, confidence: float = 1.0) -> dict[str, Any]:
    return {"entity": "polarity", "value": value, "confidence_entity": confidence}


@pytest.mark.parametrize(
    ("fact_id", "entities", "expected"),
    [
        # A yes/no answer is the polarity entity, flagged or not.
        ("tuberculosis", [polarity("no")], Reading("no")),
        ("tuberculosis", [polarity("yes", 0.6)], Reading("yes", 0.6)),
        # A choice is the choice entity for this question only.
        ("condition", [{"entity": "choice", "role": "condition", "value": "ssc"}], Reading("ssc")),
        # The other types: the entity of ENTITY_OF, its value and confidence as given.
        ("age", [{"entity": "age", "value": 42, "confidence_entity": 1.0}], Reading(42)),
        ("current_steroid_dose", [{"entity": "dose", "value": "none"}], Reading("none")),
        (
            "past_medicines",
            [{"entity": "medicines", "value": ["rituximab"], "confidence_entity": 0.5}],
            Reading(["rituximab"], 0.5),
        ),
        # A day is taken as said.
        ("last_surgery_date", [{"entity": "date", "value": {"date": "2026-11-04"}}], Reading("2026-11-04")),
        # A month: its middle, with the first and last day to check against the criteria.
        (
            "last_surgery_date",
            [{"entity": "date", "value": {"month": "2026-03"}}],
            Reading("2026-03-16", 1.0, ("2026-03-01", "2026-03-31")),
        ),
        # This year: the span ends today, never in the future.
        (
            "last_surgery_date",
            [{"entity": "date", "value": {"year": "2026"}}],
            Reading("2026-06-14", 1.0, ("2026-01-01", "2026-11-25")),
        ),
        # The entity for the question wins over the patient's "no" ("no, 5 mg now"); an amount
        # alone is of the steroid the question names.
        (
            "current_steroid_dose",
            [polarity("no"), {"entity": "dose", "value": {"medicine": None, "mg_per_day": 5}}],
            Reading({"medicine": "prednisone", "mg_per_day": 5}),
        ),
        # How the amount was worked out travels with it, to the read-back and the coordinator.
        (
            "current_steroid_dose",
            [{"entity": "dose", "value": {"medicine": None, "mg_per_day": 10, "how": "2 × 5 mg"}}],
            Reading({"medicine": "prednisone", "mg_per_day": 10, "how": "2 × 5 mg"}),
        ),
        # No value: a clear "not sure" is the answer "unsure"; a clear "no" is "never" or "none" where that exists.
        ("last_surgery_date", [polarity("unsure")], Reading("unsure")),
        # Not sure, said beside something the site must weigh ("dont know, had a flu shot in october if that counts")
        (
            "last_live_vaccine_date",
            [
                polarity("unsure"),
                {"entity": "topic", "role": "last_live_vaccine_date", "value": "unsure", "confidence_entity": 0.5},
            ],
            Reading("unsure"),
        ),
        ("last_cancer_date", [polarity("no")], Reading("never")),
        (
            "last_bcell_therapy_date",  # "never had rituximab but I do Benlysta every week"
            [
                {"entity": "topic", "role": "last_bcell_therapy_date", "value": "yes"},
                {"entity": "date", "value": "never"},
            ],
            Reading("unsure", 0.5),
        ),
        ("current_steroid_dose", [polarity("no")], Reading("none")),
        ("current_medicines", [polarity("no")], Reading("none")),
        # ... but not for a date that must have happened, nor when the "no" is hedged.
        ("ssc_diagnosis_date", [polarity("no")], None),
        ("last_cancer_date", [polarity("no", 0.6)], None),
        # A date answer naming what the site must weigh ("the flu jab in October"): the date,
        # flagged, with its span; with no date, a flagged "unsure". Another question's topic
        # or a clear one leaves the date as read.
        (
            "last_live_vaccine_date",
            [
                {"entity": "topic", "role": "last_live_vaccine_date", "value": "unsure", "confidence_entity": 0.5},
                {"entity": "date", "value": {"month": "2026-10"}},
            ],
            Reading("2026-10-16", 0.5, ("2026-10-01", "2026-10-31")),
        ),
        (
            "last_surgery_date",
            [{"entity": "topic", "role": "last_surgery_date", "value": "unsure", "confidence_entity": 0.5}],
            Reading("unsure", 0.5),
        ),
        (
            "last_surgery_date",
            [
                {"entity": "topic", "role": "last_cancer_date", "value": "unsure", "confidence_entity": 0.5},
                {"entity": "date", "value": {"date": "2026-11-04"}},
            ],
            Reading("2026-11-04"),
        ),
        (
            "last_live_vaccine_date",
            [
                {"entity": "topic", "role": "last_live_vaccine_date", "value": "yes"},
                {"entity": "date", "value": {"date": "2026-11-04"}},
            ],
            Reading("2026-11-04"),
        ),
        # Another question's entity is not this one's answer.
        ("age", [{"entity": "weight", "value": 70}], None),
        ("sex", [{"entity": "choice", "role": "condition", "value": "sle"}], None),
        # Nothing read: no guess.
        ("age", [], None),
    ],
)
def test_the_entity_for_the_question(fact_id: str, entities: list[dict[str, Any]], expected: Reading | None) -> None:
    assert reading(fact_id, "the words", entities) == expected


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("2", "inform", "male"),  # the second button
        ("Female", "inform", "female"),  # a button's label
        ("9", "inform", None),  # no ninth button
    ],
)
def test_a_choice_by_its_button(text: str, intent: str, expected: str | None) -> None:
    found = reading("sex", text, [], intent)
    assert (found.value if found else None) == expected


def test_an_unsure_intent_without_words_for_it() -> None:
    assert reading("age", "dunno lol", [], intent="unsure") == Reading("unsure")


def test_every_answer_type_has_a_reader() -> None:
    types = {fact.answer.type for fact in TRIAL.facts.values()}
    assert types <= set(ENTITY_OF) | {"yes_no", "choice"}


def topic(value: str, confidence: float = 1.0, role: str = "dialysis") -> dict[str, Any]:
    return {"entity": "topic", "role": role, "value": value, "confidence_entity": confidence}


@pytest.mark.parametrize(
    ("entities", "expected"),
    [
        ([topic("yes")], Reading("yes")),  # "I'm on dialysis 3x a week": the fact stated
        ([polarity("no"), topic("no")], Reading("no")),  # "no, never needed dialysis"
        ([polarity("no"), topic("yes")], Reading("unsure", 0.5)),  # "no, I'm on dialysis": words and fact disagree
        ([polarity("yes"), topic("unsure", 0.5)], Reading("unsure", 0.5)),  # a stated fact a clinician must weigh
        ([polarity("unsure", 0.6), topic("yes")], Reading("unsure", 0.6)),  # a hedge stays flagged
        (
            [{**polarity("unsure", 0.6), "role": "both"}, topic("yes")],
            Reading("yes"),
        ),  # "pregnant no, breastfeeding yes"
        ([topic("yes", role="transplant")], None),  # another question's fact
        # Something that may be the fact asked ("afib" for a heart event): the patient's own yes takes it,
        ([polarity("yes"), topic("yes", 0.5)], Reading("yes")),  # "yes, afib"
        ([polarity("no"), topic("yes", 0.5)], Reading("unsure", 0.5)),  # "no, afib": a person weighs it
        ([topic("yes", 0.5)], Reading("unsure", 0.5)),  # "afib" alone: a person weighs it
        # A when, not a doubt ("used to", "on and off"): the fact stated, read for now or ever, decides,
        ([{**polarity("unsure", 0.6), "role": "timing"}, topic("no")], Reading("no")),  # "used to, sober 6 years"
        ([{**polarity("unsure", 0.6), "role": "timing"}], Reading("unsure", 0.6)),  # "on and off" alone
        ([{**polarity("yes", 0.6), "role": "hedge"}, topic("yes")], Reading("yes", 0.6)),  # a real hedge stays
    ],
)
def test_a_yes_no_answer_from_its_words_and_the_fact_it_states(
    entities: list[dict[str, Any]], expected: Reading | None
) -> None:
    assert reading("dialysis", "the words", entities, intent="nlu_fallback") == expected


@pytest.mark.parametrize(
    ("text", "entities", "flagged"),
    [
        # Found by bench.patients: "08 Sepetmber 1965" was read as age 8 and ruled the patient out.
        ("08 Sepetmber 1965", [{"entity": "age", "value": 8, "confidence_entity": 1.0}], True),
        ("i was born in 1990 so 36", [{"entity": "age", "value": 36, "confidence_entity": 1.0}], False),  # agrees
        ("34", [{"entity": "age", "value": 34, "confidence_entity": 1.0}], False),
    ],
)
def test_an_age_that_a_year_in_the_words_contradicts_is_flagged(
    text: str, entities: list[dict[str, Any]], flagged: bool
) -> None:
    found = reading("age", text, entities)
    assert found is not None and (found.confidence < 1.0) is flagged


@pytest.mark.parametrize(
    ("value", "text"),
    [
        # the arithmetic after the total: a misread tablet count shows to the patient
        (
            {"medicine": "prednisone", "mg_per_day": 10, "how": "2 × 5 mg"},
            "I understood 10 mg of prednisone a day (2 × 5 mg). Is that right?",
        ),
        (
            {"medicine": "Medrol", "mg_per_day": 16, "how": "2 × 4 mg twice a day"},
            "I understood 16 mg of methylprednisolone a day (2 × 4 mg twice a day). Is that right?",
        ),
        # one amount said: nothing worked out, nothing to show
        ({"medicine": "prednisone", "mg_per_day": 10}, "I understood 10 mg of prednisone a day. Is that right?"),
    ],
)
def test_a_dose_is_read_back_with_how_it_was_worked_out(value: dict[str, Any], text: str) -> None:
    assert read_back(TRIAL.facts["current_steroid_dose"], value, TRIAL.lexicon) == text
