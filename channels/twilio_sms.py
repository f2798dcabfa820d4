"""SMS and WhatsApp through Twilio, with every webhook's signature checked.

Rasa's ``TwilioInput`` accepts any caller and answers with a blocking client. This channel
keeps its URL (``/webhooks/twilio/webhook``) and name (``output_channel=latest`` finds it
for coordinator replies) and closes the rest:

* every webhook carries ``X-Twilio-Signature``, checked with twilio's ``RequestValidator``
  against the public URL Twilio was given (``TWILIO_WEBHOOK_URL``); a missing or wrong
  signature gets 403 and reaches no conversation. Without credentials every webhook gets 503;
* the conversation id is a keyed hash of the sender (``channels.identity``); the number is
  stored only encrypted, to send to;
* carrier keywords: STOP (and its synonyms) records the opt-out and confirms once, after
  which nothing is sent; START resumes and repeats the last question; HELP gives the study
  contact. Messages from a patient who opted out are not passed to the bot;
* text only: buttons as numbered choices, long messages split, the result card as text
  (``channels.messaging``), media without text answered with a request to type;
* outbound through twilio's async client with retries (``TWILIO_API_URL`` points it at a
  stand-in in tests).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Sequence
from typing import Any

import aiohttp
from rasa.core.channels.twilio import TwilioInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from channels.contacts import Contact, Contacts
from channels.keywords import messaging
from channels.messaging import OnNewMessage, SeenRecently, TextOutput, answered_safely, pass_on, webhook_blueprint
from channels.retry import backoff, with_retries
from settings import get_settings, twilio_ready

logger = logging.getLogger(__name__)
# twilio logs ten INFO lines per request (URLs, headers): only its warnings are worth keeping.
_HTTP_LOG = logging.getLogger(f"{__name__}.http")
_HTTP_LOG.setLevel(logging.WARNING)

TWILIO_API = "https://api.twilio.com"
SEND_TIMEOUT = 15.0  # seconds for one attempt
MAX_ADDRESS_CHARS = 64
OPTED_OUT_AT_TWILIO = 21610  # Twilio's error: the recipient replied STOP to this number
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class _ApiClient(AsyncTwilioHttpClient):
    """Twilio's async HTTP client, sending to ``api_url`` instead of api.twilio.com when told to."""

    def __init__(self, api_url: str) -> None:
        super().__init__(pool_connections=True, logger=_HTTP_LOG)
        self.api_url = api_url.rstrip("/")

    async def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        """Rewrite the host, then send as twilio does."""
        if url.startswith(TWILIO_API) and self.api_url != TWILIO_API:
            url = self.api_url + url[len(TWILIO_API) :]
        return await super().request(method, url, *args, **kwargs)


def _describe(error: BaseException) -> str:
    """An error for the log, without what it may quote (Twilio's messages name the phone number)."""
    if isinstance(error, TwilioRestException):
        return f"Twilio {error.status} (code {error.code})"
    return type(error).__name__


def _wait(error: BaseException, attempt: int) -> float | None:
    """Retry when Twilio is busy (429), failing (5xx) or unreachable; not when it refuses."""
    base = get_settings().send_backoff_seconds
    if isinstance(error, TwilioRestException):
        return backoff(attempt, base) if error.status == 429 or error.status >= 500 else None
    if isinstance(error, (aiohttp.ClientError, asyncio.TimeoutError, OSError)):
        return backoff(attempt, base)
    return None


class TwilioOutput(TextOutput):
    """Sends to an SMS or WhatsApp number through Twilio's API."""

    SMS_CHARS = 320  # two SMS segments: longer texts arrive in pieces, or not at all on some phones
    WHATSAPP_CHARS = 1600  # Twilio's limit for one WhatsApp message

    @classmethod
    def name(cls) -> str:
        """The channel's name."""
        return "twilio"

    def __init__(self, channel: TwilioChannel, contacts: Contacts, *, contact: Contact | None = None) -> None:
        super().__init__(contacts, contact=contact)
        self.channel = channel

    def limit(self, contact: Contact) -> int:
        """WhatsApp takes longer messages than SMS."""
        return self.WHATSAPP_CHARS if contact.address.startswith("whatsapp:") else self.SMS_CHARS

    async def deliver(self, contact: Contact, text: str, buttons: Sequence[dict[str, Any]]) -> None:
        """One message from our number on the patient's app; an opt-out Twilio reports is recorded."""
        whatsapp = contact.address.startswith("whatsapp:")
        sender = self.channel.whatsapp_from if whatsapp else self.channel.sms_number
        if not sender:
            kind = "WhatsApp" if whatsapp else "SMS"
            logger.error("conversation %s: no Twilio %s number configured", contact.conversation_id, kind)
            return
        client = self.channel.client()

        async def once() -> Any:
            create = client.messages.create_async(to=contact.address, from_=sender, body=text)
            return await asyncio.wait_for(create, SEND_TIMEOUT)

        try:
            await with_retries(
                once, attempts=get_settings().send_attempts, wait=_wait, what=f"twilio to {contact.conversation_id}"
            )
        except TwilioRestException as error:
            if error.code == OPTED_OUT_AT_TWILIO:
                logger.info("conversation %s opted out at Twilio; recorded", contact.conversation_id)
                await self.contacts.opt_out(contact.conversation_id, how="twilio")
                return
            raise


