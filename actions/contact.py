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


def valid_email(text: str) -> str | None:
    """The e-mail address, or None when it is not one."""
    candidate = text.strip().strip(".")
    return candidate if _EMAIL.match(candidate) and len(candidate) <= 254 else None


def valid_phone(text: str) -> str | None:
    """A phone number with 7 to 15 digits (E.164 allows 15), kept as typed; None otherwise."""
    candidate = text.strip()
    digits = re.sub(r"\D", "", candidate)
    return candidate if _PHONE_CHARS.match(candidate) and 7 <= len(digits) <= 15 else None


class ValidateContactForm(FormValidationAction):
    """Checks each contact detail for form; never guesses one."""

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

    async def extract_contact_ok(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Yes or no to being contacted."""
        if tracker.get_slot("requested_slot") != "contact_ok":
            return {}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = (tracker.latest_message.get("text") or "").strip().casefold()
        if intent == "affirm" or text in {"yes", "ok"}:
            return {"contact_ok": True}
        if intent == "deny" or text in {"no"}:
            dispatcher.utter_message(response="utter_no_contact")
            return {"contact_ok": False}
        return {}

    async def extract_contact_method(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Phone or e-mail."""
        if tracker.get_slot("requested_slot") != "contact_method":
            return {}
        text = (tracker.latest_message.get("text") or "").casefold()
        if "mail" in text:
            return {"contact_method": "email"}
        if any(word in text for word in ("phone", "call", "text", "sms", "whatsapp")):
            return {"contact_method": "phone"}
        return {}

    async def extract_contact_value(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """The address or number, checked for form."""
        if tracker.get_slot("requested_slot") != "contact_value":
            return {}
        text = tracker.latest_message.get("text") or ""
        check = valid_email if tracker.get_slot("contact_method") == "email" else valid_phone
        value = check(text)
        if value is None:
            dispatcher.utter_message(response="utter_contact_invalid")
            return {}
        return {"contact_value": value}

    async def extract_contact_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Any short free text ("weekday mornings"); stored with the contact."""
        if tracker.get_slot("requested_slot") != "contact_time":
            return {}
        text = " ".join((tracker.latest_message.get("text") or "").split())[:MAX_BEST_TIME]
        if not text:
            return {}
        screening_id = tracker.get_slot("screening_id")
        if screening_id:
            with db() as session:
                screening = records.find_screening(session=session, screening_id=screening_id)
                if screening is not None:
                    records.save_contact(
                        session=session,
                        screening=screening,
                        method=str(tracker.get_slot("contact_method")),
                        value=str(tracker.get_slot("contact_value")),
                        best_time=text,
                    )
        dispatcher.utter_message(response="utter_contact_thanks")
        return {"contact_time": text}
