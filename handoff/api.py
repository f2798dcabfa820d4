"""What a coordinator does to a handed-off conversation through Rasa's HTTP API.

Reply to the patient, settle an answer, resume the bot (which then asks its next question
itself).

Rasa 3.6 facts this relies on: a paused conversation still logs patient messages but the bot
does not answer; ``{"event": "resume"}`` lets it answer again but it would wait for the
patient, so the resume is followed by ``trigger_intent`` (``EXTERNAL_resume``), whose rule
re-opens the screening form, which asks the planner's next question at once.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import select

from answers import AnswerSlot, slot_value
from criteria import load_trial, make_fact, structured
from handoff import rasa_api
from settings import get_settings
from store import handoffs, records
from store.db import engine_for, session_scope
from store.models import Handoff

RESUME_INTENT = "EXTERNAL_resume"


class ResumeError(Exception):
    """The conversation could not be resumed (the message says why)."""


@dataclass(frozen=True)
class Resumed:
    """What the bot said when it continued."""

    messages: list[dict[str, Any]]


def _call(method: str, path: str, body: Any | None = None) -> Any:
    try:
        return rasa_api.call(method, path, body)
    except rasa_api.RasaApiError as error:
        raise ResumeError(str(error)) from error


def settle(
    conversation_id: str, *, coordinator: str, fact_id: str, value: object, note: str | None = None
) -> AnswerSlot:
    """Put a coordinator's answer to one question into the conversation and the store.

    Args:
        conversation_id: the patient's conversation (Rasa sender id).
        coordinator: who settles it, for the audit log.
        fact_id: the question whose answer the coordinator settles.
        value: the answer in the structured form ``criteria.coerce`` accepts (checked here).
        note: the coordinator's note, kept as the answer's "said" text.

    Returns:
        The slot value set (structured value, note, who set it).

    Raises:
        ResumeError: unknown conversation or question, or Rasa unreachable.
        FactError: a value that does not fit the question.
    """
    quoted = urllib.parse.quote(conversation_id, safe="")
    slots = (_call("GET", f"/conversations/{quoted}/tracker?include_events=NONE") or {}).get("slots") or {}
    trial = load_trial(get_settings().trial_id)
    if fact_id not in trial.facts:
        raise ResumeError(f"{fact_id!r} is not a question of {trial.id}")
    said_on = slots.get("screening_date")
    today = date.fromisoformat(said_on) if said_on else datetime.now(timezone.utc).date()
    fact = make_fact(trial.facts[fact_id], value, today=today, lexicon=trial.lexicon)  # raises FactError
    settled = slot_value(structured(fact.value), said=note, set_by=f"coordinator:{coordinator}")
    _call(
        "POST",
        f"/conversations/{quoted}/tracker/events?include_events=NONE",
        [{"event": "slot", "name": fact_id, "value": settled}],
    )
    _record(slots.get("screening_id"), fact_id, settled, coordinator)
    return settled


def reply(conversation_id: str, *, coordinator: str, text: str) -> None:
    """Send a coordinator's message to the patient through the patient's own channel.

    Rasa records it as a bot message (metadata: the coordinator's name) and, with
    ``execute_side_effects``, pushes it through the channel the patient last wrote on (the
    socket.io widget, SMS, Telegram). The REST channel cannot push: there it is only recorded.
    """
    quoted = urllib.parse.quote(conversation_id, safe="")
    _call(
        "POST",
        f"/conversations/{quoted}/tracker/events?execute_side_effects=true&output_channel=latest&include_events=NONE",
        [{"event": "bot", "text": text, "metadata": {"coordinator": coordinator}}],
    )


def resume(
    conversation_id: str,
    *,
    coordinator: str,
    fact_id: str | None = None,
    value: object = None,
    note: str | None = None,
) -> Resumed:
    """Settle one answer (optional), resume the bot and let it ask its next question.

    Raises:
        ResumeError: unknown conversation, or Rasa unreachable.
        FactError: a value that does not fit the question.
    """
    quoted = urllib.parse.quote(conversation_id, safe="")
    if fact_id is not None:
        settle(conversation_id, coordinator=coordinator, fact_id=fact_id, value=value, note=note)
    else:
        _call("GET", f"/conversations/{quoted}/tracker?include_events=NONE")  # unknown conversation: ResumeError
    events: list[dict[str, Any]] = [
        {"event": "slot", "name": "handoff_reason", "value": None},
        {"event": "slot", "name": "outcome", "value": None},
        {"event": "slot", "name": "reask_count", "value": 0},
        {"event": "resume"},
        # A paused bot stops right after action_pause; the resume rule starts from a listen.
        {"event": "action", "name": "action_listen"},
    ]
    _call("POST", f"/conversations/{quoted}/tracker/events?include_events=NONE", events)
    answer = _call(
        "POST",
        f"/conversations/{quoted}/trigger_intent?output_channel=latest&include_events=NONE",
        {"name": RESUME_INTENT, "entities": {}},
    )
    _close_handoffs(conversation_id, coordinator)
    return Resumed(messages=list((answer or {}).get("messages") or []))


def _record(screening_id: str | None, fact_id: str, settled: AnswerSlot, coordinator: str) -> None:
    if not screening_id:
        return
    trial = load_trial(get_settings().trial_id)
    readers = trial.readers_of(fact_id)
    with session_scope(engine_for(get_settings().db_url)) as session:
        if records.find_screening(session=session, screening_id=screening_id) is not None:
            records.record_answer(
                session=session,
                screening_id=screening_id,
                fact_id=fact_id,
                value=settled["value"],
                raw_text=settled["said"],
                criteria=readers,
                set_by=settled["set_by"],
            )


def _close_handoffs(conversation_id: str, coordinator: str) -> None:
    """The coordinator settled it: the handoff is resolved and the screening goes on."""
    with session_scope(engine_for(get_settings().db_url)) as session:
        for handoff in session.execute(
            select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.status != "resolved")
        ).scalars():
            handoffs.resolve(session=session, handoff=handoff, username=coordinator, outcome="resumed")
        for screening_row in session.execute(
            select(Handoff.screening_id).where(Handoff.conversation_id == conversation_id)
        ).scalars():
            screening = records.find_screening(session=session, screening_id=screening_row)
            if screening is not None and screening.state == "handoff":
                records.set_state(
                    session=session, screening=screening, state="consented", actor=f"coordinator:{coordinator}"
                )
