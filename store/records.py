"""Reading and writing screenings. Every function takes ``*, session`` and never commits.

The caller owns the transaction, so one patient turn (an answer, its verdict and its audit
line) lands together or not at all.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypedDict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import Answer, AuditEvent, Contact, Handoff, Screening, ScreeningResult, utcnow


class _ResultFields(TypedDict):
    status: str
    reasons: list[str]
    site_to_verify: list[str]
    criteria: list[dict[str, Any]]


class ResultRecord(_ResultFields, total=False):
    """The verdict as stored (the wire shape of ``criteria.Result``)."""

    recontact_after: date | None


def start_screening(
    *, session: Session, conversation_id: str, channel: str, trial_id: str, screening_date: datetime | None = None
) -> Screening:
    """A new screening for a conversation."""
    screening = Screening(
        conversation_id=conversation_id,
        channel=channel,
        trial_id=trial_id,
        screening_date=screening_date or utcnow(),
    )
    session.add(screening)
    session.flush()
    audit(session=session, actor="bot", action="screening.started", screening_id=screening.id)
    return screening


def find_screening(*, session: Session, screening_id: str) -> Screening | None:
    """A screening by id."""
    screening: Screening | None = session.get(Screening, screening_id)
    return screening


def latest_screening(*, session: Session, conversation_id: str) -> Screening | None:
    """The newest screening of a conversation, if any."""
    query = (
        select(Screening)
        .where(Screening.conversation_id == conversation_id)
        .order_by(Screening.created_at.desc(), Screening.id.desc())
        .limit(1)
    )
    screening: Screening | None = session.execute(query).scalars().first()
    return screening


def last_activity(*, session: Session, screening: Screening) -> datetime:
    """When the screening last changed: its own row, or its newest answer."""
    newest_answer = session.execute(
        select(func.max(Answer.created_at)).where(Answer.screening_id == screening.id)
    ).scalar()
    moments: list[datetime] = [moment for moment in (screening.updated_at, newest_answer) if moment is not None]
    return max(moments)


def set_state(*, session: Session, screening: Screening, state: str, actor: str = "bot") -> None:
    """Move a screening to a new state (consented, declined, handoff, completed, ...)."""
    previous = screening.state
    screening.state = state
    if state == "consented":
        screening.consent_at = utcnow()
    session.flush()
    audit(
        session=session,
        actor=actor,
        action="screening.state",
        screening_id=screening.id,
        detail={"from": previous, "to": state},
    )


def record_answer(
    *,
    session: Session,
    screening_id: str,
    fact_id: str,
    value: Any,
    raw_text: str | None,
    criteria: list[str],
    confidence: float = 1.0,
    conflicting: bool = False,
    set_by: str = "patient",
) -> Answer:
    """Store one answer; an answer to the same question again is a new row (history kept).

    Takes the screening's id, not the row: a patient's turn stores its answer without reading
    the screening first. An unknown id fails on the foreign key (``IntegrityError``).
    """
    answer = Answer(
        screening_id=screening_id,
        fact_id=fact_id,
        value=value,
        raw_text=raw_text,
        criteria=criteria,
        confidence=confidence,
        conflicting=int(conflicting),
        set_by=set_by,
    )
    session.add(answer)
    session.flush()
    audit(
        session=session,
        actor=set_by,
        action="answer.recorded",
        screening_id=screening_id,
        detail={"fact": fact_id, "answer_id": answer.id},
    )
    return answer


def current_answers(*, session: Session, screening_id: str) -> dict[str, Answer]:
    """The latest answer to each question of a screening."""
    rows = session.execute(select(Answer).where(Answer.screening_id == screening_id).order_by(Answer.id)).scalars()
    return {row.fact_id: row for row in rows}


def record_result(*, session: Session, screening: Screening, result: ResultRecord) -> ScreeningResult:
    """Store a verdict of the evaluator; a "not yet" one also dates the screening's recontact."""
    recontact = result.get("recontact_after") if result["status"] == "not_yet" else None
    row = ScreeningResult(
        screening_id=screening.id,
        status=result["status"],
        reasons=list(result["reasons"]),
        site_to_verify=list(result["site_to_verify"]),
        criteria=list(result["criteria"]),
        recontact_after=recontact,
    )
    screening.recontact_after = recontact
    session.add(row)
    session.flush()
    return row


