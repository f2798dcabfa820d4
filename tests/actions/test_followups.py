"""The form's answer-first reading, read-backs and duration follow-ups (actions/forms.py, sides.py, followups.py)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import ValidateScreeningForm
from actions.sides import answers_first, plainly_asks
from answers import Reading
from criteria import load_trial
from tests.actions.conftest import answered, tracker

TRIAL = load_trial("NCT07193810")


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def run(
    dispatcher: CollectingDispatcher, asked: str, text: str, intent: str = "inform", **slots: Any
) -> dict[str, Any]:
    events = await ValidateScreeningForm().run(
        dispatcher, tracker("age_requested", text=text, intent=intent, requested_slot=asked, **slots), {}
    )
    return slots_of(events)


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("what is this study about?", True),  # a question from its first word
        ("ok so can I talk to a person", True),  # a request, after fillers
        ("I want to talk to someone", True),
        ("34, is this study paid?", False),  # an answer first, a question after
        ("no, is the drug safe for me?", False),
        ("diffuse, it's thick on my chest and arms", False),  # a worry, not a question
    ],
)
def test_plainly_asks(text: str, plain: bool) -> None:
    assert plainly_asks(text) is plain


@pytest.mark.parametrize(
    ("fact", "text", "reading", "side", "first"),
    [
        ("tuberculosis", "no, is the drug safe for me?", Reading("no"), "medical_question", True),  # leading no
        ("tuberculosis", "i dint have it, why?", Reading("no"), "why_ask", True),  # a misspelt no leads too
        ("tuberculosis", "what is TB?", None, "explain", False),  # no answer in it
        ("age", "34, is this study paid?", Reading(34), "about_study", True),
        ("current_medicines", "can I join if I take prednisone?", Reading(["prednisone"]), "medical_question", False),
        ("age", "34. stop please", Reading(34), "stop", False),  # stopping is never taken over
        ("tuberculosis", "no, I want to quit now", Reading("no"), "stop", False),
        ("age", "40 bye", Reading(40), "goodbye", False),
        # Found by bench.patients: the classifier's "stop" on an answer with no word of leaving in it.
        ("condition_other", "mixed connective tissue disease", Reading("overlap"), "stop", True),
        ("age", "actually, I'm 35", Reading(35), "change_answer", False),  # a change is the rules' job
        # Found by bench.patients (seed 79): "back" read as "go back", in an answer with no word of changing.
        ("last_surgery_date", "ten years back", Reading("2016-07-01"), "change_answer", True),
        ("age", "sorry, go back, I got the last one wrong", Reading(35), "change_answer", False),
        # Found by bench.patients (seed 97): "start over" read from an answer with no word of starting again.
        (
            "current_medicines",
            "right now Prograf (for three years altogether)",
            Reading(["tacrolimus"]),
            "start_over",
            True,
        ),
        ("age", "35, can we start over please", Reading(35), "start_over", False),
    ],
)
def test_answers_first(fact: str, text: str, reading: Reading | None, side: str, first: bool) -> None:
    assert answers_first(TRIAL.facts[fact], text, reading, side) is first


async def test_an_answer_with_a_question_about_the_study_is_kept_then_answered(
    database: str, dispatcher: CollectingDispatcher
) -> None:
    slots = await run(dispatcher, "age", "34, is this study paid?", intent="about_study")
    assert slots["age"]["value"] == 34
    assert [m.get("response") for m in dispatcher.messages] == ["utter_about_study"]
    assert "handoff_reason" not in slots


async def test_a_plain_question_is_left_to_the_rules(database: str, dispatcher: CollectingDispatcher) -> None:
    events = await ValidateScreeningForm().run(
        dispatcher, tracker("age_requested", text="what is this study about?", intent="about_study"), {}
    )
    assert events == []  # rejected: the about-the-study rule answers, then the form asks again


async def test_a_no_with_a_medical_question_is_kept_then_handed_off(
    database: str, dispatcher: CollectingDispatcher
) -> None:
    slots = await run(dispatcher, "tuberculosis", "no, is the drug safe for me?", intent="medical_question")
    assert slots["tuberculosis"]["value"] is False
    assert slots["handoff_reason"] == "medical_question"
    assert [m.get("response") for m in dispatcher.messages] == ["utter_medical_question"]


async def test_a_worry_beside_an_answer_is_not_a_medical_question(
    database: str, dispatcher: CollectingDispatcher
) -> None:
    condition = answered("ssc", "scleroderma")
    slots = await run(
        dispatcher,
        "ssc_type",
        "diffuse, it's thick on my chest and arms",
        intent="medical_question",
        condition=condition,
    )
    assert slots["ssc_type"]["value"] == "diffuse"
    assert "handoff_reason" not in slots


async def test_a_doubtful_reading_is_read_back_before_it_counts(
    database: str, dispatcher: CollectingDispatcher
) -> None:
    slots = await run(dispatcher, "age", "about 40 i think")
    assert "age" not in slots  # not counted yet
    assert slots["requested_slot"] == "followup"
    pending = slots["pending"]
    assert pending["kind"] == "confirm" and pending["text"].startswith("I understood")
    assert pending["text"].endswith("Is that right?")
    # Yes: it counts, as confirmed.
    confirmed = await run(CollectingDispatcher(), "followup", "yes", intent="affirm", pending=pending)
    assert confirmed["age"]["confirmed"] is True
    assert confirmed["pending"] is None
    # No: the question is asked again, before any other (here the planner would pick another one).
    again = CollectingDispatcher()
    tb = {**pending, "fact": "tuberculosis", "key": "confirm:tuberculosis"}
    denied = await run(again, "followup", "no", intent="deny", pending=tb, age=answered(34, "34"))
    assert denied["requested_slot"] == "tuberculosis" and "tuberculosis" not in denied
    assert again.messages[0]["response"] == "utter_ask_again"


async def test_a_read_back_answered_with_neither_goes_to_a_person(
    database: str, dispatcher: CollectingDispatcher
) -> None:
    slots = await run(dispatcher, "age", "about 40 i think")
    unclear = await run(CollectingDispatcher(), "followup", "purple", intent="nlu_fallback", pending=slots["pending"])
    assert unclear["handoff_reason"] == "low_confidence"
    assert "age" not in unclear


async def test_each_medicine_without_a_duration_is_followed_up(database: str, dispatcher: CollectingDispatcher) -> None:
    slots = await run(dispatcher, "current_medicines", "methotrexate and CellCept")
    assert slots["current_medicines"]["value"] == ["methotrexate", "mycophenolate_mofetil"]
    first = slots["pending"]
    assert (first["kind"], first["index"], first["text"]) == ("duration", 0, "How long have you taken methotrexate?")
    assert slots["requested_slot"] == "followup"
    listed = slots["current_medicines"]
    after = await run(
        CollectingDispatcher(),
        "followup",
        "for about 2 years",
        pending=first,
        current_medicines=listed,
        followups_done=slots["followups_done"],
    )
    assert after["current_medicines"]["value"][0] == {"medicine": "methotrexate", "duration": "2 years"}
    assert after["pending"]["text"] == "How long have you taken mycophenolate mofetil?"
    # "Not sure" leaves it unknown (the site checks it): never a guess, and not asked again.
    last = await run(
        CollectingDispatcher(),
        "followup",
        "not sure",
        intent="unsure",
        pending=after["pending"],
        current_medicines=after["current_medicines"],
        followups_done=after["followups_done"],
    )
    assert last["current_medicines"]["value"][1] == "mycophenolate_mofetil"
    assert last["requested_slot"] != "followup"


async def test_a_medicine_no_criterion_counts_is_not_followed_up(
    database: str, dispatcher: CollectingDispatcher
) -> None:
    slots = await run(dispatcher, "current_medicines", "folic acid and vitamin d")
    assert slots.get("pending") is None
    assert slots["requested_slot"] != "followup"


async def test_a_birth_year_alone_counts_when_both_ages_decide_alike(
    database: str, dispatcher: CollectingDispatcher
) -> None:
    slots = await run(dispatcher, "age", "born in 1972")  # 53 or 54: every age it allows decides alike
    assert slots["age"]["confidence"] == 1.0


async def test_an_answer_on_both_sides_of_a_limit_is_asked_more_exactly_once(
    database: str, dispatcher: CollectingDispatcher
) -> None:
    # 17 or 18: one side of the age limit each. First the date of birth is asked, nothing is kept.
    slots = await run(dispatcher, "age", "I was born in 2008")
    assert "age" not in slots and slots["followups_done"] == ["exact:age"]
    assert [m.get("response") for m in dispatcher.messages] == ["utter_more_exact_age"]
    # Still on both sides after that: kept in doubt, so a person checks it.
    again = await run(CollectingDispatcher(), "age", "2008", followups_done=["exact:age"])
    assert again["age"]["confidence"] < 1.0


async def test_a_question_about_taking_part_is_not_a_medical_question(
    database: str, dispatcher: CollectingDispatcher
) -> None:
    # The intent classifier may call "is this study paid?" medical; beside an answer it is about the study.
    slots = await run(
        dispatcher, "current_medicines", "cellcept for 2 years. is this study paid?", intent="medical_question"
    )
    assert slots["current_medicines"]["value"] == [{"medicine": "mycophenolate_mofetil", "duration": "730.5 days"}]
    assert "handoff_reason" not in slots
    assert [m.get("response") for m in dispatcher.messages] == ["utter_about_study"]


@pytest.mark.parametrize(
    ("asked", "text"),
    [
        # A steroid named in a list is read by the list: no read-back of "Do you take a steroid now?".
        ("past_medicines", "prednisone for 2 years in 2019"),
        ("current_medicines", "prednisone 10 mg for 6 months"),
    ],
)
async def test_a_medicine_named_in_a_list_volunteers_nothing(
    database: str, dispatcher: CollectingDispatcher, asked: str, text: str
) -> None:
    slots = await run(dispatcher, asked, text)
    pending = slots.get("pending") or {}
    assert pending.get("fact") not in {"current_steroid", "ever_steroids"}


@pytest.mark.parametrize(
    ("asked", "text", "volunteered"),
    [
        # A transplant beside the list is a statement of its own: read back under its question.
        ("current_medicines", "benlysta for a year, and I had a kidney transplant in 2019", "transplant"),
        # "yes, prednisone" answers "a steroid now?"; "ever taken one" is not read back as well.
        ("current_steroid", "yes, prednisone", None),
        # "recovered" is about the kidneys here: B cells are only answered when asked (volunteered: false).
        ("dialysis", "i was on dialysis last year but my kidneys recovered", None),
    ],
)
async def test_what_a_medicines_answer_volunteers(
    database: str, dispatcher: CollectingDispatcher, asked: str, text: str, volunteered: str | None
) -> None:
    slots = await run(dispatcher, asked, text)
    assert (slots.get("pending") or {}).get("fact") == volunteered


async def test_a_steroid_named_answers_have_you_ever_taken_one(database: str, dispatcher: CollectingDispatcher) -> None:
    # "just a medrol dose pack once in 2021": a steroid named, no yes said; a past still says yes to "ever".
    slots = await run(dispatcher, "ever_steroids", "just a medrol dose pack once in 2021")
    assert slots["ever_steroids"]["value"] is True


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # Found by bench.patients: 2022 is out now at either end, "not yet" (until 2027-01-01) at its
        # start; read as that start, not handed off as unclear nor a lasting "no".
        ("in 2022", "2022-01-01"),
        ("in 2019", "2019-07-02"),  # long past the 5 years at either end: as said
    ],
)
async def test_a_date_out_at_both_ends_of_its_span_is_read_at_the_kinder_end(
    database: str, dispatcher: CollectingDispatcher, text: str, kept: str
) -> None:
    slots = await run(dispatcher, "last_cancer_date", text, screening_date="2026-12-05")
    assert (slots["last_cancer_date"]["value"], slots["last_cancer_date"]["confidence"]) == (kept, 1.0)
