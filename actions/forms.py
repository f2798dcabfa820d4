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

import answers
from actions import followups, sides
from actions.handoff import Reason
from actions.screening import db, facts_from, screening_date, trial
from answers import slot_value
from criteria import FactError, State, Status, Unknown, evaluate, make_fact, rank_questions, structured
from criteria.schema import FactDef
from store import records

logger = logging.getLogger(__name__)

MAX_REASKS = 2  # an answer the reader cannot place is asked twice more (three tries), then a person helps
_NEXT = object()  # the planner chooses the next question
# The confidence of an answer whose span ("in 2021") straddles a criterion's limit: below the
# engine's bar, so a person settles it rather than the middle of the span deciding.
STRADDLES = 0.5

# How a read-back's yes or no is read: as the answer to a yes/no question.
_YES_NO = FactDef.parse_obj(
    {"id": "readback", "question": "Is that right?", "why": "We check we understood you.",
     "explain": "Say yes or no.", "answer": {"type": "yes_no"}}
)  # fmt: skip

_UNKNOWN_REASON = {
    Unknown.UNSURE: Reason.UNSURE_ANSWER,
    Unknown.CONFLICT: Reason.CONTRADICTION,
    Unknown.LOW_CONFIDENCE: Reason.LOW_CONFIDENCE,
    Unknown.JUDGEMENT: Reason.JUDGEMENT,
}


def _commit() -> float:
    """Below this a reading is read back before it counts: the engine's own bar (``min_confidence_to_rule_out``)."""
    return trial().meta.min_confidence_to_rule_out


