"""Answer sets for whole patients, used by the evaluator and planner tests.

Each profile is an eligible patient of one cohort; tests change one answer to knock them
out. Answers are in the structured forms ``criteria.coerce`` accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from criteria import Fact, Result, Trial, evaluate
from criteria.examples import PATIENTS
from criteria.quantities import add_months
from criteria.simulate import CLEAR_BY_TYPE, facts_from_answers

TODAY = date(2026, 11, 25)


def days_ago(n: int) -> str:
    return (TODAY - timedelta(days=n)).isoformat()


def months_ago(n: int, extra_days: int = 0) -> str:
    return (add_months(TODAY, -n) - timedelta(days=extra_days)).isoformat()


PROFILES = PATIENTS


def complete(trial: Trial, base: Mapping[str, Any], **overrides: Any) -> dict[str, Any]:
    """Every question answered: the profile, the overrides, and "no"/"never" for the rest."""
    answers = {**base, **overrides}
    for fact_id, fact in trial.facts.items():
        if fact_id not in answers and fact.answer.type in CLEAR_BY_TYPE:
            answers[fact_id] = CLEAR_BY_TYPE[fact.answer.type]
    return answers


def facts_for(trial: Trial, answers: Mapping[str, Any], **meta: Mapping[str, Any]) -> dict[str, Fact]:
    """Coerce answers; ``meta`` adds per-fact extras, e.g. ``tuberculosis={"confidence": 0.5}``."""
    facts = facts_from_answers(trial, answers, TODAY)
    for fact_id, extra in meta.items():
        fact = facts[fact_id]
        facts[fact_id] = Fact(fact.id, fact.value, **extra)
    return facts


def judge(trial: Trial, base: Mapping[str, Any], **overrides: Any) -> Result:
    """Evaluate a complete patient with some answers changed."""
    return evaluate(trial, facts_for(trial, complete(trial, base, **overrides)), TODAY)
