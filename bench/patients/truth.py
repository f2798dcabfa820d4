"""A synthetic patient's true facts, and the ground truth the criteria engine gives for them.

A patient's ``answers`` are in the structured forms ``criteria.coerce`` accepts (``"unsure"``
for the one fact a patient truly does not know); ``details`` hold how the patient knows a
value (``{"ago": "3 weeks"}`` for a date, the organ of a transplant), which the phrasings use.
The ground truth is ``criteria.evaluate`` on every true fact, on the screening date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from criteria import CriterionResult, Fact, Result, State, Status, Trial, Unknown, evaluate, make_fact

#: The bot's card statuses; a truth of ``needs_coordinator`` is the bot's ``handoff``.
BOT_STATUS = {
    Status.LIKELY_ELIGIBLE: "likely_eligible",
    Status.NOT_ELIGIBLE: "not_eligible",
    Status.NOT_YET: "not_yet",
    Status.NEEDS_COORDINATOR: "handoff",
    Status.INCOMPLETE: "incomplete",
}


@dataclass
class Patient:
    """One synthetic patient: a full set of true facts, and what they are unsure of."""

    id: str
    cohort: str
    answers: dict[str, Any]
    details: dict[str, Any] = field(default_factory=dict)
    unsure: str | None = None  # the fact the patient truly does not know (answers it "not sure")
    story: list[str] = field(default_factory=list)  # what was varied from a clean patient, for the report

    def as_json(self) -> dict[str, Any]:
        """The patient as JSON-ready data."""
        return {
            "id": self.id,
            "cohort": self.cohort,
            "answers": self.answers,
            "details": self.details,
            "unsure": self.unsure,
            "story": self.story,
        }


@dataclass(frozen=True)
class Truth:
    """What the criteria engine says about a patient's true facts."""

    status: Status
    bot_status: str  # the same in the bot's words (handoff for needs_coordinator)
    deciding: tuple[str, ...]  # criteria behind a status other than likely_eligible
    facts: tuple[str, ...]  # the facts those criteria read
    recontact_after: date | None
    states: tuple[tuple[str, str], ...]  # every criterion's state: a phrasing must keep all of them
    person_facts: tuple[str, ...] = ()  # facts whose true answer is for a person (judgement, not sure, conflict)


def facts_of(trial: Trial, answers: Mapping[str, Any], today: date) -> dict[str, Fact]:
    """Every structured answer as a fact (raises ``FactError`` on a value the engine refuses)."""
    return {
        fact_id: make_fact(trial.facts[fact_id], raw, today=today, lexicon=trial.lexicon)
        for fact_id, raw in answers.items()
        if fact_id in trial.facts
    }


def judge(trial: Trial, answers: Mapping[str, Any], today: date) -> Truth:
    """The ground truth for these answers."""
    result = evaluate(trial, facts_of(trial, answers, today), today)
    return _truth(result)


def _truth(result: Result) -> Truth:
    deciding = [c for c in result.criteria if _decides(result.status, c)]
    facts = [f for c in deciding for f in c.facts]
    if result.status is Status.NEEDS_COORDINATOR:
        facts += [f for c in result.contradictions for f in c.facts]
    return Truth(
        status=result.status,
        bot_status=BOT_STATUS[result.status],
        deciding=tuple(c.id for c in deciding),
        facts=tuple(dict.fromkeys(facts)),
        recontact_after=result.recontact_after,
        states=tuple((c.id, c.state.value) for c in result.criteria),
        person_facts=tuple(
            dict.fromkeys(
                [
                    *(f for c in result.criteria if c.unknown in _FOR_A_PERSON for f in c.facts),
                    *(f for c in result.contradictions for f in c.facts),
                ]
            )
        ),
    )


_FOR_A_PERSON = {Unknown.UNSURE, Unknown.CONFLICT, Unknown.JUDGEMENT}


def _decides(status: Status, criterion: CriterionResult) -> bool:
    """Whether a criterion is one behind the overall status."""
    if status is Status.NOT_ELIGIBLE:
        return criterion.state is State.NOT_MET
    if status is Status.NOT_YET:
        return criterion.state is State.NOT_YET
    if status is Status.NEEDS_COORDINATOR:
        return criterion.state is State.UNKNOWN and criterion.unknown is not Unknown.NOT_ASKED
    return False


def keeps_meaning(trial: Trial, answers: Mapping[str, Any], today: date, changes: list[dict[str, Any]]) -> bool:
    """Whether every alternative reading (a dict of replaced answers) leaves every criterion as the truth has it.

    A phrasing that could mean a range ("in 2019", "born in 1974", "since 2020") is only used when
    both ends of the range give every criterion the same state as the exact truth. An alternative
    the engine refuses (a date in the future) does not keep the meaning.
    """
    truth = judge(trial, answers, today).states
    for change in changes:
        try:
            if judge(trial, {**answers, **change}, today).states != truth:
                return False
        except Exception:  # the engine refuses the reading: it cannot be what was meant
            return False
    return True
