"""Scoring: the bot's result against the ground truth, per patient and in total.

Per patient, one outcome (first match wins):

* ``no_result``: the conversation ended without a result (repeated question, turns, time, error);
* ``agree``: the bot's status is the truth's (a truth of needs_coordinator is the bot's handoff);
* ``false_eligible``: the bot says likely_eligible and the truth is anything else;
* ``wrong_exclusion``: the bot says not_eligible and the truth is anything else;
* ``unclear_handoff``: the bot hands off, the truth is not a handoff, and the patient truly
  answered something "not sure" or contradictorily, or gave an answer that is a matter for a
  person (a "yes" to another immune disease: the truth is then decided by another answer the bot
  did not reach);
* ``needless_handoff``: the bot hands off, the truth is not a handoff, and every answer was clear;
* ``other_mismatch``: anything else (the bot says not_yet and the truth is not).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from bench.patients.drive import Record

OUTCOMES = (
    "agree",
    "false_eligible",
    "wrong_exclusion",
    "needless_handoff",
    "unclear_handoff",
    "other_mismatch",
    "no_result",
)


def classify(truth: str, bot: str | None, unclear: bool) -> str:
    """The outcome of one screening (see the module's docstring)."""
    if bot is None or bot not in {"likely_eligible", "not_eligible", "not_yet", "handoff"}:
        return "no_result"
    if bot == truth:
        return "agree"
    if bot == "likely_eligible":
        return "false_eligible"
    if bot == "not_eligible":
        return "wrong_exclusion"
    if bot == "handoff":
        return "unclear_handoff" if unclear else "needless_handoff"
    return "other_mismatch"


def percentile(values: Iterable[float], p: float) -> float | None:
    """The p-th percentile (nearest rank), or None when there are no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def median(values: Iterable[float]) -> float | None:
    """The median, or None when there are no values."""
    values = list(values)
    return statistics.median(values) if values else None


@dataclass
class Summary:
    """Every figure of the report."""

    patients: int  # made
    screened: int  # conversations started
    outcomes: Counter[str] = field(default_factory=Counter)
    truths: Counter[str] = field(default_factory=Counter)
    bots: Counter[str] = field(default_factory=Counter)
    ends: Counter[str] = field(default_factory=Counter)
    not_yet_truth: int = 0
    not_yet_agree: int = 0
    handoff_truth: int = 0
    handoff_agree: int = 0
    unclear_handoffs_all: int = 0  # bot handoffs of patients who truly answered something unclearly (any truth)
    questions_to_knockout: float | None = None
    questions_overall: float | None = None
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None
    turns: int = 0
    unrecognised: Counter[str] = field(default_factory=Counter)
    unrecognised_patients: int = 0
    flags: Counter[str] = field(default_factory=Counter)
    false_eligible: list[Record] = field(default_factory=list)
    outcome_of: dict[str, str] = field(default_factory=dict)

    def pct(self, count: int) -> str:
        """A count as a percentage of the patients screened."""
        return f"{100 * count / self.screened:.1f}%" if self.screened else "n/a"


def summarise(records: list[Record], patients: int) -> Summary:
    """The figures for a run."""
    summary = Summary(patients=patients, screened=len(records))
    latencies: list[float] = []
    for record in records:
        unclear = bool(record.unclear or record.for_person)
        outcome = classify(record.truth, record.bot, unclear)
        summary.outcome_of[record.patient] = outcome
        summary.outcomes[outcome] += 1
        summary.truths[record.truth] += 1
        summary.bots[record.bot or "no result"] += 1
        summary.ends[record.end or "?"] += 1
        if record.truth == "not_yet":
            summary.not_yet_truth += 1
            summary.not_yet_agree += record.bot == "not_yet"
        if record.truth == "handoff":
            summary.handoff_truth += 1
            summary.handoff_agree += record.bot == "handoff"
        summary.unclear_handoffs_all += record.bot == "handoff" and unclear
        if outcome == "false_eligible":
            summary.false_eligible.append(record)
        summary.unrecognised.update(record.unrecognised)
        summary.unrecognised_patients += bool(record.unrecognised)
        summary.flags.update(record.flags)
        latencies.extend(record.latencies)
        summary.turns += record.turns
    knocked = [len(r.questions) for r in records if r.bot == "not_eligible"]
    finished = [len(r.questions) for r in records if r.bot is not None]
    summary.questions_to_knockout = median(knocked)
    summary.questions_overall = median(finished)
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    summary.latency_p50_ms = None if p50 is None else p50 * 1000
    summary.latency_p95_ms = None if p95 is None else p95 * 1000
    return summary