def plan(tracker: Tracker) -> tuple[str | None, str | None]:
    """The next question to ask and, when a person must step in instead, why (one evaluation).

    A pending follow-up (a read-back, a medicine's duration) comes before the planner's next question.
    """
    if tracker.get_slot("handoff_reason"):
        return None, tracker.get_slot("handoff_reason")
    if tracker.get_slot(followups.PENDING):
        return followups.FOLLOWUP, None
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
        """Read the answer to the requested question (answer first, side remarks after), then choose the next one."""
        events: list[dict[str, Any]] = []
        requested = tracker.get_slot("requested_slot")
        intent = tracker.latest_message.get("intent") or {}
        from_patient = not str(intent.get("name") or "").startswith("EXTERNAL_")
        asked = requested in trial().facts or requested == followups.FOLLOWUP
        if asked and from_patient and _just_answered(tracker):
            side = sides.side_intent(tracker.latest_message)
            if requested == followups.FOLLOWUP:
                events = self._follow_up(dispatcher, tracker)
            else:
                events = self._read_answer(dispatcher, tracker, requested, side=side)
            if events is None:
                loops = side not in sides.ALWAYS_RULES | {"human", "medical_question"}
                if loops and int(tracker.get_slot(sides.SIDE_TURNS) or 0) + 1 >= sides.MAX_TURNS_WITHOUT_ANSWER:
                    # Going round in circles: a person takes over rather than the same question again.
                    return [SlotSet("handoff_reason", Reason.NO_ANSWER.value), SlotSet("requested_slot", None)]
                return []  # not an answer: let the rules handle the side question
            tracker.add_slots(events)
            if side and tracker.get_slot(requested) is not None:
                events += sides.after_answer(dispatcher, tracker, side)
                tracker.add_slots(events)
            stay = self._still_asking(tracker, requested)
            if stay is not _NEXT:
                return [*events, SlotSet("requested_slot", None if tracker.get_slot("handoff_reason") else stay)]
        elif asked and sides.back_from_side(tracker):
            # Back from a side question with no answer given: counted, so a loop ends with a person.
            events.append(SlotSet(sides.SIDE_TURNS, int(tracker.get_slot(sides.SIDE_TURNS) or 0) + 1))
        question, reason = plan(tracker)
        if reason and not tracker.get_slot("handoff_reason"):
            events.append(SlotSet("handoff_reason", reason))
        return [*events, SlotSet("requested_slot", question)]

    @staticmethod
    def _still_asking(tracker: Tracker, requested: str) -> object:
        """The question still open after this answer, or ``_NEXT`` when the planner picks the next."""
        if tracker.get_slot(followups.PENDING):
            return followups.FOLLOWUP
        if requested != followups.FOLLOWUP and tracker.get_slot(requested) is None:
            return requested  # not read: asked again (or handed off after the re-asks)
        again = tracker.get_slot("requested_slot")
        if requested == followups.FOLLOWUP and again in trial().facts and tracker.get_slot(again) is None:
            return again  # "no" to a read-back: that question again, before any other
        return _NEXT

    def _read_answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, fact_id: str, *, side: str | None = None
    ) -> list[dict[str, Any]] | None:
        """The events of an answer to ``fact_id``; None when the message is a side question, not an answer."""
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
        if side and not sides.answers_first(fact, text, reading, side):
            return None
        read: Any = None
        doubt = False
        if reading is not None:
            try:
                # Kept in the engine's own structured form: a birth date, a date inside a month said.
                read = structured(make_fact(fact, reading.value, today=today, lexicon=found.lexicon).value)
                # Read back what the reader doubts; not a range or a vague amount ("40-45", "a few
                # months"): confirming a number picked from it would be a guess made to look confirmed.
                doubt = reading.confidence < _commit() and read != "unsure" and reading.reason not in {"range", "vague"}
                verdicts = _verdicts(tracker, fact_id, reading.bounds) if reading.bounds else []
                kinder = _kinder_bound(reading.bounds, verdicts) if reading.bounds else None
                if kinder is not None:
                    # "Cancer 4 years ago": out now at either end of the year, but at one end
                    # only until a date. Read as that end: "not yet" with its date, never a
                    # lasting "no" the answer does not support; the site checks the date.
                    read = structured(make_fact(fact, kinder, today=today, lexicon=found.lexicon).value)
                    if reading.reason == "vague":
                        reading = answers.Reading(reading.value, 1.0)
                elif len(set(verdicts)) > 1:  # the criteria decide differently at the two ends
                    key = f"exact:{fact_id}"
                    if key not in followups.done(tracker):
                        # Asked once more exactly ("which month?") before a person is needed.
                        _ask_more_exactly(dispatcher, fact.answer.type)
                        return [SlotSet(followups.DONE, [*followups.done(tracker), key])]
                    reading = answers.Reading(reading.value, min(reading.confidence, STRADDLES))
                elif reading.bounds and reading.reason == "vague":
                    # Imprecise, but every value it allows decides alike ("born in 1972"): clear enough.
                    reading = answers.Reading(reading.value, 1.0)
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
        if doubt:
            pending = followups.confirm(tracker, fact_id, dict(value))
            if pending is not None:
                # Read back once before it counts; the answer is not stored until then. A fact the
                # message also stated ("34, I had a kidney transplant") is read back next.
                pending["later"] = followups.volunteered(tracker, fact_id)
                return [SlotSet("reask_count", 0), *followups.ask_events(pending, tracker)]
        return self._accept(tracker, fact_id, dict(value))

    def _accept(
        self, tracker: Tracker, fact_id: str, value: dict[str, Any], later: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Store an answer, and queue the follow-ups it needs (a read-back kept for later, a medicine's duration)."""
        self._store(tracker, fact_id, value)
        events: list[dict[str, Any]] = [
            SlotSet(fact_id, value),
            SlotSet("reask_count", 0),
            SlotSet(sides.SIDE_TURNS, 0),
            SlotSet(followups.PENDING, None),
        ]
        tracker.add_slots(events)
        if later is not None and (
            tracker.get_slot(str(later["fact"])) is not None or later["key"] in followups.done(tracker)
        ):
            later = None
        pending = later or followups.volunteered(tracker, fact_id) or followups.next_duration(tracker)
        return [*events, *followups.ask_events(pending, tracker)] if pending else events

    def _follow_up(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]] | None:
        """The answer to a read-back or a duration question."""
        pending = tracker.get_slot(followups.PENDING) or {}
        message = tracker.latest_message
        intent = message.get("intent") or {}
        if pending.get("kind") == "confirm":
            return self._confirmed(dispatcher, tracker, pending)
        if pending.get("kind") != "duration":
            return [SlotSet(followups.PENDING, None)]
        reading = answers.read_duration(
            message.get("entities"), intent.get("name"), float(intent.get("confidence") or 0)
        )
        if reading is None and sides.side_intent(message):
            return None
        fact_id = str(pending["fact"])
        slot = tracker.get_slot(fact_id)
        duration = None
        if reading is not None and reading.value != "unsure" and reading.confidence >= _commit():
            duration = str(reading.value)
        # A duration not given clearly stays unknown; it is never guessed, and the list no longer
        # counts towards "likely eligible" ("from November", "not sure how long"): a person checks it.
        updated = followups.with_duration(slot, int(pending["index"]), duration)
        if duration is None:
            doubt = reading.confidence if reading is not None and reading.value != "unsure" else answers.FLAGGED
            updated = {**updated, "confidence": min(float(updated.get("confidence", 1.0)), doubt, answers.FLAGGED)}
        return self._accept(tracker, fact_id, updated)

    def _confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, pending: dict[str, Any]
    ) -> list[dict[str, Any]] | None:
        fact_id = str(pending["fact"])
        message = tracker.latest_message
        intent = message.get("intent") or {}
        said = answers.read(
            _YES_NO,
            message.get("text") or "",
            intent.get("name"),
            float(intent.get("confidence") or 0),
            today=screening_date(tracker),
            entities=message.get("entities"),
        )
        if said is not None and said.confidence >= _commit() and said.value in {"yes", "no"}:
            if said.value == "yes":
                return self._accept(tracker, fact_id, {**pending["slot"], "confirmed": True}, pending.get("later"))
            dispatcher.utter_message(response="utter_ask_again")
            return [SlotSet(followups.PENDING, None), SlotSet("requested_slot", fact_id)]
        # Not a yes or a no: perhaps the answer again, put right ("no, 15 mg").
        events = self._read_answer(dispatcher, tracker, fact_id)
        if events is not None and any(e.get("name") == fact_id for e in events):
            return events
        return [SlotSet(followups.PENDING, None), SlotSet("handoff_reason", Reason.LOW_CONFIDENCE.value)]

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


