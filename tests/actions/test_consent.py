"""Consent: a returning patient continues their screening; an ended one starts afresh."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.consent import ActionStartScreening
from store import records
from tests.actions.conftest import answered, tracker


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_a_new_patient_gets_a_new_screening(database: str, session: Any) -> None:
    events = await ActionStartScreening().run(CollectingDispatcher(), tracker("age_requested", screening_id=None), {})
    slots = slots_of(events)
    session.expire_all()
    screening = records.find_screening(session=session, screening_id=slots["screening_id"])
    assert screening is not None and screening.state == "consented" and screening.consent_at is not None
    assert slots["condition"] is None and slots["sex"] is None  # nothing carried into a new screening


async def test_a_returning_patient_continues(database: str, session: Any) -> None:
    screening = records.start_screening(session=session, conversation_id="golden-age", channel="rest", trial_id="x")
    records.set_state(session=session, screening=screening, state="consented")
    session.commit()
    dispatcher = CollectingDispatcher()
    events = await ActionStartScreening().run(dispatcher, tracker("age_requested", screening_id=screening.id), {})
    assert "screening_id" not in slots_of(events) and "condition" not in slots_of(events)  # answers kept
    assert dispatcher.messages[0]["response"] == "utter_welcome_back"
    assert len(records.latest_screening(session=session, conversation_id="golden-age").answers) == 0


async def test_an_ended_screening_starts_afresh(database: str, session: Any) -> None:
    screening = records.start_screening(session=session, conversation_id="golden-age", channel="rest", trial_id="x")
    records.set_state(session=session, screening=screening, state="completed")
    session.commit()
    events = await ActionStartScreening().run(
        CollectingDispatcher(), tracker("age_requested", screening_id=screening.id, age=answered(70)), {}
    )
    slots = slots_of(events)
    assert slots["screening_id"] != screening.id
    assert slots["age"] is None and slots["condition"] is None
