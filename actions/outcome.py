"""The verdict, in plain words, with a result card payload, stored for the site."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import Reason, criteria_snapshot, record_handoff
from actions.payload import result_payload
from actions.screening import db, facts_from, screening_date, trial
from criteria import Result, State, Status, evaluate
from criteria.messages import plain_date
from store import records

# How many site checks to name in the chat; the full list goes to the result card and the site.
SITE_CHECKS_SHOWN = 4


# What the patient asked for (a person, a medical question) is answered by a person even when
# the answers already rule them out: the coordinators must see the question.
_ASKED_FOR_A_PERSON = {Reason.MEDICAL_QUESTION.value, Reason.PATIENT_REQUEST.value}


def _site_first(result: Result) -> list[str]:
    """Site checks, the ones only the site can do (labs, scores) first."""
    site_only = [c.reason for c in result.by_state(State.SITE_VERIFIES) if c.assessed_by == "site"]
    return list(dict.fromkeys([*site_only, *result.site_to_verify]))


class ActionScreeningOutcome(Action):
    """Tell the patient the pre-screen result and what happens next."""

    def name(self) -> str:
        """Action name."""
        return "action_screening_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Evaluate, store, and say it plainly."""
        result = evaluate(trial(), facts_from(tracker), screening_date(tracker))
        reason = tracker.get_slot("handoff_reason")
        if result.status is Status.NOT_ELIGIBLE and reason not in _ASKED_FOR_A_PERSON:
            status = "not_eligible"
            lines = "\n".join(f"- {r}" for r in result.reasons)
            text = (
                f"Thank you for your answers. From what you told me, this study is not a fit for you:\n{lines}\n"
                "This is not a medical decision. Your own doctor can talk with you about other options."
            )
        elif result.status is Status.NOT_YET and not reason and result.recontact_after:
            status = "not_yet"
            lines = "\n".join(f"- {r}" for r in result.reasons)
            text = (
                "Thank you for your answers. You may be able to join this study, but not yet:\n"
                f"{lines}\n"
                f"The study team can contact you after {plain_date(result.recontact_after)}. "
                "This is not a medical decision."
            )
        elif result.status is Status.LIKELY_ELIGIBLE and not reason:
            status = "likely_eligible"
            checks = "\n".join(f"- {c}" for c in _site_first(result)[:SITE_CHECKS_SHOWN])
            text = (
                "Good news: from your answers, you may be able to join this study. "
                f"The study team will still check some things, such as:\n{checks}\n"
                "Only the study team can decide if you can take part."
            )
        else:
            status = "handoff"
            reason = reason or "needs_review"
            record_handoff(tracker, reason, result)
            text = "Thank you. Some of your answers need a person to look at them, so a study coordinator will help."
        dispatcher.utter_message(text=text, json_message=result_payload(result, status, reason))
        self._store(tracker, result, status)
        return [SlotSet("outcome", status), SlotSet("handoff_reason", reason if status == "handoff" else None)]

    @staticmethod
    def _store(tracker: Tracker, result: Result, status: str) -> None:
        screening_id = tracker.get_slot("screening_id")
        if not screening_id:
            return
        with db() as session:
            screening = records.find_screening(session=session, screening_id=screening_id)
            if screening is None:
                return
            screening.cohort = result.cohort
            records.record_result(
                session=session,
                screening=screening,
                result={
                    "status": result.status.value,
                    "reasons": list(result.reasons),
                    "site_to_verify": list(result.site_to_verify),
                    "criteria": criteria_snapshot(tracker, result),
                    "recontact_after": result.recontact_after,
                },
            )
            if status != "handoff":
                records.set_state(session=session, screening=screening, state="completed")