def _ask_more_exactly(dispatcher: CollectingDispatcher, answer_type: str) -> None:
    """Ask for the precision that settles an answer on both sides of a limit: a month, a birth date."""
    if answer_type in {"date", "date_or_never"}:
        dispatcher.utter_message(response="utter_more_exact_date")
    elif answer_type == "age":
        dispatcher.utter_message(response="utter_more_exact_age")
    else:
        dispatcher.utter_message(response="utter_more_exact")


def _verdicts(tracker: Tracker, fact_id: str, bounds: tuple[Any, Any]) -> list[tuple[tuple[str, State], ...]]:
    """How the criteria reading this fact decide at each end of the answer's span."""
    found = trial()
    today = screening_date(tracker)
    facts = facts_from(tracker)
    readers = set(found.readers_of(fact_id))
    verdicts = []
    for bound in bounds:
        facts[fact_id] = make_fact(found.facts[fact_id], bound, today=today, lexicon=found.lexicon)
        result = evaluate(found, facts, today)
        verdicts.append(tuple((c.id, c.state) for c in result.criteria if c.id in readers))
    return verdicts


def _kinder_bound(bounds: tuple[Any, Any], verdicts: list[tuple[tuple[str, State], ...]]) -> Any:
    """The end of the span that says "not yet" where the other says "not met", when that is the only difference."""
    if len(set(verdicts)) < 2:
        return None
    pairs = [dict(v) for v in verdicts]
    differ = {c for c in pairs[0] if pairs[0][c] != pairs[1].get(c)}
    if not differ or any({pairs[0][c], pairs[1].get(c)} != {State.NOT_MET, State.NOT_YET} for c in differ):
        return None
    return next(
        bound for bound, states in zip(bounds, pairs, strict=True) if states[next(iter(differ))] is State.NOT_YET
    )


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
