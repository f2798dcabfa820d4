"""The screening form's validation action, on golden trackers."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import ValidateScreeningForm
from store import records
from tests.actions.conftest import answered, golden, tracker


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def run_form(dispatcher: CollectingDispatcher, **kwargs: Any) -> dict[str, Any]:
    events = await ValidateScreeningForm().run(dispatcher, tracker("age_requested", **kwargs), {})
    return slots_of(events)


@pytest.mark.parametrize(
    ("text", "intent", "value"),
    [
        ("I'm forty two", "inform", 42),  # number words
        ("34", "inform", 34),
        ("1980-03-04", "inform", "1980-03-04"),  # a birth date is kept as a date
    ],
)
async def test_an_answer_is_stored_in_its_slot_and_the_next_question_chosen(
    database: str, dispatcher: CollectingDispatcher, text: str, intent: str, value: Any
) -> None:
    slots = await run_form(dispatcher, text=text, intent=intent)
    assert slots["age"]["value"] == value
    assert slots["age"]["said"] == text  # the patient's words are kept for the coordinator
    assert slots["requested_slot"] not in {None, "age", "condition", "sex"}
    assert not dispatcher.messages


async def test_a_knockout_answer_ends_the_form(database: str, dispatcher: CollectingDispatcher) -> None:
    slots = await run_form(dispatcher, text="70", intent="inform")
    assert slots["age"]["value"] == 70
    assert slots["requested_slot"] is None  # no answer could change the outcome now


async def test_unsure_on_a_patient_decided_fact_hands_off(database: str, dispatcher: CollectingDispatcher) -> None:
    slots = await run_form(dispatcher, text="I don't know", intent="unsure")
    assert slots["age"]["value"] == "unsure"
    assert slots["handoff_reason"] == "unsure_answer"
    assert slots["requested_slot"] is None


async def test_an_unreadable_answer_is_asked_twice_more_then_handed_off(
    database: str, dispatcher: CollectingDispatcher
) -> None:
    first = await run_form(dispatcher, text="purple", intent="nlu_fallback", confidence=0.3)
    assert first == {"reask_count": 1, "requested_slot": "age"}
    assert dispatcher.messages[0]["response"] == "utter_not_understood"
    second = await run_form(CollectingDispatcher(), text="purple", intent="nlu_fallback", confidence=0.3, reask_count=2)
    assert second["handoff_reason"] == "unplaceable_answer"
    assert second["requested_slot"] is None
    assert "age" not in second  # never a silent guess


async def test_contradicting_answers_go_to_a_coordinator(database: str, dispatcher: CollectingDispatcher) -> None:
    # Changed answers can contradict each other: assigned male at birth, and pregnant.
    slots = await run_form(
        dispatcher,
        text="34",
        intent="inform",
        sex=answered("male", "male"),
        pregnant_or_breastfeeding=answered(True, "yes"),
    )
    assert slots["age"]["value"] == 34
    assert slots["handoff_reason"] == "contradiction"
    assert slots["requested_slot"] is None


async def test_an_implausible_answer_is_not_kept(database: str, dispatcher: CollectingDispatcher) -> None:
    slots = await run_form(dispatcher, text="I am 250", intent="inform")
    assert "age" not in slots
    assert slots["reask_count"] == 1


@pytest.mark.parametrize("intent", ["why_ask", "explain", "human", "medical_question", "stop", "change_answer"])
async def test_side_questions_are_left_to_the_rules(
    database: str, dispatcher: CollectingDispatcher, intent: str
) -> None:
    events = await ValidateScreeningForm().run(dispatcher, tracker("age_requested", text="why?", intent=intent), {})
    assert events == []  # the form rejects, so a rule answers and comes back


async def test_low_confidence_side_intent_is_still_read_as_an_answer(
    database: str, dispatcher: CollectingDispatcher
) -> None:
    slots = await run_form(dispatcher, text="34", intent="human", confidence=0.4)
    assert slots["age"]["value"] == 34


async def test_answers_are_recorded_with_the_criteria_that_read_them(
    database: str, session: Any, dispatcher: CollectingDispatcher
) -> None:
    screening = records.start_screening(
        session=session, conversation_id="golden-age", channel="rest", trial_id="NCT07193810"
    )
    session.commit()
    await run_form(dispatcher, text="34", intent="inform", screening_id=screening.id)
    session.expire_all()
    answers = records.current_answers(session=session, screening_id=screening.id)
    assert answers["age"].value == 34
    assert answers["age"].raw_text == "34"
    assert answers["age"].criteria == ["inc-age"]


async def test_an_answer_for_an_erased_screening_is_kept_in_the_chat_only(
    database: str, session: Any, dispatcher: CollectingDispatcher, caplog: pytest.LogCaptureFixture
) -> None:
    slots = await run_form(dispatcher, text="34", intent="inform", screening_id="erased-on-request")
    assert slots["age"]["value"] == 34  # the conversation goes on
    assert records.current_answers(session=session, screening_id="erased-on-request") == {}
    assert "no longer exists" in caplog.text


async def test_a_coordinator_resume_is_not_read_as_an_answer(database: str, dispatcher: CollectingDispatcher) -> None:
    slots = await run_form(dispatcher, text="", intent="EXTERNAL_resume")
    assert "age" not in slots and "reask_count" not in slots
    assert slots["requested_slot"] == "age"


async def test_required_slots_follow_the_planner(database: str, dispatcher: CollectingDispatcher) -> None:
    form = ValidateScreeningForm()
    assert await form.required_slots([], dispatcher, tracker("age_requested"), {}) == ["age"]
    done = tracker("age_requested", age=answered(70))
    assert await form.required_slots([], dispatcher, done, {}) == []


async def test_the_form_start_is_not_read_as_an_answer(database: str, dispatcher: CollectingDispatcher) -> None:
    # On activation Rasa sends: ... action_start_screening, ActionExecuted(screening_form).
    data = golden("age_requested")
    data["events"] = [*data["events"][:-2], {"event": "action", "name": "action_start_screening"}, data["events"][-1]]
    events = await ValidateScreeningForm().run(dispatcher, Tracker.from_dict(data), {})
    assert slots_of(events) == {"requested_slot": "age"}


@pytest.mark.parametrize(
    ("year", "confidence", "done"),
    [
        # January to today: both inside and outside the 4-week window. Asked once more exactly;
        # still only the year after that: kept in doubt, a person settles it.
        ("2026", None, []),
        ("2026", 0.5, ["exact:last_live_vaccine_date"]),
        ("2019", 1.0, []),  # every day of 2019 is long before the window: the year is enough
    ],
)
async def test_a_year_is_enough_only_when_the_whole_year_decides_alike(
    database: str, dispatcher: CollectingDispatcher, year: str, confidence: float | None, done: list[str]
) -> None:
    slots = await run_form(
        dispatcher,
        text=f"in {year}",
        intent="inform",
        entities=[{"entity": "date", "value": {"year": year}, "confidence_entity": 1.0}],
        requested_slot="last_live_vaccine_date",
        followups_done=done,
    )
    if confidence is None:
        assert "last_live_vaccine_date" not in slots
        assert [m.get("response") for m in dispatcher.messages] == ["utter_more_exact_date"]
        return
    answer = slots["last_live_vaccine_date"]
    assert answer["value"].startswith(year)  # a day inside the year said
    assert answer["confidence"] == confidence


async def test_a_flagged_reading_is_kept_with_its_low_confidence(
    database: str, dispatcher: CollectingDispatcher
) -> None:
    slots = await run_form(
        dispatcher,
        text="about 40-45",
        intent="inform",
        entities=[{"entity": "age", "value": 42, "confidence_entity": 0.5, "role": "range"}],
    )
    assert slots["age"] == {**answered(42, "about 40-45", 0.5)}
