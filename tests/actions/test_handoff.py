"""Handoffs are always recorded, even before consent, and never lose the question being asked."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff, record_handoff
from store import records
from tests.actions.conftest import answered, tracker


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_a_request_for_a_person_is_recorded_with_its_question(database: str, session: Any) -> None:
    screening = records.start_screening(session=session, conversation_id="golden-age", channel="rest", trial_id="x")
    session.commit()
    dispatcher = CollectingDispatcher()
    events = await ActionHandoff().run(
        dispatcher,
        tracker("age_requested", text="let me talk to a person", intent="human", screening_id=screening.id),
        {},
    )
    assert slots_of(events)["handoff_reason"] == "patient_request"
    assert {"event": "active_loop", "name": None, "timestamp": None} in events or any(
        e.get("event") == "active_loop" for e in events
    )
    [handoff] = records.open_handoffs(session=session)
    assert (handoff.reason, handoff.fact_id, handoff.message) == ("patient_request", "age", "let me talk to a person")
    assert any(c["id"] == "inc-age" for c in handoff.criteria_snapshot)
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff"]


async def test_a_medical_question_before_consent_still_reaches_a_person(database: str, session: Any) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionHandoff().run(
        dispatcher,
        tracker(
            "age_requested", text="is CC312 safe?", intent="medical_question", screening_id=None, requested_slot=None
        ),
        {},
    )
    slots = slots_of(events)
    [handoff] = records.open_handoffs(session=session)
    assert handoff.reason == "medical_question"
    assert handoff.message == "is CC312 safe?"
    assert handoff.screening_id == slots["screening_id"]
    screening = records.find_screening(session=session, screening_id=slots["screening_id"])
    assert screening is not None and screening.consent_at is None and not screening.answers
    assert [m["response"] for m in dispatcher.messages] == ["utter_medical_question", "utter_handoff"]


async def test_a_handoff_after_the_form_names_the_answer_a_person_must_settle(database: str, session: Any) -> None:
    # The form has ended (no question being asked); the verdict needs a person because of
    # the "not sure" about TB: that is the question the coordinator is shown to settle.
    screening = records.start_screening(session=session, conversation_id="golden-age", channel="rest", trial_id="x")
    session.commit()
    record_handoff(
        tracker(
            "age_requested",
            text="I'm not sure if I had TB",
            screening_id=screening.id,
            requested_slot=None,
            condition=answered("sle"),
            tuberculosis=answered("unsure", "I'm not sure if I had TB"),
        ),
        "unsure_answer",
    )
    session.expire_all()
    [handoff] = records.open_handoffs(session=session)
    assert (handoff.fact_id, handoff.reason) == ("tuberculosis", "unsure_answer")
    assert records.find_screening(session=session, screening_id=screening.id).cohort == "sle"
