"""Things a patient can say at any time: why, what does it mean, go back, stop, start again."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.screening import db, trial
from store import records


class ActionExplain(Action):
    """Why we ask the current question, or what its words mean."""

    def name(self) -> str:
        """Action name."""
        return "action_explain"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Answer from the question's own ``why``, ``explain`` and ``terms``."""
        asked = tracker.get_slot("requested_slot") or ""
        if asked == "followup":  # a read-back or a duration: explain the question it follows
            asked = (tracker.get_slot("pending") or {}).get("fact") or ""
        fact = trial().facts.get(asked)
        if fact is None:
            dispatcher.utter_message(response="utter_about_study")
            return []
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "why_ask":
            dispatcher.utter_message(text=fact.why)
            return []
        term = next(tracker.get_latest_entity_values("term"), None)
        text = (tracker.latest_message.get("text") or "").casefold()
        for word, meaning in fact.terms.items():
            if (term and word.casefold() in term.casefold()) or word.casefold() in text:
                dispatcher.utter_message(text=meaning)
                return []
        dispatcher.utter_message(text=fact.explain)
        return []


class ActionChangeAnswer(Action):
    """Clear the last answer so its question is asked again."""

    def name(self) -> str:
        """Action name."""
        return "action_change_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Find the newest answered question and empty it."""
        facts = trial().facts
        for event in reversed(tracker.events):
            if event.get("event") == "slot" and event.get("name") in facts and event.get("value") is not None:
                if tracker.get_slot(event["name"]) is None:
                    continue  # already cleared
                dispatcher.utter_message(response="utter_changed")
                cleared = [SlotSet(event["name"], None), SlotSet("handoff_reason", None), SlotSet("reask_count", 0)]
                return [*cleared, SlotSet("pending", None)]
        dispatcher.utter_message(response="utter_nothing_to_change")
        return []


def _set_state(tracker: Tracker, state: str) -> None:
    screening_id = tracker.get_slot("screening_id")
    if not screening_id:
        return
    with db() as session:
        screening = records.find_screening(session=session, screening_id=screening_id)
        if screening is not None:
            records.set_state(session=session, screening=screening, state=state, actor="patient")


class ActionStop(Action):
    """The patient wants to stop: end the form, keep what was said."""

    def name(self) -> str:
        """Action name."""
        return "action_stop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Stop and say so."""
        _set_state(tracker, "stopped")
        dispatcher.utter_message(response="utter_stopped")
        return [ActiveLoop(None), SlotSet("requested_slot", None)]


class ActionRestartScreening(Action):
    """Start over: the old screening is closed, every answer cleared; consent is asked again next."""

    def name(self) -> str:
        """Action name."""
        return "action_restart_screening"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Close, restart, greet."""
        _set_state(tracker, "restarted")
        dispatcher.utter_message(response="utter_restarted")
        # The transcript stays for the coordinators; the answers do not carry into the new screening.
        return [ActiveLoop(None), AllSlotsReset()]
