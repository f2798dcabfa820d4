"""Messaging-app patients' addresses for the channels: sealed in the store, opened only to send.

The channels run inside Rasa's event loop; every database call here runs in a worker thread
so a slow database never holds up other patients' turns.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from channels.identity import AddressBox, conversation_id
from settings import get_settings
from store import channel_addresses
from store.db import engine_for, session_scope


@dataclass(frozen=True)
class Contact:
    """A patient on a messaging app: their conversation, where to send, whether they may be sent to."""

    conversation_id: str
    channel: str
    address: str
    opted_out_at: datetime | None = None
    last_prompt: dict[str, Any] = field(default_factory=dict)

    @property
    def choices(self) -> list[dict[str, str]]:
        """The numbered choices of the last message sent, as buttons (``text_only.choice_for``)."""
        buttons = self.last_prompt.get("buttons") or []
        return [dict(button) for button in buttons if isinstance(button, dict)]


class Contacts:
    """The store of messaging-app contacts, for one channel."""

    def __init__(self, channel: str, *, secret: str | None = None, database_url: str | None = None) -> None:
        settings = get_settings()
        self.channel = channel
        self._secret = secret or settings.channel_key
        self._box = AddressBox(self._secret)
        self._url = database_url or settings.db_url

    def conversation_for(self, address: str) -> str:
        """The conversation id of a sender (a keyed hash: the address is not in it)."""
        return conversation_id(self.channel, address, secret=self._secret)

    async def arrived(self, address: str) -> Contact:
        """A message came from ``address``: its contact, made on the first message."""
        conversation = self.conversation_for(address)

        def work() -> Contact:
            with session_scope(engine_for(self._url)) as session:
                # A read for a known sender: only a first message writes (SQLite has one writer at a time).
                row = channel_addresses.find(session=session, conversation_id=conversation)
                if row is None:
                    row = channel_addresses.remember(
                        session=session,
                        conversation_id=conversation,
                        channel=self.channel,
                        sealed_address=self._box.seal(address),
                    )
                return Contact(conversation, self.channel, address, row.opted_out_at, dict(row.last_prompt or {}))

        return await asyncio.to_thread(work)

    async def find(self, conversation: str) -> Contact | None:
        """The contact of a conversation (to push a coordinator's message), if its address can be read."""

        def work() -> Contact | None:
            with session_scope(engine_for(self._url)) as session:
                row = channel_addresses.find(session=session, conversation_id=conversation)
                if row is None or row.channel != self.channel:
                    return None
                address = self._box.open(row.sealed_address)
                if address is None:
                    return None
                return Contact(conversation, self.channel, address, row.opted_out_at, dict(row.last_prompt or {}))

        return await asyncio.to_thread(work)

    async def prompted(self, conversation: str, text: str, buttons: Sequence[dict[str, str]]) -> None:
        """Remember the message just sent and its choices (``{"title", "payload"}``, in order)."""
        await self._write(channel_addresses.prompted, conversation_id=conversation, text=text, buttons=list(buttons))

    async def opt_out(self, conversation: str, how: str) -> bool:
        """Record an opt-out; False if the patient had already opted out."""
        return bool(await self._write(channel_addresses.opt_out, conversation_id=conversation, how=how))

    async def opt_in(self, conversation: str) -> bool:
        """Record an opt-in; False if the patient had not opted out."""
        return bool(await self._write(channel_addresses.opt_in, conversation_id=conversation))

    async def _write(self, function: Any, **kwargs: Any) -> Any:
        def work() -> Any:
            with session_scope(engine_for(self._url)) as session:
                return function(session=session, **kwargs)

        return await asyncio.to_thread(work)
