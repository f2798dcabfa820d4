"""What the inbox's pages show, assembled from the store (no web framework here).

The criteria table is evaluated afresh from the stored answers, so it is the screening as it
stands now, including answers a coordinator settled, not only the snapshot taken at handoff.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from criteria import CriterionResult, FactError, State, evaluate, load_trial, make_fact
from criteria.values import Fact
from inbox import fields, messages
from inbox.plain import NOT_STATED, plain
from store import channel_addresses, handoffs, records
from store.models import Answer, Handoff, Screening
from store.transcript import Message, last_patient_messages, transcript

# How many of the latest resolved handoffs the default queue checks for a patient who wrote again.
REOPEN_LOOKBACK = 100


@dataclass(frozen=True)
class FactRow:
    """One answer behind a criterion, or a question it waits on that the patient has not answered."""

    id: str
    question: str
    value: str
    said: str | None = None
    set_by: str = ""
    confidence: float = 1.0
    at: datetime | None = None
    stated: bool = True  # False: "not stated", nobody set it


@dataclass(frozen=True)
class CriterionRow:
    """One criterion: its state now, in plain words, with its source sentence and answers."""

    id: str
    kind: str
    state: str
    state_label: str
    plain: str
    source: str
    reason: str
    unknown: str | None = None  # why unknown: not_asked, unsure, conflict, low_confidence, judgement
    facts: list[FactRow] = field(default_factory=list)


@dataclass(frozen=True)
class QueueItem:
    """One row of the queue."""

    handoff: Handoff
    reason: str
    status: str
    cohort: str
    patient_replied: bool  # the patient wrote after the coordinator's last message


def queue_items(*, session: Session, where: handoffs.QueueFilter) -> list[QueueItem]:
    """The queue's rows, each with its labels and whether the patient has written since.

    The default queue (everything not resolved) also shows a resolved handoff whose patient
    wrote after it was resolved: the bot stays paused then, so nobody else would answer.
    """
    found = handoffs.queue(session=session, where=where)
    if where.status is None:
        found += handoffs.queue(
            session=session, where=replace(where, status="resolved", order="newest"), limit=REOPEN_LOOKBACK
        )
    latest = last_patient_messages(session=session, conversation_ids={h.conversation_id for h in found})
    items = []
    for handoff in found:
        wrote = latest.get(handoff.conversation_id)
        since = handoff.resolved_at if handoff.status == "resolved" else handoff.replied_at
        replied = handoff.status in {"waiting", "resolved"} and wrote is not None and (since is None or wrote > since)
        if handoff.status == "resolved" and where.status is None and not replied:
            continue
        items.append(
            QueueItem(
                handoff=handoff,
                reason=messages.REASONS.get(handoff.reason, handoff.reason),
                status=messages.STATUSES.get(handoff.status, handoff.status),
                cohort=handoff.screening.cohort or "",
                patient_replied=replied,
            )
        )
    return items


def _facts(trial_id: str, answers: dict[str, Answer], today: Any) -> dict[str, Fact]:
    trial = load_trial(trial_id)
    facts: dict[str, Fact] = {}
    for fact_id, answer in answers.items():
        if fact_id not in trial.facts:
            continue
        try:
            facts[fact_id] = make_fact(
                trial.facts[fact_id],
                answer.value,
                today=today,
                lexicon=trial.lexicon,
                said=answer.raw_text,
                confidence=answer.confidence,
                conflicting=bool(answer.conflicting),
                set_by=answer.set_by,
            )
        except FactError:
            continue  # an answer stored under an older trial file: shown, not evaluated
    return facts


def handoff_page(
    *,
    session: Session,
    handoff: Handoff,
    settle: str | None = None,
    draft: Mapping[str, str] | None = None,
    invalid: str | None = None,
) -> dict[str, Any]:
    """Everything the conversation view shows for one handoff.

    Args:
        session: the database session.
        handoff: the handoff shown.
        settle: the question whose settle form is shown (default: the one handed off).
        draft: the settle form's fields as entered, when they were refused (default: the
            stored answer's).
        invalid: the settle field a refusal is about.
    """
    screening = handoff.screening
    trial = load_trial(screening.trial_id)
    today = screening.screening_date.date()
    answers = records.current_answers(session=session, screening_id=screening.id)
    result = evaluate(trial, _facts(trial.id, answers, today), today)
    rows = []
    for criterion in result.criteria:
        definition = trial.criterion(criterion.id)
        rows.append(
            CriterionRow(
                id=criterion.id,
                kind=criterion.kind,
                state=criterion.state.value,
                state_label=messages.CRITERION_STATES.get(criterion.state.value, criterion.state.value),
                plain=definition.plain,
                source=definition.source.text,
                reason=criterion.reason,
                unknown=criterion.unknown.value if criterion.unknown else None,
                facts=[
                    FactRow(
                        id=fact_id,
                        question=trial.facts[fact_id].question,
                        value=plain(trial.facts[fact_id], answers[fact_id].value, trial.lexicon, today=today),
                        said=answers[fact_id].raw_text,
                        set_by=answers[fact_id].set_by,
                        confidence=answers[fact_id].confidence,
                        at=answers[fact_id].created_at,
                    )
                    if fact_id in answers
                    else FactRow(id=fact_id, question=trial.facts[fact_id].question, value=NOT_STATED, stated=False)
                    for fact_id in _shown_facts(trial.facts_of(definition), answers, criterion)
                    if fact_id in trial.facts
                ],
            )
        )
    groups = _grouped(rows, {c.id for c in trial.criteria if handoff.fact_id in trial.facts_of(c)})
    questions = [{"id": fact.id, "question": fact.question} for fact in trial.facts.values()]
    chosen = next((f for f in (settle, handoff.fact_id) if f is not None and f in trial.facts), None)
    settle_form = None
    if chosen is not None:
        fact, answer = trial.facts[chosen], answers.get(chosen)
        values = draft if draft is not None else fields.from_raw(fact, answer.value, trial.lexicon) if answer else {}
        settle_form = fields.settle_form(
            fact,
            trial.lexicon,
            today=today,
            values=values,
            current=plain(fact, answer.value, trial.lexicon, today=today) if answer else None,
            current_by=answer.set_by if answer else None,
            invalid=invalid,
        )
    return {
        "handoff": handoff,
        "screening": screening,
        "reason": messages.REASONS.get(handoff.reason, handoff.reason),
        "status": messages.STATUSES.get(handoff.status, handoff.status),
        "asked": trial.facts[handoff.fact_id].question if handoff.fact_id in trial.facts else None,
        "verdict": messages.VERDICTS.get(result.status.value, result.status.value),
        "verdict_reasons": list(result.reasons),
        "site_to_verify": list(result.site_to_verify),
        "criteria": rows,
        "criteria_groups": groups,
        "questions": questions,
        "settle": settle_form,
        "transcript": transcript(session=session, conversation_id=handoff.conversation_id),
        "notes": list(handoff.notes),
        "trail": handoffs.audit_trail(session=session, handoff_id=handoff.id, limit=50),
        "outcomes": handoffs.OUTCOMES,
        "opted_out_at": channel_addresses.opted_out(session=session, conversation_id=handoff.conversation_id),
    }


def _shown_facts(needed: tuple[str, ...], answers: Mapping[str, Answer], criterion: CriterionResult) -> list[str]:
    """The facts a criterion row shows: its answers, and for an unknown one what it waits on, not stated yet.

    Only an unknown criterion shows questions not answered: a met or not met one was decided
    by what was said, and listing its unasked follow-ups would read as if they had counted.
    """
    shown = {fact_id for fact_id in needed if fact_id in answers}
    if criterion.state is State.UNKNOWN:
        shown |= {fact_id for fact_id in criterion.ask if fact_id not in answers}
    return sorted(shown)


def _grouped(rows: list[CriterionRow], asked: set[str]) -> list[dict[str, Any]]:
    """The criteria in groups, what needs a decision first: not met, or an answer a person must settle."""

    def needs_attention(row: CriterionRow) -> bool:
        settle = row.unknown not in (None, "not_asked") or row.id in asked
        return row.state == "not_met" or (row.state == "unknown" and settle)

    groups = [
        ("Needs attention", True, needs_attention),
        ("Met", True, lambda r: r.state == "met"),
        ("The site will check", False, lambda r: r.state == "site_verifies"),
        ("Not asked yet", False, lambda r: r.state == "unknown" and not needs_attention(r)),
        ("Other cohorts", False, lambda r: r.state == "not_applicable"),
    ]
    found = [
        {"title": title, "open": shown, "rows": [r for r in rows if belongs(r)]} for title, shown, belongs in groups
    ]
    return [group for group in found if group["rows"]]


def live_part(*, session: Session, handoff: Handoff) -> tuple[list[Message], str]:
    """The transcript and status, for the view's live refresh."""
    return (
        transcript(session=session, conversation_id=handoff.conversation_id),
        messages.STATUSES.get(handoff.status, handoff.status),
    )


@dataclass(frozen=True)
class RecontactItem:
    """A screening whose verdict is "not yet": when, who, and why, for the site's recontact list."""

    screening: Screening
    cohort: str
    contact_given: bool
    reasons: tuple[str, ...]


def recontact_items(*, session: Session) -> list[RecontactItem]:
    """Patients who may qualify later, the soonest first, with their reasons."""
    items = []
    for screening in records.to_recontact(session=session):
        result = records.latest_result(session=session, screening_id=screening.id)
        items.append(
            RecontactItem(
                screening=screening,
                cohort=screening.cohort or "",
                contact_given=records.has_contact(session=session, screening_id=screening.id),
                reasons=tuple(result.reasons) if result else (),
            )
        )
    return items
