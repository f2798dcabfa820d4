"""Handing a conversation to a study coordinator: record it, tell the patient, pause the bot."""

from __future__ import annotations

from enum import Enum
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.screening import db, facts_from, screening_date, trial
from criteria import evaluate
from store import records


class Reason(str, Enum):
    """Why a conversation was handed off (stable codes, shown in the inbox)."""

    PATIENT_REQUEST = "patient_request"
    MEDICAL_QUESTION = "medical_question"
    UNPLACEABLE_ANSWER = "unplaceable_answer"
    UNSURE_ANSWER = "unsure_answer"
    CONTRADICTION = "contradiction"
    LOW_CONFIDENCE = "low_confidence"
    JUDGEMENT = "judgement"
    NLU_FALLBACK = "nlu_fallback"


def criteria_snapshot(tracker: Tracker) -> list[dict[str, Any]]:
    """Every criterion's state now, for the coordinator."""
    result = evaluate(trial(), facts_from(tracker), screening_date(tracker))
    return [
        {"id": c.id, "state": c.state.value, "unknown": c.unknown.value if c.unknown else None, "facts": list(c.facts)}
        for c in result.criteria
    ]


def record_handoff(tracker: Tracker, reason: str) -> str:
    """Store the handoff (reason, message, question, criteria snapshot); returns the screening id.

    A patient who asks for a person before agreeing to the pre-screen still reaches one: a
    screening record without consent (and so without health answers) carries the handoff.
    """
    screening_id = tracker.get_slot("screening_id")
    with db() as session:
        screening = records.find_screening(session=session, screening_id=screening_id) if screening_id else None
        if screening is None:
            screening = records.start_screening(
                session=session,
                conversation_id=tracker.sender_id,
                channel=tracker.get_latest_input_channel() or "unknown",
                trial_id=trial().id,
            )
        records.open_handoff(
            session=session,
            screening=screening,
            reason=reason,
            message=tracker.latest_message.get("text"),
            fact_id=tracker.get_slot("requested_slot"),
            snapshot=criteria_snapshot(tracker),
        )
        records.set_state(session=session, screening=screening, state="handoff")
        return str(screening.id)


class ActionHandoff(Action):
    """The patient asked for a person, or asked a medical question."""

    def name(self) -> str:
        """Action name."""
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Record, tell the patient, and stop the form; contact details are asked next."""
        intent = tracker.latest_message.get("intent", {}).get("name")
        reason = {
            "medical_question": Reason.MEDICAL_QUESTION,
            "nlu_fallback": Reason.NLU_FALLBACK,
        }.get(intent or "", Reason.PATIENT_REQUEST)
        if reason is Reason.MEDICAL_QUESTION:
            dispatcher.utter_message(response="utter_medical_question")
        screening_id = record_handoff(tracker, reason.value)
        dispatcher.utter_message(response="utter_handoff")
        return [
            SlotSet("screening_id", screening_id),
            SlotSet("handoff_reason", reason.value),
            SlotSet("outcome", "handoff"),
            ActiveLoop(None),
            SlotSet("requested_slot", None),
        ]


class ActionPause(Action):
    """Pause the bot: from here a coordinator replies until they resume it."""

    def name(self) -> str:
        """Action name."""
        return "action_pause"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Pause the conversation."""
        return [ConversationPaused()]
