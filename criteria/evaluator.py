"""The pure evaluator: ``evaluate(trial, facts, today) -> Result``.

Per criterion the answer is one of:

* ``met`` - the patient's answers satisfy it (for an exclusion: the patient is clear of it);
* ``not_met`` - a clear patient answer rules the patient out;
* ``unknown`` - not asked yet, or asked but not placeable (unsure, contradicting, a
  low-certainty answer that would rule out, or a matter for the investigator's judgement);
* ``site_verifies`` - only the study site can confirm it (labs, scores, the patient's
  records), or the patient's answer passes but the site must still confirm it; a ``note``
  says when that is because the patient was not sure, or a medicine's duration was assumed;
* ``not_yet`` - it rules the patient out only until a date (a waiting period, or a
  medicine not yet taken long enough), within the trial's ``recontact_within``;
* ``not_applicable`` - the criterion belongs to another cohort.

Overall, first match wins: ``not_eligible`` (any not_met), ``needs_coordinator`` (an
unknown a person must settle, or a contradiction between answers), ``incomplete``
(questions left), ``not_yet`` (with ``recontact_after``, the day the last wait ends),
``likely_eligible`` (with the list the site will still verify).

Nothing here reads the clock: "today" is the screening date the caller passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum

from criteria.messages import Say, plain_date, say
from criteria.quantities import shift_back
from criteria.rules import Context, Outcome, Truth
from criteria.schema import CriterionDef
from criteria.trial import Trial
from criteria.values import UNSURE, Fact


class State(str, Enum):
    """The state of one criterion."""

    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"
    SITE_VERIFIES = "site_verifies"
    NOT_YET = "not_yet"
    NOT_APPLICABLE = "not_applicable"


class Unknown(str, Enum):
    """Why a criterion is unknown."""

    NOT_ASKED = "not_asked"
    UNSURE = "unsure"
    CONFLICT = "conflict"
    LOW_CONFIDENCE = "low_confidence"
    JUDGEMENT = "judgement"


class Note(str, Enum):
    """Why the site must look at an answer that passed."""

    UNSURE = "unsure"  # the patient said they were not sure
    ASSUMED = "duration_assumed"  # a medicine's duration was not given


_NOTE_SAY = {Note.UNSURE: Say.SITE_UNSURE, Note.ASSUMED: Say.SITE_ASSUMED}


class Status(str, Enum):
    """The overall pre-screening verdict."""

    NOT_ELIGIBLE = "not_eligible"
    NEEDS_COORDINATOR = "needs_coordinator"
    INCOMPLETE = "incomplete"
    NOT_YET = "not_yet"
    LIKELY_ELIGIBLE = "likely_eligible"


_UNKNOWN_SAY = {
    Unknown.NOT_ASKED: Say.NOT_ASKED,
    Unknown.UNSURE: Say.UNSURE,
    Unknown.CONFLICT: Say.CONFLICT,
    Unknown.LOW_CONFIDENCE: Say.LOW_CONFIDENCE,
    Unknown.JUDGEMENT: Say.JUDGEMENT,
}


@dataclass(frozen=True)
class CriterionResult:
    """The verdict on one criterion, with the facts that decided it and why, in plain words."""

    id: str
    kind: str
    assessed_by: str
    state: State
    reason: str
    facts: tuple[str, ...] = ()
    unknown: Unknown | None = None
    ask: tuple[str, ...] = ()
    note: Note | None = None
    recontact_after: date | None = None


@dataclass(frozen=True)
class Contradiction:
    """Answers that disagree with each other (from the trial's ``checks``)."""

    id: str
    message: str
    facts: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    """The whole pre-screen."""

    status: Status
    cohort: str | None
    criteria: tuple[CriterionResult, ...]
    contradictions: tuple[Contradiction, ...]

    def by_state(self, state: State) -> tuple[CriterionResult, ...]:
        """Criterion results in one state, in file order."""
        return tuple(c for c in self.criteria if c.state is state)

    def get(self, criterion_id: str) -> CriterionResult:
        """One criterion's result (KeyError when absent)."""
        for item in self.criteria:
            if item.id == criterion_id:
                return item
        raise KeyError(criterion_id)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Plain-language reasons behind the status (duplicates folded)."""
        if self.status is Status.NOT_ELIGIBLE:
            picked = self.by_state(State.NOT_MET)
        elif self.status is Status.NOT_YET:
            picked = self.by_state(State.NOT_YET)
        elif self.status is Status.NEEDS_COORDINATOR:
            picked = tuple(c for c in self.by_state(State.UNKNOWN) if c.unknown is not Unknown.NOT_ASKED)
            if self.contradictions and not picked:
                return (say(Say.CONFLICT),)
        else:
            return ()
        return tuple(dict.fromkeys(c.reason for c in picked))

    @property
    def site_to_verify(self) -> tuple[str, ...]:
        """What the study site will still check, in plain words (duplicates folded)."""
        return tuple(dict.fromkeys(c.reason for c in self.by_state(State.SITE_VERIFIES)))

    @property
    def recontact_after(self) -> date | None:
        """The day the last waiting period ends (the site may recontact the patient then)."""
        days = [c.recontact_after for c in self.by_state(State.NOT_YET) if c.recontact_after]
        return max(days) if days else None


def cohort_of(trial: Trial, facts: Mapping[str, Fact]) -> str | None:
    """The patient's cohort, when their answer names one."""
    fact = facts.get(trial.meta.cohort_fact)
    if fact is None or fact.unsure or not isinstance(fact.value, str):
        return None
    return fact.value if fact.value in trial.meta.cohorts else None


def evaluate(trial: Trial, facts: Mapping[str, Fact], today: date) -> Result:
    """Judge every criterion of the trial against the answers so far.

    Args:
        trial: the loaded trial.
        facts: answers by fact id; a fact that is absent has not been asked.
        today: the screening date every "within N months" is counted from.
    """
    ctx = Context(
        facts=facts, today=today, lexicon=trial.lexicon, implied_days=trial.implied_days, ongoing=trial.ongoing
    )
    # The last day a wait may end for the patient to be "not yet" rather than "not a fit".
    wait_limit = _wait_limit(trial, today)
    cohort = cohort_of(trial, facts)
    cohort_known = trial.meta.cohort_fact in facts
    results = []
    for crit in trial.criteria:
        if "all" not in crit.cohorts:
            if cohort is None and not cohort_known:
                results.append(_pending_cohort(crit, trial.meta.cohort_fact))
                continue
            if cohort is None or not trial.applies(crit, cohort):
                # Answered but not one of the cohorts: the condition criterion rules the patient out.
                results.append(_result(crit, State.NOT_APPLICABLE, say(Say.NOT_APPLICABLE)))
                continue
        results.append(_judge(crit, ctx, trial.meta.min_confidence_to_rule_out, wait_limit))
    contradictions = tuple(
        Contradiction(check.id, check.message, tuple(sorted(out.used)))
        for check in trial.checks
        if (out := check.when.evaluate(ctx)).truth is Truth.TRUE
    )
    return Result(_status(results, contradictions), cohort, tuple(results), contradictions)


def _wait_limit(trial: Trial, today: date) -> date | None:
    if trial.recontact_within is None:
        return None
    # shift_back counts back from today; the mirror image counts forward by the same length.
    return date.fromordinal(2 * today.toordinal() - shift_back(today, trial.recontact_within).toordinal())


def _result(crit: CriterionDef, state: State, reason: str, **extra: object) -> CriterionResult:
    return CriterionResult(crit.id, crit.kind, crit.assessed_by, state, reason, **extra)  # type: ignore[arg-type]


def _pending_cohort(crit: CriterionDef, cohort_fact: str) -> CriterionResult:
    return _result(crit, State.UNKNOWN, say(Say.COHORT_FIRST), unknown=Unknown.NOT_ASKED, ask=(cohort_fact,))


def _judge(crit: CriterionDef, ctx: Context, min_confidence: float, wait_limit: date | None) -> CriterionResult:
    if crit.rule is None:
        return _result(crit, State.SITE_VERIFIES, crit.site_check or "")
    if crit.applies_when is not None:
        gate = crit.applies_when.evaluate(ctx)
        if gate.truth is Truth.FALSE:
            return _result(crit, State.NOT_APPLICABLE, say(Say.NOT_APPLICABLE))
        if gate.truth is Truth.MISSING:
            return _unknown(crit, Unknown.NOT_ASKED, tuple(sorted(gate.used)), gate)
    out = crit.rule.evaluate(ctx)
    truth = out.truth
    if crit.kind == "exclusion":
        # The rule says when the exclusion applies; the criterion is met when it does not.
        truth = {Truth.TRUE: Truth.FALSE, Truth.FALSE: Truth.TRUE}.get(truth, truth)
    used = tuple(f for f in crit.rule.fact_ids() if f in out.used)
    deciding = [ctx.facts[f] for f in used if f in ctx.facts]
    doubtful = any(f.confidence < min_confidence for f in deciding)
    if truth is Truth.MISSING:
        return _unknown(crit, Unknown.NOT_ASKED, used, out)
    if any(f.conflicting for f in deciding):
        return _unknown(crit, Unknown.CONFLICT, used, out)
    if truth is Truth.FALSE:
        if crit.assessed_by == "judgement":
            return _unknown(crit, Unknown.JUDGEMENT, used, out)
        if doubtful:
            # A reading we are not sure of never rules a patient out on its own.
            return _unknown(crit, Unknown.LOW_CONFIDENCE, used, out)
        reason = crit.reason_not_met or ""
        if out.flips_on is not None and (wait_limit is None or out.flips_on <= wait_limit):
            # A waiting period, not a rule-out: the listing counts to the first dose.
            text = say(Say.NOT_YET, reason=reason, date=plain_date(out.flips_on))
            return _result(crit, State.NOT_YET, text, facts=used, recontact_after=out.flips_on)
        return _result(crit, State.NOT_MET, reason, facts=used)
    unsure = truth is Truth.UNSURE
    if unsure and (crit.assessed_by in {"patient", "judgement"} or crit.if_unsure == "coordinator"):
        # A person decides a "yes" to a judgement question; a "not sure" to one is no less theirs.
        return _unknown(crit, Unknown.UNSURE, used, out)
    if doubtful:
        # A pass counts only once we are sure we read it: a person checks it with the patient.
        # Not the site's list: a misread "8 days ago" would pass as "likely eligible" there.
        return _unknown(crit, Unknown.LOW_CONFIDENCE, used, out)
    if crit.assessed_by == "patient":
        return _result(crit, State.MET, crit.plain, facts=used)
    # Passed (or unplaceable) on the patient's side; only the site can rule it in.
    note = _note(crit, ctx, out, unsure=unsure)
    reason = say(_NOTE_SAY[note], check=crit.site_check or "") if note else crit.site_check or ""
    return _result(crit, State.SITE_VERIFIES, reason, facts=used, note=note)


def _note(crit: CriterionDef, ctx: Context, out: Outcome, *, unsure: bool) -> Note | None:
    """Why the site must look at this pass in particular, if it must (a doubtful one never gets here)."""
    if crit.assessed_by == "site":
        return None
    used = [ctx.facts[f] for f in out.used if f in ctx.facts]
    if unsure and any(f.value is UNSURE for f in used):
        return Note.UNSURE
    if out.assumed:
        return Note.ASSUMED
    return None


def _unknown(crit: CriterionDef, why: Unknown, used: tuple[str, ...], out: Outcome) -> CriterionResult:
    return _result(crit, State.UNKNOWN, say(_UNKNOWN_SAY[why]), facts=used, unknown=why, ask=out.ask)


def _status(results: list[CriterionResult], contradictions: tuple[Contradiction, ...]) -> Status:
    if any(r.state is State.NOT_MET for r in results):
        return Status.NOT_ELIGIBLE
    unknown = [r for r in results if r.state is State.UNKNOWN]
    if contradictions or any(r.unknown is not Unknown.NOT_ASKED for r in unknown):
        return Status.NEEDS_COORDINATOR
    if unknown:
        return Status.INCOMPLETE
    if any(r.state is State.NOT_YET for r in results):
        return Status.NOT_YET
    return Status.LIKELY_ELIGIBLE
