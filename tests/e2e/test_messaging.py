"""SMS, WhatsApp and Telegram patients against the real servers, Twilio and Telegram stood in for.

Webhooks are posted to the running Rasa server exactly as the providers post them
(form-encoded and signed for Twilio, JSON with the secret token header for Telegram); what
the bot sends goes through the providers' real client libraries to the stand-in on
127.0.0.1 (``Servers.provider``), where the tests read it.
"""

from __future__ import annotations

import itertools
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bot.examples import CLEAR_TEXT, SLE_CHAT
from channels.identity import conversation_id
from settings import get_settings
from store.db import engine_for, session_scope
from store.models import AuditEvent, ChannelAddress, Contact, Handoff, Screening, ScreeningResult
from tests.e2e.conftest import MESSAGING, Servers
from tests.e2e.test_screening import QUESTIONS, TRIAL
from tests.standin import Sent

pytestmark = pytest.mark.e2e

CHOICES = re.compile(r"Reply (\d+ for .+)\.$")
ids = itertools.count(1)


def post(servers: Servers, path: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(servers.rasa_url + path, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def events(servers: Servers, conversation: str) -> list[dict[str, Any]]:
    return list(servers.tracker(conversation).get("events") or [])


@pytest.fixture
def coordinator(servers: Servers, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The inbox's calls to Rasa (``handoff.api``), pointed at the test servers."""
    monkeypatch.setenv("RASA_PORT", servers.rasa_url.rsplit(":", 1)[1])
    monkeypatch.setenv("RASA_JWT_SECRET", servers.jwt_secret)
    monkeypatch.setenv("DATABASE_URL", servers.database_url)
    get_settings.cache_clear()
    from handoff import api

    yield api
    get_settings.cache_clear()


class Phone:
    """A patient texting the study's Twilio number (SMS, or WhatsApp with ``whatsapp=True``)."""

    def __init__(self, servers: Servers, *, whatsapp: bool = False) -> None:
        self.servers = servers
        number = f"+4477009{uuid.uuid4().int % 10**5:05d}"
        self.address = f"whatsapp:{number}" if whatsapp else number
        self.conversation = conversation_id("twilio", self.address, secret=MESSAGING["CHANNEL_SECRET"])

    def post(self, text: str, *, signature: str | None = "sign", sender: str | None = None) -> int:
        fields = {
            "MessageSid": f"SM{uuid.uuid4().hex}",
            "AccountSid": MESSAGING["TWILIO_ACCOUNT_SID"],
            "From": sender or self.address,
            "To": MESSAGING["TWILIO_SMS_NUMBER"],
            "Body": text,
            "NumMedia": "0",
            "NumSegments": "1",
            "SmsStatus": "received",
            "ApiVersion": "2010-04-01",
        }
        if signature == "sign":
            signature = RequestValidator(MESSAGING["TWILIO_AUTH_TOKEN"]).compute_signature(
                MESSAGING["TWILIO_WEBHOOK_URL"], fields
            )
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        return post(self.servers, "/webhooks/twilio/webhook", urllib.parse.urlencode(fields).encode(), headers)

    def say(self, text: str) -> list[str]:
        """Text the study; the messages the phone received in answer (the webhook returns after sending)."""
        mark = self.servers.provider.mark()
        assert self.post(text) == 200
        return [sent.text for sent in self.servers.provider.to(self.address, since=mark)]


def asked(texts: list[str]) -> str | None:
    """The question the last of these messages asks (an SMS may carry its choices after it)."""
    joined = " ".join(texts)
    found = [(joined.rfind(question), fact.id) for question, fact in QUESTIONS.items() if question in joined]
    return max(found)[1] if found else None


def numbers(texts: list[str]) -> dict[str, str]:
    """The numbered choices offered: title (case-folded) -> number."""
    for text in reversed(texts):
        offered = CHOICES.search(text)
        if offered:
            separator = "; " if "; " in offered.group(1) else ", "
            pairs = (choice.split(" for ", 1) for choice in offered.group(1).split(separator))
            return {title.strip().casefold(): number for number, title in pairs}
    return {}


def test_a_bad_or_missing_signature_gets_403_and_changes_nothing(servers: Servers) -> None:
    phone = Phone(servers)
    assert any("OK to start" in text for text in phone.say("hello"))
    before, mark = events(servers, phone.conversation), servers.provider.mark()
    assert phone.post("yes", signature=None) == 403
    assert phone.post("yes", signature="bm90IGEgc2lnbmF0dXJl") == 403
    other = Phone(servers)  # a valid signature for another request
    valid_elsewhere = RequestValidator(MESSAGING["TWILIO_AUTH_TOKEN"]).compute_signature(
        MESSAGING["TWILIO_WEBHOOK_URL"], {"From": other.address, "Body": "yes"}
    )
    assert phone.post("yes", signature=valid_elsewhere) == 403
    assert events(servers, phone.conversation) == before
    assert servers.provider.to(phone.address, since=mark) == []


def test_accents_and_emoji_survive_the_signature_check(servers: Servers) -> None:
    phone = Phone(servers)
    text = "Hola 👋, soy María, ¿qué tal?"
    assert phone.post(text) == 200  # Twilio signs the UTF-8 text; Sanic's decoding must give the same
    said = [e["text"] for e in events(servers, phone.conversation) if e["event"] == "user"]
    assert said == [text]


def test_an_sms_patient_is_screened_by_numbers_and_text_and_stored(servers: Servers) -> None:
    phone = Phone(servers)
    texts = phone.say("Hi")
    offered = numbers(texts)
    assert "yes, let's start" in offered  # the consent question, with numbered choices
    texts = phone.say(offered["yes, let's start"])
    order, by_number, by_text = [], 0, 0
    while (fact_id := asked(texts)) is not None and len(order) < 60:
        order.append(fact_id)
        answer = SLE_CHAT.get(fact_id) or CLEAR_TEXT[TRIAL.facts[fact_id].answer.type]
        number = numbers(texts).get(answer.casefold())
        by_number, by_text = by_number + bool(number), by_text + (not number)
        texts = phone.say(number or answer)
    assert order[0] == "condition" and len(order) == len(set(order))
    assert by_number >= 5 and by_text >= 3  # both ways of answering were used
    joined = " ".join(texts)
    assert "Result: you may be able to join this study." in joined
    assert "not a medical decision" in joined and "{" not in joined  # the card as words, no JSON
    for answer in ["1", "phone", "+44 7700 900123", "weekday mornings"]:  # 1: yes, they may be contacted
        texts = phone.say(answer)
    assert "will contact you" in " ".join(texts)

    with session_scope(engine_for(servers.database_url)) as session:
        screening = session.execute(
            select(Screening).where(Screening.conversation_id == phone.conversation)
        ).scalar_one()
        assert (screening.channel, screening.state, screening.cohort) == ("twilio", "completed", "sle")
        result = session.execute(
            select(ScreeningResult).where(ScreeningResult.screening_id == screening.id)
        ).scalar_one()
        assert result.status == "likely_eligible"
        contact = session.execute(select(Contact).where(Contact.screening_id == screening.id)).scalar_one()
        assert contact.value == "+44 7700 900123"  # what the patient chose to give
        address = session.get(ChannelAddress, phone.conversation)
        assert address is not None and phone.address not in json.dumps([address.sealed_address, address.last_prompt])


def test_stop_stops_everything_and_start_carries_on(servers: Servers, coordinator: Any) -> None:
    phone = Phone(servers)
    phone.say("hello")
    texts = phone.say("yes")
    assert asked(texts) == "condition"
    [confirmation] = phone.say("STOP")
    assert "no more messages" in confirmation and "START" in confirmation
    before = events(servers, phone.conversation)
    assert phone.say("lupus") == []  # not answered, not even passed to the bot
    assert events(servers, phone.conversation) == before
    mark = servers.provider.mark()
    coordinator.reply(phone.conversation, coordinator="sam", text="Hi, this is Sam from the study.")
    time.sleep(1)  # give a wrongly sent message time to arrive
    assert servers.provider.to(phone.address, since=mark) == []  # opted out: nothing reaches the phone

    texts = phone.say("START")
    assert "Welcome back" in texts[0]
    assert asked(texts) == "condition"  # where they left off
    texts = phone.say(numbers(texts)["lupus (sle)"])
    assert asked(texts) not in (None, "condition")  # the screening goes on
    with session_scope(engine_for(servers.database_url)) as session:
        moves = (
            session.execute(
                select(AuditEvent.action).where(AuditEvent.action.like("channel.%")).order_by(AuditEvent.id)
            )
            .scalars()
            .all()
        )
        assert moves[-2:] == ["channel.opted_out", "channel.opted_in"]


def test_help_answers_with_the_study_contact(servers: Servers) -> None:
    phone = Phone(servers)
    [text] = phone.say("help")
    assert MESSAGING["STUDY_CONTACT"] in text and "STOP" in text


def test_a_coordinators_reply_and_resume_reach_the_phone(servers: Servers, coordinator: Any) -> None:
    phone = Phone(servers, whatsapp=True)
    phone.say("hello")
    phone.say("yes")
    texts = phone.say("I'd like to talk to a person please")
    assert "coordinator" in " ".join(texts).lower()
    phone.say("no")  # no contact details: the chat waits for the coordinator
    with session_scope(engine_for(servers.database_url)) as session:
        handoff = session.execute(select(Handoff).where(Handoff.conversation_id == phone.conversation)).scalar_one()
        assert handoff.channel == "twilio"

    mark = servers.provider.mark()
    coordinator.reply(phone.conversation, coordinator="sam", text="Hi, this is Sam from the study team.")
    sent: Sent = servers.provider.wait_for(lambda s: s.to == phone.address, since=mark)
    assert sent.text == "Study coordinator: Hi, this is Sam from the study team."
    assert sent.fields["From"] == "whatsapp:" + MESSAGING["TWILIO_WHATSAPP_NUMBER"]

    mark = servers.provider.mark()
    coordinator.resume(phone.conversation, coordinator="sam")
    question = servers.provider.wait_for(lambda s: s.to == phone.address and asked([s.text]) is not None, since=mark)
    assert asked([question.text]) == "condition"  # the bot carries on by itself, on WhatsApp


# -- Telegram ------------------------------------------------------------------------------


class TelegramChat:
    """A patient writing to the study's Telegram bot in a private chat."""

    def __init__(self, servers: Servers) -> None:
        self.servers = servers
        self.chat = 7_000_000_000 + uuid.uuid4().int % 10**9
        self.conversation = conversation_id("telegram", str(self.chat), secret=MESSAGING["CHANNEL_SECRET"])

    def post(self, update: dict[str, Any], secret: str | None = MESSAGING["TELEGRAM_SECRET_TOKEN"]) -> int:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        return post(self.servers, "/webhooks/telegram/webhook", json.dumps(update).encode(), headers)

    def _user(self) -> dict[str, Any]:
        return {"id": self.chat, "is_bot": False, "first_name": "Pat", "language_code": "en"}

    def message(self, text: str) -> dict[str, Any]:
        chat = {"id": self.chat, "first_name": "Pat", "type": "private"}
        body = {"message_id": next(ids), "from": self._user(), "chat": chat, "date": int(time.time()), "text": text}
        return {"update_id": next(ids), "message": body}

    def press(self, data: str) -> dict[str, Any]:
        message = {"message_id": next(ids), "chat": {"id": self.chat, "type": "private"}, "date": int(time.time())}
        query = {"id": str(next(ids)), "from": self._user(), "message": message, "chat_instance": "1", "data": data}
        return {"update_id": next(ids), "callback_query": query}

    def send(self, update: dict[str, Any]) -> list[Sent]:
        mark = self.servers.provider.mark()
        assert self.post(update) == 200
        return self.servers.provider.to(str(self.chat), since=mark)


def buttons(sent: list[Sent]) -> dict[str, str]:
    """The buttons under the last message that has some: title (case-folded) -> payload."""
    for message in reversed(sent):
        if "reply_markup" in message.fields:
            rows = json.loads(message.fields["reply_markup"])["inline_keyboard"]
            return {b["text"].casefold(): b["callback_data"] for row in rows for b in row}
    return {}


def test_a_telegram_update_without_the_secret_gets_403_and_changes_nothing(servers: Servers) -> None:
    chat = TelegramChat(servers)
    chat.send(chat.message("/start"))
    before, mark = events(servers, chat.conversation), servers.provider.mark()
    assert chat.post(chat.message("yes"), secret=None) == 403
    assert chat.post(chat.message("yes"), secret="not-the-secret") == 403
    assert events(servers, chat.conversation) == before
    assert servers.provider.to(str(chat.chat), since=mark) == []


def test_a_telegram_patient_is_screened_by_buttons_and_text(servers: Servers, coordinator: Any) -> None:
    chat = TelegramChat(servers)
    sent = chat.send(chat.message("/start"))
    sent = chat.send(chat.press(buttons(sent)["yes, let's start"]))
    order, pressed = [], 0
    while (fact_id := asked([s.text for s in sent])) is not None and len(order) < 60:
        order.append(fact_id)
        answer = SLE_CHAT.get(fact_id) or CLEAR_TEXT[TRIAL.facts[fact_id].answer.type]
        payload = buttons(sent).get(answer.casefold())
        pressed += bool(payload)
        sent = chat.send(chat.press(payload) if payload else chat.message(answer))
    assert order[0] == "condition" and pressed >= 5
    assert "Result: you may be able to join this study." in " ".join(s.text for s in sent)

    mark = servers.provider.mark()
    coordinator.reply(chat.conversation, coordinator="sam", text="Hello from Sam at the study site.")
    reply = servers.provider.wait_for(lambda s: s.to == str(chat.chat), since=mark)
    assert reply.text == "Study coordinator: Hello from Sam at the study site."
    with session_scope(engine_for(servers.database_url)) as session:
        screening = session.execute(
            select(Screening).where(Screening.conversation_id == chat.conversation)
        ).scalar_one()
        assert screening.channel == "telegram"
