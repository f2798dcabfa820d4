"""Reading the bot's replies: which question it asked, or its result.

Questions are recognised by the trial's own texts (``fact.question``, exactly as
``bench/load.py`` does, or at the end of a longer message), the medicine follow-ups by the
trial's ``follow_up.duration`` texts with any medicine name in place of ``{medicine}``, and
read-backs as "I understood ... Is that right?". Any other message ending in "?" is an
unrecognised question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from criteria import Trial

HANDOFF_TEXT = "study coordinator will continue this chat"
NOT_UNDERSTOOD = ("did not understand", "didn't understand", "could you say it another way")
CONTACT = re.compile(r"\b(may|can|should) (the study team|we|they) contact you\b", re.IGNORECASE)


@dataclass
class Heard:
    """What the bot's replies to one message amount to."""

    kind: str  # question, follow_up, readback, contact, not_understood, unrecognised, nothing
    fact_id: str | None = None  # the question (or the list a follow-up is about)
    medicine: str | None = None  # the medicine a follow-up names
    text: str = ""
    buttons: list[dict[str, Any]] = field(default_factory=list)
    result: dict[str, Any] | None = None  # the screening_result card, when the replies carry one
    handoff: bool = False  # the bot said a coordinator takes over
    contact_asked: bool = False


class Listener:
    """Recognises the trial's questions in the bot's replies."""

    def __init__(self, trial: Trial) -> None:
        self.questions = {fact.question.strip(): fact.id for fact in trial.facts.values()}
        self.follow_ups: list[tuple[re.Pattern[str], str]] = []
        for fact in trial.facts.values():
            for text in (fact.answer.follow_up or {}).values():
                before, _, after = text.partition("{medicine}")
                pattern = re.compile(rf"{re.escape(before)}(?P<medicine>.+?){re.escape(after)}\s*$", re.IGNORECASE)
                self.follow_ups.append((pattern, fact.id))

    def hear(self, replies: list[dict[str, Any]]) -> Heard:
        """The question (or result) in the replies to one message."""
        result = next(
            (r["custom"]["screening_result"] for r in replies if "screening_result" in (r.get("custom") or {})), None
        )
        texts = [str(r.get("text") or "") for r in replies]
        handoff = any(HANDOFF_TEXT in t for t in texts)
        contact = any(CONTACT.search(t) for t in texts)
        heard = self._last_question(replies)
        heard.result, heard.handoff, heard.contact_asked = result, handoff, contact
        return heard

    def recognise(self, text: str) -> Heard | None:
        """A known question, follow-up or read-back in one message, or None."""
        stripped = text.strip()
        if stripped in self.questions:
            return Heard("question", self.questions[stripped], text=text)
        for question, fact_id in self.questions.items():
            if stripped.endswith(question) and "I understood" not in stripped:
                return Heard("question", fact_id, text=text)
        for pattern, fact_id in self.follow_ups:
            match = pattern.search(stripped)
            if match:
                return Heard("follow_up", fact_id, medicine=match.group("medicine").strip(), text=text)
        if "I understood" in stripped and stripped.endswith("Is that right?"):
            # A read-back of the last answer, or of another question it names ("You also told me ...").
            about = next((fact_id for question, fact_id in self.questions.items() if question in stripped), None)
            return Heard("readback", about, text=text)
        return None

    def _last_question(self, replies: list[dict[str, Any]]) -> Heard:
        for reply in reversed(replies):
            text = str(reply.get("text") or "")
            if not text:
                continue
            heard = self.recognise(text)
            if heard is not None:
                heard.buttons = list(reply.get("buttons") or [])
                return heard
            if CONTACT.search(text):
                return Heard("contact", text=text)
            if any(marker in text.casefold() for marker in NOT_UNDERSTOOD):
                return Heard("not_understood", text=text)
            if text.rstrip().endswith("?"):
                return Heard("unrecognised", text=text, buttons=list(reply.get("buttons") or []))
        return Heard("nothing")
