"""A stored dose on both backends: its derivation ("2 × 5 mg") kept, and older rows without one still read."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from criteria import Dose, coerce, load_trial, structured
from store import records
from store.db import session_scope

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("raw", "how"),
    [
        # as the form stores a dose read from "two 5mg tablets": the arithmetic travels with it
        ({"medicine": "prednisone", "mg_per_day": 10, "how": "2 × 5 mg"}, "2 × 5 mg"),
        # a fraction sign and the words of a schedule survive both backends' JSON
        ({"medicine": "prednisone", "mg_per_day": 7.5, "how": "1½ × 5 mg"}, "1½ × 5 mg"),
        ({"medicine": "Medrol", "mg_per_day": 16, "how": "2 × 4 mg twice a day"}, "2 × 4 mg twice a day"),
        # a row stored before doses had a derivation: read as before, with none
        ({"medicine": "prednisone", "mg_per_day": 10}, None),
    ],
)
def test_a_stored_dose_reads_back_with_how_it_was_worked_out(engine: Engine, raw: dict[str, Any], how: str) -> None:
    trial = load_trial("NCT07193810")
    fact = trial.facts["current_steroid_dose"]
    value = coerce(fact, raw, today=TODAY, lexicon=trial.lexicon)
    with session_scope(engine) as session:
        screening = records.start_screening(session=session, conversation_id="conv-1", channel="web", trial_id=trial.id)
        records.record_answer(
            session=session,
            screening_id=screening.id,
            fact_id=fact.id,
            value=structured(value) if how else raw,  # an old row: exactly as it was written then
            raw_text="two 5mg tablets",
            criteria=[],
        )
    with session_scope(engine) as session:
        stored = records.current_answers(session=session, screening_id=screening.id)[fact.id].value
    again = coerce(fact, stored, today=TODAY, lexicon=trial.lexicon)
    assert isinstance(again, Dose)
    assert (again, again.how) == (value, how)
