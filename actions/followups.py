"""Follow-up questions inside the screening form: read-backs, and how long each medicine was taken.

Both are asked through one form slot, ``followup``; the slot ``pending`` says what is being
asked:

- ``{"kind": "confirm", "fact": id, "slot": <answer slot>, "text": ...}``: an answer read in
  doubt, read back once before it counts ("I understood 5 mg of prednisone a day. Is that
  right?"). Yes: it counts, confirmed. No: the question is asked again. Anything else is
  read as a new answer to the question, or goes to a coordinator.
- ``{"kind": "duration", "fact": id, "index": i, "medicine": name, "text": ...}``: a
  medicine named without a duration that a criterion counts; the question's
  ``follow_up.duration`` text asks for it (silence about how long is never "long enough").

``followups_done`` lists what was already asked ("confirm:<fact>", "duration:<fact>:<i>"),
so nothing is asked twice.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.screening import screening_date, trial
from answers.readback import read_back
from answers.slots import fact_from_slot
from criteria.evaluator import cohort_of
from criteria.medicine_rule import MedicineTest
from criteria.rules import walk
from criteria.trial import Trial

FOLLOWUP = "followup"
PENDING = "pending"
DONE = "followups_done"


def done(tracker: Tracker) -> list[str]:
    """What was already followed up."""
    return list(tracker.get_slot(DONE) or [])


def confirm(tracker: Tracker, fact_id: str, slot: dict[str, Any]) -> dict[str, Any] | None:
    """The read-back of an answer read in doubt, unless this question was read back already."""
    key = f"confirm:{fact_id}"
    if key in done(tracker):
        return None
    found = trial()
    text = read_back(found.facts[fact_id], slot["value"], found.lexicon)
    return {"kind": "confirm", "fact": fact_id, "slot": slot, "text": text, "key": key}


def volunteered(tracker: Tracker, answered: str) -> dict[str, Any] | None:
    """A "yes" the message states for another, unasked yes/no question ("I had a kidney transplant in 2019").

    It is read back now, under that question, rather than kept silently or lost: a "yes" may
    end the screening early. A "no" said in passing decides nothing: the question is still asked.
    """
    found = trial()
    message = tracker.latest_message
    entities = message.get("entities") or []
    # A medicine named to answer a medicines question ("prednisone 10 mg", "yes, prednisone") is
    # that answer, not a second statement about steroids to read back.
    answered_type = found.facts[answered].answer.type if answered in found.facts else None
    about_medicines = answered_type in {"medicine_list", "dose"} or any(
        e.get("entity") == "topic" and e.get("role") == answered and e.get("group") == "medicine" for e in entities
    )
    for entity in entities:
        fact_id = entity.get("role")
        if entity.get("entity") != "topic" or fact_id == answered or fact_id not in found.facts:
            continue
        if about_medicines and entity.get("group") == "medicine":
            continue
        fact = found.facts[fact_id]
        if fact.answer.type != "yes_no" or fact.answer.volunteered is False or tracker.get_slot(fact_id) is not None:
            continue
        if entity.get("value") != "yes" or float(entity.get("confidence_entity", 1.0)) < 1.0:
            continue
        key = f"confirm:{fact_id}"
        if key in done(tracker):
            continue
        said = message.get("text") or ""
        slot = {"value": "yes", "said": said, "confidence": 1.0, "conflicting": False, "set_by": "patient"}
        text = f"You also told me something about this: {fact.question} I understood your answer as yes. Is that right?"
        return {"kind": "confirm", "fact": fact_id, "slot": slot, "text": text, "key": key}
    return None


def next_duration(tracker: Tracker) -> dict[str, Any] | None:
    """The next medicine whose duration a criterion needs and the patient has not given."""
    found = trial()
    asked = set(done(tracker))
    wanted = _counted_classes(found, tracker)
    for fact_id, fact in found.facts.items():
        ask = (fact.answer.follow_up or {}).get("duration")
        slot = tracker.get_slot(fact_id)
        if not ask or not isinstance(slot, dict) or not isinstance(slot.get("value"), list):
            continue
        classes = wanted.get(fact_id)
        if not classes:
            continue
        for index, item in enumerate(slot["value"]):
            if not isinstance(item, str) or f"duration:{fact_id}:{index}" in asked:
                continue
            medicine = found.lexicon.find(item)
            if medicine is not None and found.lexicon.membership(medicine.id, classes) is False:
                continue  # folic acid: no criterion counts it
            name = medicine.generic if medicine is not None else item
            return {
                "kind": "duration",
                "fact": fact_id,
                "index": index,
                "medicine": name,
                "text": ask.format(medicine=name),
                "key": f"duration:{fact_id}:{index}",
            }
    return None


def _counted_classes(found: Trial, tracker: Tracker) -> dict[str, set[str]]:
    """Per medicine-list question, the classes some criterion of the patient's cohort counts by duration."""
    condition = found.cohort_fact
    said = fact_from_slot(
        condition, tracker.get_slot(condition.id), today=screening_date(tracker), lexicon=found.lexicon
    )
    cohort = cohort_of(found, {condition.id: said} if said else {})
    wanted: dict[str, set[str]] = {}
    for criterion in found.criteria:
        if criterion.rule is None or ("all" not in criterion.cohorts and cohort not in criterion.cohorts):
            continue
        for node in walk(criterion.rule):
            if isinstance(node, MedicineTest) and (node.each_at_least or node.total_more_than):
                for source in node.sources:
                    wanted.setdefault(source, set()).update(node.classes)
    return wanted


def with_duration(slot: dict[str, Any], index: int, duration: str | None) -> dict[str, Any]:
    """The medicine-list slot with one item's duration given (None: left unknown)."""
    items = list(slot["value"])
    if duration is not None:
        items[index] = {"medicine": items[index], "duration": duration}
    return {**slot, "value": items}


def ask_events(pending: dict[str, Any], tracker: Tracker) -> list[dict[str, Any]]:
    """Events that make the form ask this follow-up next."""
    return [
        SlotSet(PENDING, pending),
        SlotSet(DONE, [*done(tracker), pending["key"]]),
        SlotSet("requested_slot", FOLLOWUP),
    ]


class ActionAskFollowup(Action):
    """Asks the pending follow-up (the form calls it to request the ``followup`` slot)."""

    def name(self) -> str:
        """Action name."""
        return "action_ask_followup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Say the follow-up question; a read-back gets yes/no buttons."""
        pending = tracker.get_slot(PENDING) or {}
        if pending.get("kind") == "confirm":
            buttons = [{"title": "Yes", "payload": "yes"}, {"title": "No", "payload": "no"}]
            dispatcher.utter_message(text=pending["text"], buttons=buttons)
        elif pending.get("text"):
            dispatcher.utter_message(text=pending["text"])
        return []
