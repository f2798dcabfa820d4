"""Tracker state ↔ criteria facts, the loaded trial, and the store session for actions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from functools import cache

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from answers.slots import fact_from_slot
from criteria import Fact, Trial, load_trial
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
    """Every answered question, as facts, from the slots (``answers.slots``)."""
    found = trial()
    facts: dict[str, Fact] = {}
    for fact_id, definition in found.facts.items():
        fact = fact_from_slot(
            definition, tracker.get_slot(fact_id), today=screening_date(tracker), lexicon=found.lexicon
        )
        if fact is not None:
            facts[fact_id] = fact
    return facts


@contextmanager
def db() -> Iterator[Session]:
    """One transaction against the configured database."""
    with session_scope(engine_for(get_settings().db_url)) as session:
        yield session
