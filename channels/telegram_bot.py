"""Telegram, with every update's secret token checked and no network call per update.

Rasa's ``TelegramInput`` trusts any caller that knows the URL, asks Telegram who the bot is
on every update, and calls ``setWebhook`` each time an output channel is made. This channel
keeps the URL (``/webhooks/telegram/webhook``) and name, and instead:

* checks ``X-Telegram-Bot-Api-Secret-Token`` against ``TELEGRAM_SECRET_TOKEN`` in constant
  time (403 otherwise; 503 while not configured); the secret is given to Telegram by
  ``python -m channels telegram-webhook``, which calls ``setWebhook`` once;
* talks only in private chats; reads text and button presses; answers anything else
  (photos, voice, stickers, edits) with a request to type;
* keys the conversation on a keyed hash of the chat id, stores the chat id only encrypted;
* shows Rasa buttons as Telegram's own buttons (a typed number picks one as well), splits
  long messages, sends the result card as text, and stops sending to a patient who blocked
  the bot; outbound through aiogram's ``Bot`` with retries (``TELEGRAM_API_URL`` points it
  at a stand-in in tests).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hmac
import logging
from collections.abc import Sequence
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.bot.api import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils import exceptions as telegram_errors
from rasa.core.channels.telegram import TelegramInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.contacts import Contact, Contacts
from channels.keywords import messaging
from channels.messaging import OnNewMessage, SeenRecently, TextOutput, answered_safely, pass_on, webhook_blueprint
from channels.retry import backoff, with_retries
from settings import TELEGRAM_SECRET_RULE, get_settings, telegram_ready

logger = logging.getLogger(__name__)

TELEGRAM_API = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SEND_TIMEOUT = 15.0
MAX_CALLBACK_BYTES = 64  # Telegram's limit for a button's callback_data
# Telegram's answer when the patient blocked the bot or left: stop sending, as after STOP.
GONE = (telegram_errors.BotBlocked, telegram_errors.UserDeactivated, telegram_errors.CantInitiateConversation)


def _describe(error: BaseException) -> str:
    """An error for the log: its kind only."""
    return type(error).__name__


def _wait(error: BaseException, attempt: int) -> float | None:
    """Retry flood control (after the time Telegram asks), server errors and network trouble."""
    base = get_settings().send_backoff_seconds
    if isinstance(error, telegram_errors.RetryAfter):
        return float(error.timeout)
    if isinstance(error, (telegram_errors.BadRequest, telegram_errors.Unauthorized, telegram_errors.NotFound)):
        return None
    if isinstance(error, (telegram_errors.TelegramAPIError, aiohttp.ClientError, asyncio.TimeoutError, OSError)):
        return backoff(attempt, base)  # 5xx, restarting, network
    return None


class TelegramOutput(TextOutput):
    """Sends to a Telegram chat through the Bot API."""

    max_chars = 4096  # Telegram's limit for one message

    @classmethod
    def name(cls) -> str:
        """The channel's name."""
        return "telegram"

    def __init__(self, channel: TelegramChannel, contacts: Contacts, *, contact: Contact | None = None) -> None:
        super().__init__(contacts, contact=contact)
        self.channel = channel

    def native_buttons(self, buttons: Sequence[dict[str, Any]]) -> bool:
        """Telegram shows buttons itself when every payload fits its callback data."""
        return all(len(str(b.get("payload") or b.get("title")).encode()) <= MAX_CALLBACK_BYTES for b in buttons)

    async def deliver(self, contact: Contact, text: str, buttons: Sequence[dict[str, Any]]) -> None:
        """One message to the chat; a patient who blocked the bot is recorded as opted out."""
        markup = None
        if buttons:
            markup = InlineKeyboardMarkup(row_width=1)
            for button in buttons:
                payload = str(button.get("payload") or button["title"])
                markup.add(InlineKeyboardButton(str(button["title"]), callback_data=payload))
        bot = self.channel.bot()

        async def once() -> Any:
            return await asyncio.wait_for(bot.send_message(contact.address, text, reply_markup=markup), SEND_TIMEOUT)

        try:
            await with_retries(
                once, attempts=get_settings().send_attempts, wait=_wait, what=f"telegram to {contact.conversation_id}"
            )
        except GONE:
            logger.info("conversation %s: the patient blocked the bot; recorded as opted out", contact.conversation_id)
            await self.contacts.opt_out(contact.conversation_id, how="blocked")