def latest_result(*, session: Session, screening_id: str) -> ScreeningResult | None:
    """The current verdict of a screening."""
    query = (
        select(ScreeningResult)
        .where(ScreeningResult.screening_id == screening_id)
        .order_by(ScreeningResult.id.desc())
        .limit(1)
    )
    result: ScreeningResult | None = session.execute(query).scalars().first()
    return result


def open_handoff(
    *,
    session: Session,
    screening: Screening,
    reason: str,
    message: str | None,
    fact_id: str | None,
    snapshot: list[dict[str, Any]],
) -> Handoff:
    """Hand a conversation to the coordinators; one open handoff per screening is reused."""
    existing: Handoff | None = (
        session.execute(select(Handoff).where(Handoff.screening_id == screening.id, Handoff.status != "resolved"))
        .scalars()
        .first()
    )
    if existing is not None:
        audit(
            session=session,
            actor="bot",
            action="handoff.repeated",
            screening_id=screening.id,
            handoff_id=existing.id,
            detail={"reason": reason, "fact": fact_id},
        )
        return existing
    handoff = Handoff(
        screening_id=screening.id,
        conversation_id=screening.conversation_id,
        channel=screening.channel,
        reason=reason,
        fact_id=fact_id,
        message=message,
        criteria_snapshot=snapshot,
    )
    session.add(handoff)
    session.flush()
    audit(
        session=session,
        actor="bot",
        action="handoff.opened",
        screening_id=screening.id,
        handoff_id=handoff.id,
        detail={"reason": reason, "fact": fact_id},
    )
    return handoff


def open_handoffs(*, session: Session) -> list[Handoff]:
    """Handoffs not yet resolved, oldest first."""
    query = select(Handoff).where(Handoff.status != "resolved").order_by(Handoff.created_at)
    return list(session.execute(query).scalars())


def set_handoff_status(
    *, session: Session, handoff: Handoff, status: str, actor: str, outcome: str | None = None
) -> None:
    """Move a handoff (open, claimed, waiting, resolved), audited."""
    previous = handoff.status
    handoff.status = status
    if outcome is not None:
        handoff.outcome = outcome
    session.flush()
    audit(
        session=session,
        actor=actor,
        action="handoff.status",
        screening_id=handoff.screening_id,
        handoff_id=handoff.id,
        detail={"from": previous, "to": status, "outcome": outcome},
    )


def save_contact(*, session: Session, screening: Screening, method: str, value: str, best_time: str | None) -> Contact:
    """Store how the patient agreed to be contacted."""
    contact = Contact(screening_id=screening.id, method=method, value=value, best_time=best_time)
    session.add(contact)
    session.flush()
    audit(
        session=session, actor="patient", action="contact.saved", screening_id=screening.id, detail={"method": method}
    )
    return contact


def audit(
    *,
    session: Session,
    actor: str,
    action: str,
    screening_id: str | None = None,
    handoff_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append to the audit log. ``detail`` holds ids and codes, never a patient's free text."""
    event = AuditEvent(
        actor=actor, action=action, screening_id=screening_id, handoff_id=handoff_id, detail=detail or {}
    )
    session.add(event)
    return event


def to_recontact(*, session: Session, limit: int = 200) -> list[Screening]:
    """Screenings whose current verdict is "not yet", the soonest recontact first."""
    query = (
        select(Screening)
        .where(Screening.recontact_after.is_not(None), Screening.state != "withdrawn")
        .order_by(Screening.recontact_after, Screening.id)
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def has_contact(*, session: Session, screening_id: str) -> bool:
    """Whether the patient left contact details in this screening."""
    found = session.execute(select(Contact.id).where(Contact.screening_id == screening_id).limit(1)).first()
    return found is not None
