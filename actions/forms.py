"""The adaptive screening form: the criteria planner picks each next question.

``required_slots`` asks ``criteria.next_question``; the form ends when no answer could
change the outcome, or when a person must take over. Every answer is read (``answers``),
checked (``criteria.coerce``), stored, and judged before the next question is chosen.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import IntegrityError

from actions import answers
from actions.handoff import Reason
from actions.screening import db, facts_from, screening_date, slot_value, trial
from criteria import FactError, Status, Unknown, evaluate, make_fact, rank_questions, structured
from store import records

logger = logging.getLogger(__name__)

# Intents that are not answers: the form steps aside and a rule handles them.
META_INTENTS = {
    "why_ask", "explain", "change_answer", "stop", "start_over", "human", "medical_question",
    "bot_challenge", "about_study", "goodbye",
}  # fmt: skip
MAX_REASKS = 1  # an answer the reader cannot place is asked once more, then handed off
# The confidence of an answer whose span ("in 2021") straddles a criterion's limit: below the
# engine's bar, so a person settles it rather than the middle of the span deciding.
STRADDLES = 0.5

_UNKNOWN_REASON = {
    Unknown.UNSURE: Reason.UNSURE_ANSWER,
    Unknown.CONFLICT: Reason.CONTRADICTION,
    Unknown.LOW_CONFIDENCE: Reason.LOW_CONFIDENCE,
    Unknown.JUDGEMENT: Reason.JUDGEMENT,
}


def plan(tracker: Tracker) -> tuple[str | None, str | None]:
    """The next question to ask and, when a person must step in instead, why (one evaluation)."""
    if tracker.get_slot("handoff_reason"):
        return None, tracker.get_slot("handoff_reason")
    facts = facts_from(tracker)
    result = evaluate(trial(), facts, screening_date(tracker))
    if result.status is Status.NEEDS_COORDINATOR:
        if result.contradictions:
            return None, Reason.CONTRADICTION.value
        first = next(c for c in result.criteria if c.unknown and c.unknown is not Unknown.NOT_ASKED)
        return None, _UNKNOWN_REASON[first.unknown].value  # type: ignore[index]
    ranked = rank_questions(trial(), facts, result)
    return (ranked[0].fact.id if ranked else None), None


class ValidateScreeningForm(FormValidationAction):
    """Reads each answer and asks the planner for the next question."""

    def name(self) -> str:
        """Action name."""
        return "validate_screening_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        """The planner's next question, or nothing when the outcome is settled or a person must step in."""
        question, _ = plan(tracker)
        return [question] if question else []

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Read the answer to the requested question, then choose the next one."""
        events: list[dict[str, Any]] = []
        requested = tracker.get_slot("requested_slot")
        intent = tracker.latest_message.get("intent") or {}
        from_patient = not str(intent.get("name") or "").startswith("EXTERNAL_")
        if requested in trial().facts and from_patient and _just_answered(tracker):
            if intent.get("name") in META_INTENTS and intent.get("confidence", 0) >= answers.INTENT_CONFIDENCE:
                return []  # not an answer: let the rules handle it
            events = self._read_answer(dispatcher, tracker, requested)
            tracker.add_slots(events)
            if tracker.get_slot(requested) is None:
                # Not read: asked again, or handed off after the re-ask.
                stay = None if tracker.get_slot("handoff_reason") else requested
                return [*events, SlotSet("requested_slot", stay)]
        question, reason = plan(tracker)
        if reason and not tracker.get_slot("handoff_reason"):
            events.append(SlotSet("handoff_reason", reason))
        return [*events, SlotSet("requested_slot", question)]

    def _read_answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, fact_id: str) -> list[dict[str, Any]]:
        found = trial()
        fact = found.facts[fact_id]
        message = tracker.latest_message
        text = message.get("text") or ""
        intent = message.get("intent") or {}
        today = screening_date(tracker)
        reading = answers.read(
            fact,
            text,
            intent.get("name"),
            float(intent.get("confidence") or 0),
            today=today,
            entities=message.get("entities"),
        )
        read: Any = None
        if reading is not None:
            try:
                # Kept in the engine's own structured form: a birth date, a date inside a month said.
                read = structured(make_fact(fact, reading.value, today=today, lexicon=found.lexicon).value)
                if reading.bounds and _straddles(tracker, fact_id, reading.bounds):
                    reading = answers.Reading(reading.value, min(reading.confidence, STRADDLES))
            except FactError:
                reading = None
        if reading is None:
            count = int(tracker.get_slot("reask_count") or 0) + 1
            if count > MAX_REASKS:
                return [SlotSet("reask_count", 0), SlotSet("handoff_reason", Reason.UNPLACEABLE_ANSWER.value)]
            dispatcher.utter_message(response="utter_not_understood")
            dispatcher.utter_message(text=fact.explain)
            return [SlotSet("reask_count", count)]
        value = slot_value(read, said=text, confidence=reading.confidence)
        self._store(tracker, fact_id, value)
        return [SlotSet(fact_id, value), SlotSet("reask_count", 0)]

    @staticmethod
    def _store(tracker: Tracker, fact_id: str, value: dict[str, Any]) -> None:
        screening_id = tracker.get_slot("screening_id")
        if not screening_id:
            return
        try:
            with db() as session:
                records.record_answer(
                    session=session,
                    screening_id=screening_id,
                    fact_id=fact_id,
                    value=value["value"],
                    raw_text=value["said"],
                    criteria=trial().readers_of(fact_id),
                    confidence=value["confidence"],
                )
        except IntegrityError:
            # The screening is gone (erased on request): the answer stays in the conversation only.
            logger.warning("screening %s no longer exists; answer to %s not stored", screening_id, fact_id)


def _straddles(tracker: Tracker, fact_id: str, bounds: tuple[Any, Any]) -> bool:
    """True when the criteria reading this fact decide differently at the two ends of the answer's span."""
    found = trial()
    today = screening_date(tracker)
    facts = facts_from(tracker)
    readers = set(found.readers_of(fact_id))
    verdicts = set()
    for bound in bounds:
        facts[fact_id] = make_fact(found.facts[fact_id], bound, today=today, lexicon=found.lexicon)
        result = evaluate(found, facts, today)
        verdicts.add(tuple((c.id, c.state) for c in result.criteria if c.id in readers))
    return len(verdicts) > 1


def _just_answered(tracker: Tracker) -> bool:
    """True when the patient's message is what the form is running for.

    Rasa calls the validation action with the form's own ``ActionExecuted`` appended, so that
    one is skipped: before it there is ``action_listen`` after an answer, but the consent
    action on activation, or ``action_explain`` when coming back from a side question.
    """
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") != "screening_form":
            return event.get("name") == "action_listen"
    return False
