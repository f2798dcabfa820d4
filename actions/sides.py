"""Side remarks inside the screening form: the answer first, then the question beside it.

While a question is pending, a message is read as its answer first. A side intent (about the
study, why, a medical question, a person...) wins only when no answer is found, or when the
message is plainly a question or a request ("can I ...?", "what is ...", "talk to a person").
A "yes" or "no" at the start of an answer is an answer. An answer that also asks something
is recorded, and then the question is answered (about the study, why) or handed off (a
medical question, a person).
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import Reason
from actions.screening import trial
from answers import INTENT_CONFIDENCE, Reading
from criteria.schema import FactDef

# Intents that are not answers: without an answer in the message, a rule handles them.
META_INTENTS = {
    "why_ask", "explain", "change_answer", "stop", "start_over", "human", "medical_question",
    "bot_challenge", "about_study", "goodbye",
}  # fmt: skip
# Side intents the form never takes over when their words are said: the patient wants out or back.
ALWAYS_RULES = {"change_answer", "stop", "start_over", "goodbye"}
# Messages in a row with no answer to the question asked before a person takes over.
MAX_TURNS_WITHOUT_ANSWER = 3
SIDE_TURNS = "side_turns"  # the slot counting them (reset by an answer)

_ASKS = re.compile(
    r"^(?:(?:ok|okay|so|um+|uh+|hmm+|well|sorry|hi|hello|hey)\W+)*"
    r"(?:can|could|may|might|what|whats|what's|how|why|who|when|where|which|is|are|am|do|does|did|will|would|"
    r"should|shall|tell me|explain|i want to (?:talk|speak)|let me (?:talk|speak)|talk to|speak to|"
    r"i(?:'d| would) like to (?:talk|speak))\b",
    re.IGNORECASE,
)
# A question about taking part (money, travel, visits, time), not about health: about the study.
_LOGISTICS = re.compile(
    r"\b(?:paid|pay|payment|money|cost|costs|free|travel|parking|visits?|how long|how many|where|when|"
    r"hospital stay|time off|compensat\w*|reimburs\w*|expenses?)\b",
    re.IGNORECASE,
)
_MEDICAL = re.compile(
    r"\b(?:safe|side effects?|risk\w*|dose|drug|medicine|pregnan\w*|pain|symptoms?|stop taking|interact\w*)\b",
    re.IGNORECASE,
)
# Words of a patient who wants to leave. A "stop" or "goodbye" read by the intent classifier
# from an answer without any of them ("mixed connective tissue disease") is not a request.
_LEAVING = re.compile(
    r"\b(?:stop\w*|quit\w*|cancel\w*|exit|end|enough|leave|finish\w*|no more|done|bye|goodbye|"
    r"don'?t want|do not want|not interested|unsubscribe)\b",
    re.IGNORECASE,
)
# Words of a patient who wants to change an earlier answer. "ten years back" read by the intent
# classifier as "go back" is an answer (found by bench.patients, seed 79).
_CHANGING = re.compile(
    r"\b(?:go(?:ing)? back|back to|chang\w*|fix\w*|wrong|mistake\w*|previous|undo|edit|redo|meant to say|"
    r"actually|correct (?:that|my|it))\b",
    re.IGNORECASE,
)
# Words of a patient who wants to start again. "right now Prograf (for three years altogether)"
# read by the intent classifier as "start over" is an answer (found by bench.patients, seed 97).
_RESTARTING = re.compile(
    r"\b(?:start\w* (?:again|over|afresh)|restart\w*|from the (?:beginning|start|top)|begin\w* again|reset|"
    r"all over again|redo (?:it|everything|all))\b",
    re.IGNORECASE,
)
_REQUEST = re.compile(
    r"\b(?:person|human|someone|somebody|coordinator|real people|a doctor|the doctor)\b", re.IGNORECASE
)


def side_intent(message: dict[str, Any]) -> str | None:
    """The message's side intent, when NLU is sure enough of it."""
    intent = message.get("intent") or {}
    name = intent.get("name")
    if name in META_INTENTS and float(intent.get("confidence") or 0) >= INTENT_CONFIDENCE:
        return str(name)
    return None


def plainly_asks(text: str) -> bool:
    """The message is put as a question or a request ("can I ...", "what is ...", "talk to ...")."""
    return bool(_ASKS.match(text.strip()))


def answers_first(fact: FactDef, text: str, reading: Reading | None, side: str) -> bool:
    """Whether a message with a side intent is taken as the answer to ``fact`` (its side part after).

    A message that opens with its answer ("no, is this study safe?") is not put as a question,
    so its answer comes first; one that opens by asking ("can I join if ...?") is the question.
    """
    if reading is None:
        return False
    if side in {"stop", "goodbye"}:
        return not _LEAVING.search(text)  # an answer the classifier took for a farewell is an answer
    if side == "change_answer":
        return not _CHANGING.search(text)  # "ten years back": an answer, not "go back"
    if side == "start_over":
        return not _RESTARTING.search(text)  # "for three years altogether": an answer, not "start over"
    if side in ALWAYS_RULES:
        return False
    return not plainly_asks(text)


def after_answer(dispatcher: CollectingDispatcher, tracker: Tracker, side: str) -> list[dict[str, Any]]:
    """Answer, or hand off, the question a message asked beside its answer."""
    text = tracker.latest_message.get("text") or ""
    asked = "?" in text or plainly_asks(text.split(",", 1)[-1]) or bool(_REQUEST.search(text))
    fact = trial().facts.get(tracker.get_slot("requested_slot") or "")
    if side == "about_study":
        dispatcher.utter_message(response="utter_about_study")
    elif side == "bot_challenge":
        dispatcher.utter_message(response="utter_bot_challenge")
    elif side == "why_ask" and fact is not None:
        dispatcher.utter_message(text=fact.why)
    elif side == "explain" and fact is not None:
        dispatcher.utter_message(text=fact.explain)
    elif side == "medical_question" and asked and _LOGISTICS.search(text) and not _MEDICAL.search(text):
        dispatcher.utter_message(response="utter_about_study")  # "is this study paid?": about the study
    elif side == "medical_question" and asked:
        # A worry said beside an answer is not a question; a medical question is never answered here.
        dispatcher.utter_message(response="utter_medical_question")
        return [SlotSet("handoff_reason", Reason.MEDICAL_QUESTION.value)]
    elif side == "human" and asked:
        return [SlotSet("handoff_reason", Reason.PATIENT_REQUEST.value)]
    return []


def back_from_side(tracker: Tracker) -> bool:
    """The form runs again after a side question it left to the rules (no answer was given)."""
    side = side_intent(tracker.latest_message)
    if side is None or side in ALWAYS_RULES | {"human", "medical_question"}:
        return False
    for event in reversed(list(tracker.events)):
        if event.get("event") == "action" and event.get("name") != "screening_form":
            return event.get("name") != "action_listen"
    return False
