"""What SMS, WhatsApp and Telegram share: text-only bot messages out, guarded patient messages in.

Out (``TextOutput``): buttons become numbered choices (or a channel's own buttons), long
messages are split between sentences within the channel's limit, the result card becomes a
short text, a coordinator's message is marked as theirs. Nothing is sent to a patient who
opted out, and the last message sent is remembered with its choices, so that "2" can be
read as the second one. Sends go through the provider's client with retries.

In (``pass_on``): the guard every channel applies (no "/intent" commands, no control
characters, a length cap), then a number is read as the choice it names.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import text_only
from channels.contacts import Contact, Contacts
from channels.guard import TOO_LONG_REPLY, check_message
from channels.keywords import messaging
from settings import get_settings

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class TextOutput(OutputChannel):
    """An output channel for a messaging app; subclasses deliver one part of a message."""

    max_chars = 1600
    """The longest part sent as one message (``limit`` may say otherwise per address)."""

    def __init__(self, contacts: Contacts, *, contact: Contact | None = None) -> None:
        self.contacts = contacts
        self._known = contact  # the sender of the message being answered: no look-up needed

    @abstractmethod
    async def deliver(self, contact: Contact, text: str, buttons: Sequence[dict[str, Any]]) -> None:
        """Send one part (at most ``limit``) with the provider's client; buttons only if ``native_buttons``."""

    def limit(self, contact: Contact) -> int:
        """The longest part sent to this contact as one message."""
        return self.max_chars

    def native_buttons(self, buttons: Sequence[dict[str, Any]]) -> bool:
        """Whether the app can show these buttons itself (otherwise they become numbered choices)."""
        return False

    async def contact_for(self, recipient_id: str) -> Contact | None:
        """The recipient's contact: the sender being answered, else from the store (a coordinator's push)."""
        if self._known is not None and self._known.conversation_id == recipient_id:
            return self._known
        return await self.contacts.find(recipient_id)

    async def send(
        self,
        recipient_id: str,
        text: str,
        buttons: Sequence[dict[str, Any]] = (),
        *,
        even_if_opted_out: bool = False,
        remember: bool = True,
    ) -> None:
        """Send a message in as many parts as it needs, unless the patient opted out.

        ``remember=False`` for the channel's own notes (STOP's confirmation, HELP, "please
        type"): they leave the last question and its numbered choices as they were.
        """
        contact = await self.contact_for(recipient_id)
        if contact is None:
            logger.warning("conversation %s: no address to send to on %s", recipient_id, self.contacts.channel)
            return
        if contact.opted_out_at is not None and not even_if_opted_out:
            logger.info("conversation %s opted out: message not sent", recipient_id)
            return
        buttons = [b for b in buttons if str(b.get("title", "")).strip() and (b.get("payload") or b.get("title"))]
        native = bool(buttons) and self.native_buttons(buttons)
        body = text if native or not buttons else text_only.numbered(text, buttons)
        parts = text_only.split(body, self.limit(contact)) or [body]
        for number, part in enumerate(parts, start=1):
            await self.deliver(contact, part, buttons if native and number == len(parts) else [])
        if remember:
            kept = [{"title": str(b["title"]), "payload": str(b.get("payload") or b["title"])} for b in buttons]
            await self.contacts.prompted(recipient_id, text, kept)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """A plain message."""
        await self.send(recipient_id, text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """A question with choices."""
        await self.send(recipient_id, text, buttons)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Quick replies are choices like buttons."""
        await self.send(recipient_id, text, quick_replies)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """The result card as a short text; other custom payloads mean nothing on a phone and are dropped."""
        result = json_message.get("screening_result")
        if isinstance(result, dict):
            await self.send(recipient_id, text_only.result_text(result))
        else:
            logger.info("conversation %s: custom payload not sent on %s", recipient_id, self.contacts.channel)

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """A coordinator's message (bot event metadata ``coordinator``) is marked as theirs; else as Rasa sends."""
        if message.get("coordinator") and message.get("text"):
            await self.send(recipient_id, messaging().reply("coordinator_prefix") + str(message["text"]))
            return
        await super().send_response(recipient_id, message)


async def pass_on(
    on_new_message: OnNewMessage, text: str, *, contact: Contact, output: TextOutput, input_channel: str
) -> None:
    """Guard a patient's message and hand it to Rasa; a number picks one of the last message's choices."""
    checked = check_message(text, max_chars=get_settings().max_message_chars)
    if checked.too_long:
        await output.send(contact.conversation_id, TOO_LONG_REPLY, remember=False)
        return
    if not checked.text:
        await output.send(contact.conversation_id, messaging().reply("text_only"), remember=False)
        return
    said = text_only.choice_for(checked.text, contact.choices) or checked.text
    await on_new_message(UserMessage(said, output, contact.conversation_id, input_channel=input_channel))


def webhook_blueprint(channel: Any, close: Callable[[], Awaitable[None]]) -> Blueprint:
    """A messaging channel's blueprint: its health route, and its HTTP session closed when the server stops."""
    hook = Blueprint(f"{channel.name()}_webhook_{id(channel)}", __name__)

    @hook.listener("after_server_stop")
    async def closing(*_: Any) -> None:
        await close()

    @hook.route("/", methods=["GET"])
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok" if channel.configured else "not configured"})

    return hook


async def answered_safely(
    work: Awaitable[None], output: TextOutput, contact: Contact, describe: Callable[[BaseException], str]
) -> None:
    """Handle one patient message; if that fails, log it (as ``describe`` puts it) and apologise.

    The webhook still answers 200 afterwards: a provider that sees an error posts the same
    message again, which the bot would read as a second answer.
    """
    try:
        await work
    except Exception as error:
        logger.error("conversation %s: message not handled: %s", contact.conversation_id, describe(error))
        logger.debug("details", exc_info=True)
        try:
            await output.send(contact.conversation_id, messaging().reply("failed"), remember=False)
        except Exception as again:
            logger.error("conversation %s: no apology sent: %s", contact.conversation_id, describe(again))


class SeenRecently:
    """Provider message ids already handled by this process: a provider's retry is not a second answer."""

    def __init__(self, size: int = 4096) -> None:
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._size = size

    def first_time(self, message_id: str) -> bool:
        """True the first time an id is seen (recently); False for a repeat."""
        if not message_id:
            return True
        if message_id in self._seen:
            self._seen.move_to_end(message_id)
            return False
        self._seen[message_id] = None
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True
