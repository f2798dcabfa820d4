"""The adaptive question planner: ``next_question(trial, facts, today=...)``.

Ordering policy (what a site can review and tune in the trial file):

1. **Cohort first.** Until the patient's condition is known no cohort's questions are
   asked, and afterwards only questions of criteria that apply to that cohort.
2. **Only questions that can change the outcome.** Once an answer rules the patient out,
   nothing more is asked. A fact is a candidate only when a criterion still waiting on it
   proposes it; criteria read their facts as gates, left to right, so a follow-up
   ("was it major surgery?") is proposed only when its gate ("surgery in the last 4 weeks?")
   leaves the criterion open. Known facts, including "not sure" answers, are never asked again.
3. **Cheap, high-yield first.** Each candidate scores the sum, over the criteria proposing
   it, of the criterion's ``rule_out_rate`` (the site's estimate of how often it rules an
   interested patient out) divided by the effort of answering (``EFFORT`` below: a yes/no
   is 1, a list of medicines 5). Highest score first; ties keep the file's order of facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from criteria.evaluator import Result, State, Status, Unknown, evaluate
from criteria.schema import FactDef
from criteria.trial import Trial
from criteria.values import Fact

EFFORT: dict[str, float] = {
    "yes_no": 1.0,
    "choice": 1.0,
    "age": 1.0,
    "number": 1.5,
    "date": 2.0,
    "date_or_never": 2.0,
    "dose": 2.5,
    "medicine_list": 5.0,
}


@dataclass(frozen=True)
class Candidate:
    """A question worth asking now, with its score and the criteria waiting on it."""

    fact: FactDef
    score: float
    criteria: tuple[str, ...]


def rank_questions(trial: Trial, facts: Mapping[str, Fact], result: Result) -> list[Candidate]:
    """Every question worth asking now, best first (empty when the outcome is settled)."""
    if result.status is Status.NOT_ELIGIBLE:
        return []
    cohort_fact = trial.meta.cohort_fact
    if cohort_fact not in facts:
        return [Candidate(trial.facts[cohort_fact], float("inf"), ())]
    scores: dict[str, float] = {}
    waiting: dict[str, list[str]] = {}
    for item in result.criteria:
        if item.state is not State.UNKNOWN or item.unknown is not Unknown.NOT_ASKED:
            continue
        rate = trial.criterion(item.id).rule_out_rate
        for fact_id in item.ask:
            if fact_id in facts:
                continue
            effort = EFFORT[trial.facts[fact_id].answer.type]
            scores[fact_id] = scores.get(fact_id, 0.0) + rate / effort
            waiting.setdefault(fact_id, []).append(item.id)
    order = {fact_id: i for i, fact_id in enumerate(trial.facts)}
    ranked = sorted(scores, key=lambda f: (-scores[f], order[f]))
    return [Candidate(trial.facts[f], scores[f], tuple(waiting[f])) for f in ranked]


def next_question(trial: Trial, facts: Mapping[str, Fact], *, today: date) -> FactDef | None:
    """The next question to ask, or None when no answer could change the outcome."""
    ranked = rank_questions(trial, facts, evaluate(trial, facts, today))
    return ranked[0].fact if ranked else None
