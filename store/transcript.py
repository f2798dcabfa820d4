"""A conversation's messages, read from Rasa's tracker store table (``events``) in our database.

Rasa's ``SQLTrackerStore`` owns that table; the inbox only reads it, so a transcript shows
even while the Rasa server is down. Only ``user`` and ``bot`` events are messages; a bot
message that a coordinator sent carries ``{"coordinator": <name>}`` in its metadata.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, func, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

# The columns of Rasa 3.6's table that we read (rasa/core/tracker_store.py, SQLEvent).
EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)
MAX_MESSAGES = 2000


@dataclass(frozen=True)
class Message:
    """One message of the conversation, as the coordinator sees it."""

    sender: Literal["patient", "bot", "coordinator"]
    text: str
    at: datetime
    by: str | None = None  # the coordinator's name
    buttons: tuple[str, ...] = ()  # the titles of the buttons the bot offered
    result: dict[str, Any] | None = None  # a screening_result payload


_SEEN: set[str] = set()  # databases whose events table exists (Rasa never drops it)


def _has_events(connection: Connection) -> bool:
    """Whether Rasa has created its table yet; asked of the catalogue only until it has."""
    url = str(connection.engine.url)
    if url not in _SEEN and inspect(connection).has_table("events"):
        _SEEN.add(url)
    return url in _SEEN


def transcript(*, session: Session, conversation_id: str) -> list[Message]:
    """The messages of a conversation in order (empty when Rasa has not stored any yet)."""
    if not _has_events(session.connection()):
        return []
    rows = session.execute(
        select(EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data)
        .where(EVENTS.c.sender_id == conversation_id, EVENTS.c.type_name.in_(("user", "bot")))
        .order_by(EVENTS.c.id)
        .limit(MAX_MESSAGES)
    ).all()
    return [message for row in rows if (message := _message(row.type_name, row.timestamp, row.data)) is not None]


def _message(kind: str, timestamp: float | None, data: str | None) -> Message | None:
    try:
        event = json.loads(data or "{}")
    except ValueError:
        return None
    at = datetime.fromtimestamp(timestamp or 0, tz=timezone.utc)
    text = event.get("text") or ""
    if kind == "user":
        return Message("patient", text, at)
    metadata = event.get("metadata") or {}
    payload = event.get("data") or {}
    custom = payload.get("custom") or {}
    result = custom.get("screening_result") if isinstance(custom, dict) else None
    buttons = tuple(str(b.get("title", "")) for b in payload.get("buttons") or [] if isinstance(b, dict))
    if not text and result is None and not buttons:
        return None
    if isinstance(metadata, dict) and metadata.get("coordinator"):
        return Message("coordinator", text, at, by=str(metadata["coordinator"]))
    return Message("bot", text, at, buttons=buttons, result=result if isinstance(result, dict) else None)


def last_patient_messages(*, session: Session, conversation_ids: Iterable[str]) -> dict[str, datetime]:
    """When each conversation's patient last wrote (conversations without a message are left out)."""
    ids = list(conversation_ids)
    if not ids or not _has_events(session.connection()):
        return {}
    rows = session.execute(
        select(EVENTS.c.sender_id, func.max(EVENTS.c.timestamp))
        .where(EVENTS.c.sender_id.in_(ids), EVENTS.c.type_name == "user")
        .group_by(EVENTS.c.sender_id)
    ).all()
    return {sender: datetime.fromtimestamp(latest, tz=timezone.utc) for sender, latest in rows if latest}


def latest_patient_event(*, session: Session) -> int:
    """The id of the newest patient message in any conversation (0 when none): part of the queue's ETag."""
    if not _has_events(session.connection()):
        return 0
    found = session.execute(select(func.max(EVENTS.c.id)).where(EVENTS.c.type_name == "user")).scalar()
    return int(found or 0)
