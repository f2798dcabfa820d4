"""Consent to pre-screening: nothing about health is asked or stored before it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.screening import db, trial
from settings import get_settings
from store import records
from store.models import utcnow


def _channel(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "unknown"


class ActionStartScreening(Action):
    """The patient agreed: continue their screening if one is in progress, else open a new one.

    A patient who comes back after the session expired (``session_config`` in the domain)
    has their answers carried over; once they agree again the form asks the next question
    they had not answered, if they come back within ``RESUME_WITHIN_DAYS`` (settings) of
    their last answer. Later, or once a screening has ended, it starts afresh with no old
    answers: health answers go stale, and the windows they were asked about have moved.
    """

    def name(self) -> str:
        """Action name."""
        return "action_start_screening"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Reuse or create the screening record."""
        carried = tracker.get_slot("screening_id")
        with db() as session:
            previous = records.find_screening(session=session, screening_id=carried) if carried else None
            if previous is not None and previous.state == "consented":
                window = timedelta(days=get_settings().resume_within_days)
                if records.last_activity(session=session, screening=previous) >= utcnow() - window:
                    dispatcher.utter_message(response="utter_welcome_back")
                    return [SlotSet("reask_count", 0)]
                records.set_state(session=session, screening=previous, state="expired")
            screening = records.start_screening(
                session=session, conversation_id=tracker.sender_id, channel=_channel(tracker), trial_id=trial().id
            )
            records.set_state(session=session, screening=screening, state="consented", actor="patient")
            screening_id = screening.id
        today = datetime.now(timezone.utc).date()
        stale = [SlotSet(fact_id, None) for fact_id in trial().facts if tracker.get_slot(fact_id) is not None]
        return [
            *stale,
            SlotSet("outcome", None),
            SlotSet("handoff_reason", None),
            SlotSet("reask_count", 0),
            SlotSet("pending", None),
            SlotSet("side_turns", 0),
            SlotSet("followups_done", []),
            SlotSet("screening_id", screening_id),
            SlotSet("screening_date", today.isoformat()),
        ]


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
