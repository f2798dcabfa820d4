"""Running a whole screening from a set of prepared answers (CLI and tests)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from criteria.coerce import make_fact
from criteria.evaluator import Result, Status, evaluate
from criteria.planner import next_question
from criteria.trial import Trial
from criteria.values import Fact


@dataclass(frozen=True)
class Screening:
    """The questions asked, in order, and the final result."""

    asked: tuple[str, ...]
    facts: dict[str, Fact]
    result: Result


def facts_from_answers(trial: Trial, answers: Mapping[str, object], today: date) -> dict[str, Fact]:
    """Coerce every prepared answer, in any order (a facts file)."""
    return {
        fact_id: make_fact(trial.facts[fact_id], raw, today=today, lexicon=trial.lexicon)
        for fact_id, raw in answers.items()
    }


#: Answers that rule nobody out, by answer type: "no" to every yes/no, "never" to every "when did you last".
CLEAR_BY_TYPE: Mapping[str, object] = {"yes_no": "no", "date_or_never": "never"}


def run_screening(
    trial: Trial,
    answers: Mapping[str, object],
    today: date,
    *,
    defaults: Mapping[str, object] | None = None,
    stop_for_coordinator: bool = False,
) -> Screening:
    """Ask questions as the planner orders them, answering from ``answers``.

    A question with no prepared answer takes ``defaults[answer type]``; when there is none
    the screening stops there, as a patient who leaves would. With ``stop_for_coordinator``
    it also stops as soon as a person must step in, as the conversation does.
    """
    defaults = defaults or {}
    facts: dict[str, Fact] = {}
    asked: list[str] = []
    while (question := next_question(trial, facts, today=today)) is not None:
        if question.id in asked:
            raise RuntimeError(f"planner asked {question.id!r} twice")
        asked.append(question.id)
        raw = answers.get(question.id, defaults.get(question.answer.type))
        if raw is None:
            break
        facts[question.id] = make_fact(question, raw, today=today, lexicon=trial.lexicon)
        if stop_for_coordinator and evaluate(trial, facts, today).status is Status.NEEDS_COORDINATOR:
            break
    return Screening(tuple(asked), facts, evaluate(trial, facts, today))
