"""The database schema: screenings, answers, results, handoffs, contacts and the audit log.

The coordinators of the inbox have their own tables: accounts, login sessions, notes.

Written for SQLAlchemy 1.4 (Rasa's pin) in the 2.0 style; JSON columns hold criteria
snapshots and typed values, so the schema does not change when a trial does. Rasa's own
tracker store keeps its ``events`` table in the same database.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Column, Date, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

# Every constraint gets a predictable name on every backend, so a later migration can drop
# or alter it by name (SQLite would otherwise leave foreign keys unnamed).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

if TYPE_CHECKING:  # SQLAlchemy 1.4 has no types: describe the declarative base to the type checker

    class Base:
        """The declarative base: mapped classes take their columns as keyword arguments."""

        metadata: MetaData

        def __init__(self, **kwargs: Any) -> None: ...

else:
    Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def utcnow() -> datetime:
    """Timezone-aware now, for defaults."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):  # type: ignore[misc,unused-ignore]  # untyped in SQLAlchemy 1.4
    """``TIMESTAMP WITH TIME ZONE`` that reads back as an aware UTC datetime on every backend.

    SQLite keeps no zone (it would hand back naive datetimes) and PostgreSQL answers in the
    session's zone; both come back as UTC here. Naive datetimes are refused on the way in,
    since their meaning would depend on the backend.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        """Store in UTC; refuse naive datetimes."""
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"expected a timezone-aware datetime, got {value!r}")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read as aware UTC (SQLite's values were stored in UTC without a zone)."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def new_id() -> str:
    """A random id that leaks nothing (no counts, no times)."""
    return uuid.uuid4().hex


class Screening(Base):
    """One patient's pre-screen in one conversation."""

    __tablename__ = "screenings"

    id = Column(String(32), primary_key=True, default=new_id)
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(64), nullable=False)
    trial_id = Column(String(32), nullable=False)
    screening_date = Column(UTCDateTime(), nullable=False, default=utcnow)
    # consented / declined / in_progress / handoff / completed / withdrawn / expired (not resumed in time)
    state = Column(String(32), nullable=False, default="in_progress")
    consent_at = Column(UTCDateTime())
    cohort = Column(String(32))
    # "Not yet": the day the last waiting period ends, so the site can recontact the patient
    # (set from the current verdict; None when the verdict is not "not yet").
    recontact_after = Column(Date, index=True)
    created_at = Column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)

    # Deleting a screening deletes its rows: the ORM deletes the children it has loaded and
    # leaves the rest to ON DELETE CASCADE (without this it would set screening_id to NULL).
    answers = relationship(
        "Answer", back_populates="screening", order_by="Answer.id", cascade="all, delete-orphan", passive_deletes=True
    )
    results = relationship(
        "ScreeningResult",
        back_populates="screening",
        order_by="ScreeningResult.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    handoffs = relationship(
        "Handoff",
        back_populates="screening",
        order_by="Handoff.created_at",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Answer(Base):
    """One answer to one question; a changed answer is a new row, so history is kept."""

    __tablename__ = "answers"

    id = Column(Integer, primary_key=True, autoincrement=True)
    screening_id = Column(String(32), ForeignKey("screenings.id", ondelete="CASCADE"), nullable=False)
    fact_id = Column(String(64), nullable=False)
    criteria = Column(JSON, nullable=False, default=list)  # ids of the criteria that read this fact
    raw_text = Column(Text)  # the patient's own words
    value = Column(JSON)  # the typed value in its structured form (criteria.coerce accepts it back)
    confidence = Column(Float, nullable=False, default=1.0)
    conflicting = Column(Integer, nullable=False, default=0)
    set_by = Column(String(64), nullable=False, default="patient")
    created_at = Column(UTCDateTime(), nullable=False, default=utcnow)

    screening = relationship("Screening", back_populates="answers")

    __table_args__ = (Index("ix_answers_screening_fact", "screening_id", "fact_id"),)


class ScreeningResult(Base):
    """A verdict of the evaluator; the last one is the current verdict."""

    __tablename__ = "results"

    id = Column(Integer, primary_key=True, autoincrement=True)
    screening_id = Column(String(32), ForeignKey("screenings.id", ondelete="CASCADE"), nullable=False, index=True)
    status = Column(String(32), nullable=False)
    reasons = Column(JSON, nullable=False, default=list)
    site_to_verify = Column(JSON, nullable=False, default=list)
    criteria = Column(JSON, nullable=False, default=list)  # per-criterion state snapshot
    recontact_after = Column(Date)  # for "not_yet": from when the patient may qualify
    created_at = Column(UTCDateTime(), nullable=False, default=utcnow)

    screening = relationship("Screening", back_populates="results")


class Handoff(Base):
    """A conversation handed to a study coordinator."""

    __tablename__ = "handoffs"

    id = Column(String(32), primary_key=True, default=new_id)
    screening_id = Column(String(32), ForeignKey("screenings.id", ondelete="CASCADE"), nullable=False, index=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(64), nullable=False)
    reason = Column(String(64), nullable=False)  # a stable reason code, see actions.handoff
    fact_id = Column(String(64))  # the question being answered, if any
    message = Column(Text)  # the patient's message that caused it
    criteria_snapshot = Column(JSON, nullable=False, default=list)
    status = Column(String(16), nullable=False, default="open", index=True)  # open/claimed/waiting/resolved
    assignee = Column(String(255))
    outcome = Column(String(64))
    created_at = Column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)
    claimed_at = Column(UTCDateTime())
    replied_at = Column(UTCDateTime())  # the coordinator's last message to the patient
    resolved_at = Column(UTCDateTime())

    screening = relationship("Screening", back_populates="handoffs")
    notes = relationship(
        "HandoffNote", back_populates="handoff", order_by="HandoffNote.id", cascade="all, delete-orphan",
        passive_deletes=True,
    )  # fmt: skip


