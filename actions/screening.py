"""Tracker state ↔ criteria facts, the loaded trial, and the store session for actions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from functools import cache
from typing import Any

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from criteria import Fact, Trial, load_trial, make_fact
from settings import get_settings
from store.db import engine_for, session_scope


@cache
def trial() -> Trial:
    """The trial this assistant screens for (``TRIAL_ID``)."""
    return load_trial(get_settings().trial_id)


def screening_date(tracker: Tracker) -> date:
    """The date the screening started: every "within N months" counts from it."""
    stored = tracker.get_slot("screening_date")
    return date.fromisoformat(stored) if stored else datetime.now(timezone.utc).date()


def facts_from(tracker: Tracker) -> dict[str, Fact]:
    """Every answered question, as facts, from the slots."""
    found = trial()
    facts: dict[str, Fact] = {}
    for fact_id, definition in found.facts.items():
        slot = tracker.get_slot(fact_id)
        if not isinstance(slot, dict) or "value" not in slot:
            continue
        facts[fact_id] = make_fact(
            definition,
            slot["value"],
            today=screening_date(tracker),
            lexicon=found.lexicon,
            said=slot.get("said"),
            confidence=float(slot.get("confidence", 1.0)),
            conflicting=bool(slot.get("conflicting", False)),
            set_by=slot.get("set_by", "patient"),
        )
    return facts


def slot_value(
    value: object, *, said: str | None, confidence: float = 1.0, conflicting: bool = False, set_by: str = "patient"
) -> dict[str, Any]:
    """What a question's slot holds: the structured answer and how it was given."""
    return {"value": value, "said": said, "confidence": confidence, "conflicting": conflicting, "set_by": set_by}


@contextmanager
def db() -> Iterator[Session]:
    """One transaction against the configured database."""
    with session_scope(engine_for(get_settings().db_url)) as session:
        yield session
