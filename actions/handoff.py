"""Handing a conversation to a study coordinator: record it, tell the patient, pause the bot."""

from __future__ import annotations

from enum import Enum
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.payload import result_payload
from actions.screening import db, facts_from, screening_date, trial
from criteria import Result, Unknown, evaluate
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
    NO_ANSWER = "no_answer"  # three messages in a row with no answer to the question asked


def criteria_snapshot(tracker: Tracker, result: Result | None = None) -> list[dict[str, Any]]:
    """Every criterion's state now, for the coordinator."""
    result = result or evaluate(trial(), facts_from(tracker), screening_date(tracker))
    return [
        {"id": c.id, "state": c.state.value, "unknown": c.unknown.value if c.unknown else None, "facts": list(c.facts)}
        for c in result.criteria
    ]


def record_handoff(tracker: Tracker, reason: str, result: Result | None = None) -> str:
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
        result = result or evaluate(trial(), facts_from(tracker), screening_date(tracker))
        screening.cohort = result.cohort or screening.cohort  # the inbox filters by it
        records.open_handoff(
            session=session,
            screening=screening,
            reason=reason,
            message=tracker.latest_message.get("text"),
            fact_id=_question_at_issue(tracker, result, reason),
            snapshot=criteria_snapshot(tracker, result),
        )
        records.set_state(session=session, screening=screening, state="handoff")
        return str(screening.id)


def _question_at_issue(tracker: Tracker, result: Result, reason: str) -> str | None:
    """The question a coordinator should settle.

    The one being asked (or read back) when the patient's message brought the handoff; else
    the answer a person must look at; else the last question asked.
    """
    facts = trial().facts
    asked = tracker.get_slot("requested_slot")
    pending = tracker.get_slot("pending") or {}
    if asked not in facts and isinstance(pending, dict) and pending.get("fact") in facts:
        asked = pending["fact"]  # a read-back or a duration follow-up
    if asked not in facts:
        # The form lets go of the question when it hands off (requested_slot back to None).
        asked = next(
            (
                e["value"]
                for e in reversed(list(tracker.events))
                if e.get("event") == "slot" and e.get("name") == "requested_slot" and e.get("value") in facts
            ),
            None,
        )
    if asked in facts and reason in _FROM_THE_MESSAGE:
        return str(asked)
    for criterion in result.criteria:
        if criterion.unknown and criterion.unknown is not Unknown.NOT_ASKED and criterion.facts:
            return criterion.facts[0]
    return str(asked) if asked in facts else None


# Handoffs the patient's latest message brought about: its question is the one at issue.
_FROM_THE_MESSAGE = {
    Reason.PATIENT_REQUEST.value,
    Reason.MEDICAL_QUESTION.value,
    Reason.UNPLACEABLE_ANSWER.value,
    Reason.LOW_CONFIDENCE.value,
    Reason.NLU_FALLBACK.value,
    Reason.NO_ANSWER.value,
}


def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker, reason: Reason) -> list[dict[str, Any]]:
    """Record the handoff, tell the patient (with the result card), and stop the form; contact details come next."""
    if reason is Reason.MEDICAL_QUESTION:
        dispatcher.utter_message(response="utter_medical_question")
    result = evaluate(trial(), facts_from(tracker), screening_date(tracker))
    screening_id = record_handoff(tracker, reason.value, result)
    dispatcher.utter_message(response="utter_handoff", json_message=result_payload(result, "handoff", reason.value))
    return [
        SlotSet("screening_id", screening_id),
        SlotSet("handoff_reason", reason.value),
        SlotSet("outcome", "handoff"),
        ActiveLoop(None),
        SlotSet("requested_slot", None),
    ]


class ActionHandoff(Action):
    """The patient asked for a person, or asked a medical question."""

    def name(self) -> str:
        """Action name."""
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Hand off for the reason the message gives."""
        intent = tracker.latest_message.get("intent", {}).get("name")
        reason = Reason.MEDICAL_QUESTION if intent == "medical_question" else Reason.PATIENT_REQUEST
        return hand_off(dispatcher, tracker, reason)


# Messages in a row the bot could not understand (outside a form) before a person takes over.
MAX_NOT_UNDERSTOOD = 2


def times_not_understood(tracker: Tracker) -> int:
    """How many of the patient's messages just before this one the bot said it did not understand.

    A message counts when the bot's next action was ``action_not_understood`` (whatever it
    said after, such as asking the consent question again); any other reply ends the run.
    """
    events = list(tracker.events)
    messages = [i for i, event in enumerate(events) if event.get("event") == "user"]
    count = 0
    for index in reversed(messages[:-1]):  # the last one is the message being handled
        reply = next((e for e in events[index + 1 :] if e.get("event") == "action"), None)
        if reply is None or reply.get("name") != "action_not_understood":
            break
        count += 1
    return count


class ActionNotUnderstood(Action):
    """A message nobody could read, outside a form: say so once; the next time, a person steps in."""

    def name(self) -> str:
        """Action name."""
        return "action_not_understood"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Ask to rephrase, or hand off after too many misunderstandings."""
        if times_not_understood(tracker) + 1 >= MAX_NOT_UNDERSTOOD:
            return hand_off(dispatcher, tracker, Reason.NLU_FALLBACK)
        dispatcher.utter_message(response="utter_not_understood")
        return []


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