class TwilioChannel(TwilioInput):
    """Rasa's Twilio channel with signed webhooks, keywords and text-only answers (module docstring)."""

    @classmethod
    def name(cls) -> str:
        """Served at /webhooks/twilio/; the name coordinator replies look up."""
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TwilioChannel:
        """Credentials from credentials.yml when given there, else from the settings (environment)."""
        given = {key: value for key, value in (credentials or {}).items() if value}
        s = get_settings()
        return cls(
            account_sid=str(given.get("account_sid", s.twilio_account_sid)),
            auth_token=str(given.get("auth_token", s.twilio_auth_token)),
            sms_number=str(given.get("twilio_number", s.twilio_sms_number)),
            whatsapp_number=str(given.get("whatsapp_number", s.twilio_whatsapp_number)),
            webhook_url=str(given.get("webhook_url", s.twilio_webhook_url)),
            api_url=str(given.get("api_url", s.twilio_api_url)),
        )

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        sms_number: str = "",
        whatsapp_number: str = "",
        webhook_url: str = "",
        api_url: str = TWILIO_API,
        contacts: Contacts | None = None,
    ) -> None:
        super().__init__(account_sid, auth_token, sms_number, debug_mode=False)
        self.sms_number = sms_number
        self.whatsapp_from = f"whatsapp:{whatsapp_number.removeprefix('whatsapp:')}" if whatsapp_number else ""
        self.webhook_url = webhook_url
        self.api_url = api_url or TWILIO_API
        self.configured = twilio_ready(
            account_sid=account_sid,
            auth_token=auth_token,
            webhook_url=webhook_url,
            sms_number=sms_number,
            whatsapp_number=whatsapp_number,
        )
        self.contacts = contacts or Contacts(self.name())
        self.validator = RequestValidator(auth_token) if auth_token else None
        self.seen = SeenRecently()
        self._client: Client | None = None
        if not self.configured:
            logger.info("Twilio channel not configured: its webhook answers 503 (see README, 'Messaging apps')")

    def client(self) -> Client:
        """Twilio's client on an async HTTP session, made in the running event loop on first use."""
        if self._client is None:
            self._client = Client(self.account_sid, self.auth_token, http_client=_ApiClient(self.api_url))
        return self._client

    def get_output_channel(self) -> TwilioOutput | None:  # type: ignore[override]
        """The output coordinator replies go through (``output_channel=latest``)."""
        return TwilioOutput(self, self.contacts) if self.configured else None

    def signed(self, request: Request) -> bool:
        """Whether the request carries Twilio's signature of our public URL and the posted fields."""
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or self.validator is None:
            return False
        url = self.webhook_url
        if request.query_string and "?" not in url:
            url = f"{url}?{request.query_string}"
        return bool(self.validator.validate(url, request.form, signature))

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """The health and webhook routes."""

        async def close() -> None:
            if self._client is not None:
                await self._client.http_client.close()

        hook = webhook_blueprint(self, close)

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.configured:
                return response.json({"error": "the Twilio channel is not configured"}, status=503)
            if not self.signed(request):
                logger.warning("Twilio webhook refused: missing or wrong X-Twilio-Signature")
                return response.json({"error": "invalid signature"}, status=403)
            sender = request.form.get("From")
            if not isinstance(sender, str) or not 0 < len(sender) <= MAX_ADDRESS_CHARS:
                return response.json({"error": "expected a From field"}, status=400)
            if self.seen.first_time(str(request.form.get("MessageSid") or "")):
                contact = await self.contacts.arrived(sender)
                output = TwilioOutput(self, self.contacts, contact=contact)
                text = str(request.form.get("Body") or "")
                media = str(request.form.get("NumMedia") or "0") != "0"
                work = self.handle(on_new_message, contact, output, text, media=media)
                await answered_safely(work, output, contact, _describe)
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return hook

    async def handle(
        self, on_new_message: OnNewMessage, contact: Contact, output: TwilioOutput, text: str, *, media: bool
    ) -> None:
        """Keywords first (STOP, START, HELP), then the bot; nothing for a patient who opted out."""
        words = messaging()
        keyword = words.keyword(text)
        conversation = contact.conversation_id
        fill = {"study": get_settings().trial_id, "contact": get_settings().help_contact}
        if keyword == "stop":
            if await self.contacts.opt_out(conversation, how=words.word(text)):
                await output.send(conversation, words.reply("stopped", **fill), even_if_opted_out=True, remember=False)
            return
        if keyword == "help":
            await output.send(conversation, words.reply("help", **fill), even_if_opted_out=True, remember=False)
            return
        if contact.opted_out_at is not None:
            if keyword not in ("start", "start_when_opted_out"):
                logger.info("conversation %s opted out: message not passed on", conversation)
                return
            await self.contacts.opt_in(conversation)
            output = TwilioOutput(self, self.contacts, contact=dataclasses.replace(contact, opted_out_at=None))
            await output.send(conversation, words.reply("started", **fill), remember=False)
            last = contact.last_prompt
            if last.get("text"):
                await output.send(conversation, str(last["text"]), list(last.get("buttons") or []))
            return
        if media and not text.strip():
            await output.send(conversation, words.reply("text_only"), remember=False)
            return
        await pass_on(on_new_message, text, contact=contact, output=output, input_channel=self.name())
