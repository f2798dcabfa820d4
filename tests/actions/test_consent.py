"""Consent: a returning patient continues their screening; an ended one starts afresh."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.consent import ActionStartScreening
from settings import get_settings
from store import records
from store.models import utcnow
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


@pytest.mark.parametrize(
    ("days_away", "continues"),
    [
        (6, True),  # within the 7-day window
        (8, False),  # too long: the old screening expires, a new one starts
    ],
)
async def test_a_returning_patient_continues_only_within_the_window(
    database: str, session: Any, monkeypatch: pytest.MonkeyPatch, days_away: int, continues: bool
) -> None:
    monkeypatch.setenv("RESUME_WITHIN_DAYS", "7")
    get_settings.cache_clear()
    screening = records.start_screening(session=session, conversation_id="golden-age", channel="rest", trial_id="x")
    records.set_state(session=session, screening=screening, state="consented")
    answer = records.record_answer(
        session=session, screening_id=screening.id, fact_id="age", value=34, raw_text="34", criteria=["inc-age"]
    )
    long_ago = utcnow() - timedelta(days=days_away)
    screening.updated_at, answer.created_at = long_ago, long_ago
    session.commit()

    dispatcher = CollectingDispatcher()
    events = await ActionStartScreening().run(dispatcher, tracker("age_requested", screening_id=screening.id), {})
    session.expire_all()
    if continues:
        assert dispatcher.messages[0]["response"] == "utter_welcome_back"
        assert "screening_id" not in slots_of(events)
    else:
        slots = slots_of(events)
        assert slots["screening_id"] != screening.id and slots["condition"] is None  # nothing stale carried
        assert records.find_screening(session=session, screening_id=screening.id).state == "expired"


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
