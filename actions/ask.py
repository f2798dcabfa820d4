"""One ``action_ask_<question>`` per question of the trial, generated from the trial file.

Yes/no and choice questions get buttons; free text is always accepted too. Button payloads
are plain words, never ``/intent`` commands (those are refused on every channel).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.screening import trial
from criteria.schema import FactDef


def buttons_for(fact: FactDef) -> list[dict[str, str]]:
    """Buttons for a question with a short set of answers."""
    if fact.answer.type == "yes_no":
        return [
            {"title": "Yes", "payload": "yes"},
            {"title": "No", "payload": "no"},
            {"title": "Not sure", "payload": "not sure"},
        ]
    if fact.answer.type == "choice":
        return [{"title": label, "payload": label} for label in (fact.answer.choices or {}).values()]
    return []


class _AskQuestion(Action):
    """Asks one question of the trial."""

    fact_id = ""

    def name(self) -> str:
        """``action_ask_<fact id>``."""
        return f"action_ask_{self.fact_id}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Send the question with its buttons."""
        fact = trial().facts[self.fact_id]
        dispatcher.utter_message(text=fact.question, buttons=buttons_for(fact))
        return []


# rasa_sdk registers every Action subclass it finds, so one class per question is made here.
ASK_ACTIONS = [type(f"AskQuestion_{fact_id}", (_AskQuestion,), {"fact_id": fact_id}) for fact_id in trial().facts]
