"""Permission to be contacted, and how: the only identifying details the assistant asks for."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.screening import db
from store import records

_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_PHONE_CHARS = re.compile(r"^\+?[\d\s().-]+$")
MAX_BEST_TIME = 120
# Intents the contact form leaves to the rules.
SIDE_INTENTS = {"human", "medical_question", "stop", "start_over", "goodbye", "about_study", "bot_challenge"}


def valid_email(text: str) -> str | None:
    """The e-mail address, or None when it is not one."""
    candidate = text.strip().strip(".")
    return candidate if _EMAIL.match(candidate) and len(candidate) <= 254 else None


def valid_phone(text: str) -> str | None:
    """A phone number with 7 to 15 digits (E.164 allows 15), kept as typed; None otherwise."""
    candidate = text.strip()
    digits = re.sub(r"\D", "", candidate)
    return candidate if _PHONE_CHARS.match(candidate) and 7 <= len(digits) <= 15 else None


_YES = re.compile(r"^\W*(?:yes|yeah|yep|yup|sure|ok|okay|of course|please do|fine|y)\b", re.IGNORECASE)
_NO = re.compile(r"^\W*(?:no|nope|nah|no thanks|no thank you|don't|do not|n)\b", re.IGNORECASE)
_EMAIL_IN = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE_IN = re.compile(r"\+?\d[\d\s().-]{5,}\d")
_TIMES = re.compile(
    r"\b(?:mornings?|afternoons?|evenings?|nights?|weekdays?|weekends?|any ?time|lunch ?time|"
    r"(?:before|after|around|from) \d{1,2}(?::\d{2})?\s*(?:am|pm)?|\d{1,2}(?::\d{2})?\s*(?:am|pm)|"
    r"mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|sundays?)\b",
    re.IGNORECASE,
)


def details(text: str) -> dict[str, Any]:
    """Every contact detail one message gives: "sure, email me at a@b.org, evenings".

    Keys, when said: ``ok`` (True/False), ``method`` (phone/email), ``value`` (checked for
    form), ``time`` (the best time, as said).
    """
    found: dict[str, Any] = {}
    email = _EMAIL_IN.search(text)
    phone = None if email else _PHONE_IN.search(text)
    if email and valid_email(email.group()):
        found.update(method="email", value=valid_email(email.group()))
    elif phone and valid_phone(phone.group()):
        found.update(method="phone", value=valid_phone(phone.group()))
    lowered = text.casefold()
    if "method" not in found:
        if "mail" in lowered:
            found["method"] = "email"
        elif any(word in lowered for word in ("phone", "call", "text", "sms", "whatsapp", "wechat")):
            found["method"] = "phone"
    if _NO.match(text) and "value" not in found:
        found["ok"] = False
    elif _YES.match(text) or "value" in found or "method" in found:
        found["ok"] = True
    times = _TIMES.findall(text)
    if times and found.get("ok") is not False:
        found["time"] = " ".join(text.split())[:MAX_BEST_TIME] if "value" not in found else ", ".join(times)
    return found


class ValidateContactForm(FormValidationAction):
    """Checks each contact detail for form; never guesses one. One message may give several."""

    def name(self) -> str:
        """Action name."""
        return "validate_contact_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[str]:
        """Nothing more once the patient says no."""
        if tracker.get_slot("contact_ok") is False:
            return ["contact_ok"]
        return domain_slots

    @staticmethod
    def _said(tracker: Tracker) -> dict[str, Any]:
        return details(tracker.latest_message.get("text") or "")

    async def extract_contact_ok(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Yes or no to being contacted (a message that gives a detail is a yes)."""
        asked = tracker.get_slot("requested_slot")
        if asked not in {"contact_ok", "contact_method", "contact_value", "contact_time"}:
            return {}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        said = self._said(tracker)
        if asked == "contact_ok":
            if said.get("ok") is True or (intent == "affirm" and said.get("ok") is not False):
                return {"contact_ok": True}
            if said.get("ok") is False or intent == "deny":
                dispatcher.utter_message(response="utter_no_contact")
                return {"contact_ok": False}
        wanted = {"contact_ok": "ok", "contact_method": "method", "contact_value": "value"}.get(str(asked))
        if asked == "contact_time" or (wanted and wanted in said and asked != "contact_value"):
            return {}
        if intent in SIDE_INTENTS:
            return {}  # a person, a medical question, stop: the rules handle it
        if intent != "greet" and asked != "contact_value":
            dispatcher.utter_message(response="utter_not_understood")
        # "hi", or words that are not an answer: this question is asked again (never "lost track").
        return {"contact_ok": tracker.get_slot("contact_ok")}

    async def extract_contact_method(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Phone or e-mail, from this message whatever was asked."""
        if tracker.get_slot("contact_method") or tracker.get_slot("requested_slot") not in {
            "contact_ok",
            "contact_method",
        }:
            return {}
        method = self._said(tracker).get("method")
        return {"contact_method": method} if method else {}

    async def extract_contact_value(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """The address or number, checked for form."""
        asked = tracker.get_slot("requested_slot")
        said = self._said(tracker)
        if asked != "contact_value":
            return (
                {"contact_value": said["value"]} if said.get("value") and not tracker.get_slot("contact_value") else {}
            )
        text = tracker.latest_message.get("text") or ""
        method = tracker.get_slot("contact_method")
        value = said.get("value") if said.get("method", method) == method else None
        value = value or (valid_email if method == "email" else valid_phone)(text)
        if value is None:
            dispatcher.utter_message(response="utter_contact_invalid")
            return {}
        return {"contact_value": value}

    async def extract_contact_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Any short free text ("weekday mornings"); stored with the contact once everything is known."""
        said = self._said(tracker)
        if tracker.get_slot("requested_slot") == "contact_time":
            text = " ".join((tracker.latest_message.get("text") or "").split())[:MAX_BEST_TIME]
        else:
            text = said.get("time") or ""
        method = tracker.get_slot("contact_method") or said.get("method")
        value = tracker.get_slot("contact_value") or said.get("value")
        if not text or not method or not value:
            return {}
        screening_id = tracker.get_slot("screening_id")
        if screening_id:
            with db() as session:
                screening = records.find_screening(session=session, screening_id=screening_id)
                if screening is not None:
                    records.save_contact(
                        session=session, screening=screening, method=str(method), value=str(value), best_time=text
                    )
        dispatcher.utter_message(response="utter_contact_thanks")
        return {"contact_time": text}