class HandoffNote(Base):
    """A coordinators' internal note on a handoff; never shown to the patient."""

    __tablename__ = "handoff_notes"

    id = Column(Integer, primary_key=True, autoincrement=True)
    handoff_id = Column(String(32), ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True)
    author = Column(String(64), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(UTCDateTime(), nullable=False, default=utcnow)

    handoff = relationship("Handoff", back_populates="notes")


class Coordinator(Base):
    """A person who logs in to the inbox: a study coordinator or an admin."""

    __tablename__ = "coordinators"

    id = Column(String(32), primary_key=True, default=new_id)
    username = Column(String(64), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)  # argon2id, with its parameters and salt
    role = Column(String(16), nullable=False, default="coordinator")  # coordinator / admin
    active = Column(Integer, nullable=False, default=1)
    failed_logins = Column(Integer, nullable=False, default=0)  # in a row, reset by a good login
    locked_until = Column(UTCDateTime())
    created_at = Column(UTCDateTime(), nullable=False, default=utcnow)
    last_login_at = Column(UTCDateTime())


class LoginSession(Base):
    """A coordinator's signed-in browser. Only a hash of the cookie's token is kept."""

    __tablename__ = "login_sessions"

    id = Column(String(64), primary_key=True)  # sha256 of the cookie token
    coordinator_id = Column(String(32), ForeignKey("coordinators.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime(), nullable=False, default=utcnow)
    expires_at = Column(UTCDateTime(), nullable=False)  # absolute end
    last_seen_at = Column(UTCDateTime(), nullable=False, default=utcnow)  # for the idle timeout

    coordinator = relationship("Coordinator")


class Contact(Base):
    """How a patient agreed to be contacted; the only identifying data kept."""

    __tablename__ = "contacts"

    id = Column(Integer, primary_key=True, autoincrement=True)
    screening_id = Column(String(32), ForeignKey("screenings.id", ondelete="CASCADE"), nullable=False, index=True)
    method = Column(String(16), nullable=False)  # phone / email
    value = Column(String(320), nullable=False)
    best_time = Column(String(255))
    consent_at = Column(UTCDateTime(), nullable=False, default=utcnow)


class AuditEvent(Base):
    """Who did what, when. Details never hold free text typed by a patient."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(UTCDateTime(), nullable=False, default=utcnow, index=True)
    actor = Column(String(255), nullable=False)  # "bot", "patient", "coordinator:<name>"
    action = Column(String(64), nullable=False)
    screening_id = Column(String(32), index=True)
    handoff_id = Column(String(32), index=True)
    detail = Column(JSON, nullable=False, default=dict)


class ChannelAddress(Base):
    """Where a messaging-app patient is reached (SMS, WhatsApp, Telegram), and whether they may be.

    The conversation id is a keyed hash of the sender (``channels.identity``); the address
    itself is stored only encrypted (``sealed_address``), for sending the bot's and the
    coordinators' messages. ``last_prompt`` is the last message sent (its text and its
    choices), so a reply of "2" can be read as the second choice and START can repeat the
    question.
    """

    __tablename__ = "channel_addresses"

    conversation_id = Column(String(64), primary_key=True)
    channel = Column(String(32), nullable=False)
    sealed_address = Column(Text, nullable=False)
    opted_out_at = Column(UTCDateTime())  # STOP (or the patient blocked the bot): send nothing
    last_prompt = Column(JSON)  # {"text": str, "buttons": [{"title": str, "payload": str}, ...]}
    created_at = Column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)
