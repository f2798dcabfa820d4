"""The coordinators' queue of handoffs and what they do with one. ``*, session``; never commits.

Statuses: ``open`` (nobody has it), ``claimed`` (a coordinator has it), ``waiting`` (the
coordinator wrote to the patient and waits for an answer), ``resolved``. Every change is
audited with who did it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from store import records
from store.models import AuditEvent, Handoff, HandoffNote, Screening, utcnow
from store.records import audit

STATUSES = ("open", "claimed", "waiting", "resolved")
# How a coordinator may close a handoff without the bot finishing the screening.
OUTCOMES = {
    "eligible_site_visit": "Eligible for a site visit",
    "not_eligible": "Not eligible",
    "patient_withdrew": "Patient withdrew",
    "no_response": "No response from the patient",
    "duplicate": "Duplicate",
    "other": "Other (see notes)",
}
MAX_NOTE_CHARS = 4000


class HandoffError(Exception):
    """A coordinator's action that does not fit the handoff's state (the message says why)."""


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows: one status (or every one not resolved), a cohort, a reason, an order."""

    status: str | None = None  # None: open, claimed and waiting
    cohort: str | None = None
    reason: str | None = None
    order: Literal["oldest", "newest"] = "oldest"


def queue(*, session: Session, where: QueueFilter, limit: int = 200) -> list[Handoff]:
    """The handoffs matching ``where``, oldest-waiting (or newest) first, with their screenings."""
    query = select(Handoff).join(Screening).options(joinedload(Handoff.screening))
    shown = Handoff.status == where.status if where.status else Handoff.status != "resolved"
    query = query.where(shown)
    if where.cohort:
        query = query.where(Screening.cohort == where.cohort)
    if where.reason:
        query = query.where(Handoff.reason == where.reason)
    created = Handoff.created_at.desc() if where.order == "newest" else Handoff.created_at.asc()
    return list(session.execute(query.order_by(created, Handoff.id).limit(limit)).scalars())


def counts(*, session: Session) -> dict[str, int]:
    """How many handoffs are in each status (every status present, zero included)."""
    rows = session.execute(select(Handoff.status, func.count()).group_by(Handoff.status)).all()
    found = {status: 0 for status in STATUSES}
    found.update({status: int(count) for status, count in rows})
    return found


def fingerprint(*, session: Session) -> str:
    """Changes whenever the queue does (a new handoff, a status change): the inbox's ETag."""
    count, newest = session.execute(select(func.count(), func.max(Handoff.updated_at))).one()
    return f"{count}-{newest.timestamp() if newest else 0}"


def find_handoff(*, session: Session, handoff_id: str) -> Handoff | None:
    """A handoff by id, with its screening."""
    found: Handoff | None = session.get(Handoff, handoff_id, options=[joinedload(Handoff.screening)])
    return found


def _move(session: Session, handoff: Handoff, status: str, actor: str, outcome: str | None = None) -> None:
    records.set_handoff_status(session=session, handoff=handoff, status=status, actor=actor, outcome=outcome)


def _check_open(handoff: Handoff) -> None:
    if handoff.status == "resolved":
        raise HandoffError("This handoff is already resolved.")


def claim(*, session: Session, handoff: Handoff, username: str) -> None:
    """Take a handoff. Taking one someone else holds is refused."""
    _check_open(handoff)
    if handoff.assignee and handoff.assignee != username:
        raise HandoffError(f"{handoff.assignee} has already claimed this handoff.")
    if handoff.assignee == username:
        return
    handoff.assignee = username
    handoff.claimed_at = utcnow()
    _move(session, handoff, "claimed", f"coordinator:{username}")


def unclaim(*, session: Session, handoff: Handoff, username: str, admin: bool = False) -> None:
    """Give a handoff back to the queue (its holder, or an admin)."""
    _check_open(handoff)
    if handoff.assignee != username and not admin:
        raise HandoffError("Only the coordinator who claimed it (or an admin) can give it back.")
    handoff.assignee = None
    handoff.claimed_at = None
    _move(session, handoff, "open", f"coordinator:{username}")


def hold(*, session: Session, handoff: Handoff, username: str, admin: bool = False) -> None:
    """Make sure the acting coordinator holds the handoff: claim it if nobody does."""
    _check_open(handoff)
    if handoff.assignee is None:
        claim(session=session, handoff=handoff, username=username)
    elif handoff.assignee != username and not admin:
        raise HandoffError(f"{handoff.assignee} has claimed this handoff.")


def replied(*, session: Session, handoff: Handoff, username: str, at: datetime | None = None) -> None:
    """The coordinator wrote to the patient: now waiting for the patient (the text is in the transcript)."""
    handoff.replied_at = at or utcnow()
    audit_action(session=session, handoff=handoff, username=username, action="handoff.replied")
    if handoff.status != "waiting":
        _move(session, handoff, "waiting", f"coordinator:{username}")


def resolve(*, session: Session, handoff: Handoff, username: str, outcome: str) -> None:
    """Close a handoff with an outcome (``OUTCOMES``, or ``resumed`` when the bot carries on)."""
    _check_open(handoff)
    if outcome not in OUTCOMES and outcome != "resumed":
        raise HandoffError("Choose an outcome.")
    handoff.resolved_at = utcnow()
    _move(session, handoff, "resolved", f"coordinator:{username}", outcome=outcome)


def add_note(*, session: Session, handoff: Handoff, username: str, text: str) -> HandoffNote:
    """An internal note (not shown to the patient); its text is not copied to the audit log."""
    text = text.strip()
    if not text:
        raise HandoffError("A note needs some text.")
    if len(text) > MAX_NOTE_CHARS:
        raise HandoffError(f"A note can be at most {MAX_NOTE_CHARS} characters.")
    note = HandoffNote(handoff_id=handoff.id, author=username, text=text)
    session.add(note)
    session.flush()
    audit_action(
        session=session, handoff=handoff, username=username, action="handoff.note", detail={"note_id": note.id}
    )
    return note


def audit_action(
    *, session: Session, handoff: Handoff, username: str, action: str, detail: dict[str, object] | None = None
) -> None:
    """What a coordinator did (replied, settled an answer, resumed the bot), on the handoff's record."""
    handoff.updated_at = utcnow()  # the queue's ETag moves
    audit(
        session=session,
        actor=f"coordinator:{username}",
        action=action,
        screening_id=handoff.screening_id,
        handoff_id=handoff.id,
        detail=detail,
    )


def audit_view(*, session: Session, handoff: Handoff, username: str) -> None:
    """A coordinator opened a handoff (reading patient data is audited too)."""
    audit(
        session=session,
        actor=f"coordinator:{username}",
        action="handoff.viewed",
        screening_id=handoff.screening_id,
        handoff_id=handoff.id,
    )  # not audit_action: a view must not move the queue's ETag


def audit_trail(
    *, session: Session, handoff_id: str | None = None, limit: int = 200, before: int | None = None
) -> list[AuditEvent]:
    """The audit log, newest first: all of it, or one handoff's; ``before`` an id pages back."""
    query = select(AuditEvent)
    if handoff_id is not None:
        query = query.where(AuditEvent.handoff_id == handoff_id)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    return list(session.execute(query.order_by(AuditEvent.id.desc()).limit(limit)).scalars())
