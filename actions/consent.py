"""Consent to pre-screening: nothing about health is asked or stored before it."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.screening import db, trial
from store import records


def _channel(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "unknown"


class ActionStartScreening(Action):
    """The patient agreed: open a screening, fix its date, and start the form."""

    def name(self) -> str:
        """Action name."""
        return "action_start_screening"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Create the screening record."""
        today = datetime.now(timezone.utc).date()
        with db() as session:
            screening = records.start_screening(
                session=session, conversation_id=tracker.sender_id, channel=_channel(tracker), trial_id=trial().id
            )
            records.set_state(session=session, screening=screening, state="consented", actor="patient")
            screening_id = screening.id
        return [SlotSet("screening_id", screening_id), SlotSet("screening_date", today.isoformat())]


class ActionDeclineConsent(Action):
    """The patient said no: keep only the fact that they declined."""

    def name(self) -> str:
        """Action name."""
        return "action_decline_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Record the decline and say goodbye."""
        with db() as session:
            screening = records.start_screening(
                session=session, conversation_id=tracker.sender_id, channel=_channel(tracker), trial_id=trial().id
            )
            records.set_state(session=session, screening=screening, state="declined", actor="patient")
        dispatcher.utter_message(response="utter_consent_declined")
        return []
