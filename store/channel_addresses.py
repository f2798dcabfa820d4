"""Messaging-app addresses, opt-outs and the last question sent. ``*, session``; never commits.

The address is stored sealed (``channels.identity.AddressBox``); this module never sees it
in clear. Opting out and back in is audited (actor ``patient``), with the conversation's
latest screening when there is one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from store.models import ChannelAddress, utcnow
from store.records import audit, latest_screening


def remember(*, session: Session, conversation_id: str, channel: str, sealed_address: str) -> ChannelAddress:
    """The conversation's address row, made on its first message (two first messages at once make one)."""
    values = {
        "conversation_id": conversation_id,
        "channel": channel,
        "sealed_address": sealed_address,
        "created_at": utcnow(),
        "updated_at": utcnow(),
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(ChannelAddress).values(**values).on_conflict_do_nothing(index_elements=["conversation_id"]))
    row: ChannelAddress | None = session.get(ChannelAddress, conversation_id, populate_existing=True)
    assert row is not None  # inserted above, or already there
    return row


def find(*, session: Session, conversation_id: str) -> ChannelAddress | None:
    """The conversation's address row, if it came from a messaging app."""
    row: ChannelAddress | None = session.get(ChannelAddress, conversation_id)
    return row


def opted_out(*, session: Session, conversation_id: str) -> datetime | None:
    """When the patient of this conversation opted out of messages, if they did."""
    when: datetime | None = session.execute(
        select(ChannelAddress.opted_out_at).where(ChannelAddress.conversation_id == conversation_id)
    ).scalar_one_or_none()
    return when


def prompted(*, session: Session, conversation_id: str, text: str, buttons: Sequence[dict[str, str]]) -> None:
    """Remember the last message sent and its choices, in order (none: a number means a number)."""
    row = session.get(ChannelAddress, conversation_id)
    if row is not None:
        row.last_prompt = {"text": text, "buttons": [dict(button) for button in buttons]}


def opt_out(*, session: Session, conversation_id: str, how: str) -> bool:
    """Record that the patient wants no more messages (``how``: the keyword, or "blocked"); False if already."""
    row = session.get(ChannelAddress, conversation_id)
    if row is None or row.opted_out_at is not None:
        return False
    row.opted_out_at = utcnow()
    _audit(session, row, "channel.opted_out", {"channel": row.channel, "how": how})
    return True


def opt_in(*, session: Session, conversation_id: str) -> bool:
    """Record that the patient wants messages again (START); False if they had not opted out."""
    row = session.get(ChannelAddress, conversation_id)
    if row is None or row.opted_out_at is None:
        return False
    row.opted_out_at = None
    _audit(session, row, "channel.opted_in", {"channel": row.channel})
    return True


def _audit(session: Session, row: ChannelAddress, action: str, detail: dict[str, Any]) -> None:
    screening = latest_screening(session=session, conversation_id=row.conversation_id)
    audit(
        session=session,
        actor="patient",
        action=action,
        screening_id=screening.id if screening else None,
        detail=detail,
    )