class TelegramChannel(TelegramInput):
    """Rasa's Telegram channel with a checked secret token and text-only answers (module docstring)."""

    @classmethod
    def name(cls) -> str:
        """Served at /webhooks/telegram/; the name coordinator replies look up."""
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramChannel:
        """Credentials from credentials.yml when given there, else from the settings (environment)."""
        given = {key: value for key, value in (credentials or {}).items() if value}
        s = get_settings()
        return cls(
            access_token=str(given.get("access_token", s.telegram_token)),
            secret_token=str(given.get("secret_token", s.telegram_secret_token)),
            api_url=str(given.get("api_url", s.telegram_api_url)),
        )

    def __init__(
        self,
        *,
        access_token: str,
        secret_token: str,
        api_url: str = TELEGRAM_API,
        contacts: Contacts | None = None,
    ) -> None:
        # No webhook URL: the webhook is set once by `python -m channels telegram-webhook`.
        super().__init__(access_token, None, None, debug_mode=False)
        self.secret_token = secret_token
        self.api_url = api_url or TELEGRAM_API
        self.configured = telegram_ready(token=access_token, secret_token=secret_token)
        if access_token and not self.configured:
            logger.error(TELEGRAM_SECRET_RULE)
        self.contacts = contacts or Contacts(self.name())
        self.seen = SeenRecently()
        self._bot: Bot | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        if not self.configured:
            logger.info("Telegram channel not configured: its webhook answers 503 (see README, 'Messaging apps')")

    def bot(self) -> Bot:
        """The aiogram Bot on our API server, made in the running event loop on first use."""
        if self._bot is None:
            self._bot = Bot(self.access_token or "", server=TelegramAPIServer.from_base(self.api_url))
        return self._bot

    def get_output_channel(self) -> TelegramOutput | None:  # type: ignore[override]
        """The output coordinator replies go through; no ``setWebhook`` call (Rasa's makes one each time)."""
        return TelegramOutput(self, self.contacts) if self.configured else None

    def authentic(self, request: Request) -> bool:
        """Whether the update carries our secret token (compared in constant time)."""
        given = request.headers.get(SECRET_HEADER, "")
        return bool(given) and hmac.compare_digest(given.encode(), self.secret_token.encode())

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """The health and webhook routes (no ``set_webhook`` route: that is a command)."""

        async def close() -> None:
            if self._bot is not None:
                await self._bot.session.close()

        hook = webhook_blueprint(self, close)

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.configured:
                return response.json({"error": "the Telegram channel is not configured"}, status=503)
            if not self.authentic(request):
                logger.warning("Telegram webhook refused: missing or wrong secret token")
                return response.json({"error": "invalid secret token"}, status=403)
            update = request.json if isinstance(request.json, dict) else None
            if update is None:
                return response.json({"error": "expected a Telegram update"}, status=400)
            if self.seen.first_time(str(update.get("update_id", ""))):
                await self.handle(on_new_message, update)
            return response.json({"ok": True})

        return hook

    async def handle(self, on_new_message: OnNewMessage, update: dict[str, Any]) -> None:
        """Read one update: a text message or a button press in a private chat; anything else gets a hint."""
        query = update.get("callback_query")
        if isinstance(query, dict):
            message, text = query.get("message"), query.get("data")
            if query.get("id"):
                task = asyncio.create_task(self._acknowledge(str(query["id"])))
                self._tasks.add(task)  # kept until done: the loop holds only weak references
                task.add_done_callback(self._tasks.discard)
        else:
            query = None
            message = update.get("message") or update.get("edited_message")
            text = message.get("text") if isinstance(message, dict) else None
        chat = message.get("chat") if isinstance(message, dict) else None
        if not isinstance(chat, dict) or chat.get("type") != "private" or not isinstance(chat.get("id"), int):
            return  # channels, groups, or updates we do not subscribe to
        contact = await self.contacts.arrived(str(chat["id"]))
        edited = "edited_message" in update and query is None
        await answered_safely(
            self._read(on_new_message, contact, text, edited=edited), self.output(contact), contact, _describe
        )

    def output(self, contact: Contact) -> TelegramOutput:
        """The output answering this contact."""
        return TelegramOutput(self, self.contacts, contact=contact)

    async def _read(self, on_new_message: OnNewMessage, contact: Contact, text: Any, *, edited: bool) -> None:
        if contact.opted_out_at is not None:  # blocked the bot once; writing again means they unblocked it
            await self.contacts.opt_in(contact.conversation_id)
            contact = dataclasses.replace(contact, opted_out_at=None)
        output = self.output(contact)
        if edited:
            await output.send(contact.conversation_id, messaging().reply("edited"), remember=False)
        elif not isinstance(text, str) or not text.strip():
            await output.send(contact.conversation_id, messaging().reply("text_only"), remember=False)
        else:
            await pass_on(on_new_message, text, contact=contact, output=output, input_channel=self.name())

    async def _acknowledge(self, query_id: str) -> None:
        """Stop the button's spinner (best effort: the answer itself is what matters)."""
        try:
            await asyncio.wait_for(self.bot().answer_callback_query(query_id), SEND_TIMEOUT)
        except Exception as error:
            logger.info("callback query not acknowledged: %s", type(error).__name__)


async def set_webhook(*, token: str, url: str, secret_token: str, api_url: str = TELEGRAM_API) -> Any:
    """Tell Telegram where to post updates and the secret token to send with each (one call, at set-up)."""
    bot = Bot(token, server=TelegramAPIServer.from_base(api_url))
    try:
        # aiogram 2 predates ``secret_token``: the raw method call passes it.
        return await bot.request(
            "setWebhook",
            {
                "url": url,
                "secret_token": secret_token,
                "allowed_updates": '["message","edited_message","callback_query"]',
                "drop_pending_updates": "false",
            },
        )
    finally:
        await bot.session.close()  # the HTTP session; not Bot API's "close", which logs the bot out
