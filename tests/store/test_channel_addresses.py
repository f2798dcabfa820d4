"""Messaging-app addresses on SQLite and PostgreSQL: one row per sender, opt-out audited, the last prompt."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from store import channel_addresses, records
from store.db import session_scope
from store.models import AuditEvent, ChannelAddress


def remember(engine: Engine, conversation_id: str = "c1", sealed: str = "sealed-1") -> None:
    with session_scope(engine) as session:
        channel_addresses.remember(
            session=session, conversation_id=conversation_id, channel="twilio", sealed_address=sealed
        )


def test_a_sender_gets_one_row_however_often_they_write(engine: Engine) -> None:
    remember(engine, sealed="sealed-1")
    remember(engine, sealed="sealed-2")  # sealing is random: the second seal must not replace the first
    with session_scope(engine) as session:
        row = channel_addresses.find(session=session, conversation_id="c1")
        assert row is not None and row.sealed_address == "sealed-1" and row.channel == "twilio"
        assert session.execute(select(func.count()).select_from(ChannelAddress)).scalar_one() == 1
        assert channel_addresses.find(session=session, conversation_id="other") is None


def test_remember_returns_what_is_stored(engine: Engine) -> None:
    remember(engine)
    with session_scope(engine) as session:
        channel_addresses.opt_out(session=session, conversation_id="c1", how="STOP")
    with session_scope(engine) as session:
        row = channel_addresses.remember(session=session, conversation_id="c1", channel="twilio", sealed_address="x")
        assert row.opted_out_at is not None  # a returning sender's opt-out is seen on arrival


def test_opting_out_and_in_is_recorded_once_and_audited(engine: Engine) -> None:
    remember(engine)
    with session_scope(engine) as session:
        screening = records.start_screening(
            session=session, conversation_id="c1", channel="twilio", trial_id="NCT07193810"
        )
    with session_scope(engine) as session:
        assert channel_addresses.opted_out(session=session, conversation_id="c1") is None
        assert channel_addresses.opt_out(session=session, conversation_id="c1", how="STOP") is True
        assert channel_addresses.opt_out(session=session, conversation_id="c1", how="STOP") is False  # already
    with session_scope(engine) as session:
        when = channel_addresses.opted_out(session=session, conversation_id="c1")
        assert when is not None and when.tzinfo is not None
        assert channel_addresses.opt_in(session=session, conversation_id="c1") is True
        assert channel_addresses.opt_in(session=session, conversation_id="c1") is False  # not opted out any more
    with session_scope(engine) as session:
        assert channel_addresses.opted_out(session=session, conversation_id="c1") is None
        rows = session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
        moves = [(r.action, r.actor, r.screening_id, r.detail) for r in rows if r.action.startswith("channel.")]
        assert moves == [
            ("channel.opted_out", "patient", screening.id, {"channel": "twilio", "how": "STOP"}),
            ("channel.opted_in", "patient", screening.id, {"channel": "twilio"}),
        ]


def test_an_unknown_conversation_cannot_opt_out(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert channel_addresses.opt_out(session=session, conversation_id="nobody", how="STOP") is False
        assert channel_addresses.opted_out(session=session, conversation_id="nobody") is None


def test_the_last_prompt_is_replaced_by_the_next(engine: Engine) -> None:
    remember(engine)
    buttons = [{"title": "Yes", "payload": "yes"}, {"title": "No", "payload": "no"}]
    with session_scope(engine) as session:
        channel_addresses.prompted(session=session, conversation_id="c1", text="Lupus?", buttons=buttons)
    with session_scope(engine) as session:
        row = channel_addresses.find(session=session, conversation_id="c1")
        assert row is not None and row.last_prompt == {"text": "Lupus?", "buttons": buttons}
        channel_addresses.prompted(session=session, conversation_id="c1", text="How old are you?", buttons=[])
    with session_scope(engine) as session:
        row = channel_addresses.find(session=session, conversation_id="c1")
        assert row is not None and row.last_prompt == {"text": "How old are you?", "buttons": []}
