"""The schema of a trial file (pydantic 1.10, Rasa's pin): unknown keys are errors.

Cross-references (a rule naming a fact, a cohort, a medicine class) are checked in
``criteria.trial`` once the lexicon is known.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Extra, Field, root_validator, validator

from criteria.ruleparse import parse_rule
from criteria.rules import Rule

AnswerType = Literal["yes_no", "choice", "age", "number", "date", "date_or_never", "dose", "medicine_list"]
AssessedBy = Literal["patient", "both", "judgement", "site"]

_ID = r"^[a-z][a-z0-9_-]*$"


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False
        arbitrary_types_allowed = True


_ANSWER_OPTIONS = (
    "choices", "unit", "min", "max", "implied_min_duration", "ongoing", "follow_up", "medicine_class", "volunteered",
    "course",
)  # fmt: skip


class Course(_Strict):
    """A yes/no question about a steroid course: a dose this high (prednisone mg a day) for this long, this recently.

    An answer that describes the course instead of saying yes or no ("60 mg of prednisone for
    a month in September") is read against it (``answers.course``).
    """

    prednisone_mg_per_day: float = Field(..., gt=0)
    days: int = Field(..., gt=0)  # for at least this many days
    within_days: int = Field(..., gt=0)  # in the last this many days


class Answer(_Strict):
    """What kind of answer a question takes, and which answers are allowed."""

    type: AnswerType
    choices: dict[str, str] | None = None
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    implied_min_duration: str | None = None
    # A list of medicines taken now: their durations keep growing, so "too short" is "not yet".
    ongoing: bool | None = None
    # Follow-up questions about one item of the answer: {"duration": "How long ... {medicine}?"}.
    follow_up: dict[Literal["duration"], str] | None = None
    medicine_class: str | None = None
    # False: a yes/no answer that counts only when its own question was asked. "Recovered" said
    # in another answer says nothing about B cells; it is never taken as volunteered.
    volunteered: bool | None = None
    course: Course | None = None

    @root_validator(skip_on_failure=True)
    def _fits_type(cls, values: dict[str, object]) -> dict[str, object]:
        kind = values["type"]
        allowed: dict[str, set[str]] = {
            "choice": {"choices"},
            "number": {"unit", "min", "max"},
            "age": {"min", "max"},
            "medicine_list": {"implied_min_duration", "ongoing", "follow_up"},
            "dose": {"medicine_class", "max"},
            "yes_no": {"volunteered", "course"},
        }
        extra = {k for k in _ANSWER_OPTIONS if values.get(k) is not None} - allowed.get(str(kind), set())
        if extra:
            raise ValueError(f"answer type {kind!r} does not take {sorted(extra)}")
        if kind == "choice" and not values.get("choices"):
            raise ValueError("a choice answer needs 'choices'")
        if kind == "number" and not values.get("unit"):
            raise ValueError("a number answer needs a 'unit'")
        if kind == "dose" and not values.get("medicine_class"):
            raise ValueError("a dose answer needs 'medicine_class'")
        follow_up = values.get("follow_up") or {}
        assert isinstance(follow_up, dict)
        for key, text in follow_up.items():
            if "{medicine}" not in str(text):
                raise ValueError(f"follow_up.{key} must name the medicine it asks about: {{medicine}}")
        return values


class FactDef(_Strict):
    """One question a patient can answer."""

    id: str = Field(..., regex=_ID)
    question: str = Field(..., min_length=10)
    why: str = Field(..., min_length=10)
    explain: str = Field(..., min_length=10)
    terms: dict[str, str] = Field(default_factory=dict)
    answer: Answer


class Source(_Strict):
    """Where in the listing a criterion comes from."""

    section: Literal["inclusion", "exclusion", "conditions"]
    item: str
    text: str = Field(..., min_length=10)


class CriterionDef(_Strict):
    """One criterion: its source sentence, who can assess it and its rule.

    ``rule`` says when an inclusion is satisfied, or when an exclusion applies.
    """

    id: str = Field(..., regex=_ID)
    kind: Literal["inclusion", "exclusion"]
    cohorts: tuple[str, ...]
    assessed_by: AssessedBy
    source: Source
    plain: str = Field(..., min_length=10)
    reason_not_met: str | None = None
    site_check: str | None = None
    # "Not sure" on a criterion the site also checks: the site settles it (default), or a
    # coordinator talks to the patient first ("coordinator").
    if_unsure: Literal["site", "coordinator"] = "site"
    # When this holds the criterion is judged; when it fails the criterion does not apply
    # (not_applicable), and nothing goes on the site's list for it.
    applies_when: Rule | None = None
    rule: Rule | None = None
    rule_out_rate: float = Field(0.0, ge=0.0, le=1.0)
    note: str | None = None

    @validator("rule", pre=True)
    def _parse_rule(cls, value: object) -> Rule | None:
        return None if value is None else parse_rule(value)

    @validator("applies_when", pre=True)
    def _parse_gate(cls, value: object) -> Rule | None:
        return None if value is None else parse_rule(value, "applies_when")

    @validator("cohorts")
    def _some_cohort(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("name at least one cohort, or 'all'")
        return value

    @root_validator(skip_on_failure=True)
    def _parts_fit(cls, values: dict[str, object]) -> dict[str, object]:
        by = values["assessed_by"]
        has_rule = values.get("rule") is not None
        if by == "site":
            if has_rule or values.get("reason_not_met") or values.get("rule_out_rate"):
                raise ValueError("a site-assessed criterion has no patient rule, reason_not_met or rule_out_rate")
        else:
            if not has_rule:
                raise ValueError(f"assessed_by {by!r} needs a 'rule'")
            if not values.get("reason_not_met"):
                raise ValueError(f"assessed_by {by!r} needs 'reason_not_met'")
        if by != "patient" and not values.get("site_check"):
            raise ValueError(f"assessed_by {by!r} needs 'site_check' (what the site verifies)")
        if by == "patient" and values.get("site_check"):
            raise ValueError("assessed_by 'patient' takes no 'site_check'; use 'both'")
        if values.get("applies_when") is not None and not has_rule:
            raise ValueError("applies_when needs a 'rule' to apply")
        if values.get("if_unsure") == "coordinator" and by != "both":
            raise ValueError("if_unsure applies to assessed_by 'both' ('patient' always goes to a coordinator)")
        return values


class Check(_Strict):
    """A contradiction between answers: when ``when`` holds, a coordinator must look."""

    id: str = Field(..., regex=_ID)
    when: Rule
    message: str = Field(..., min_length=10)

    @validator("when", pre=True)
    def _parse_rule(cls, value: object) -> Rule:
        return parse_rule(value, "when")


class Cohort(_Strict):
    """One cohort of the trial."""

    name: str
    plain: str


class TrialMeta(_Strict):
    """Identity of the trial and settings of its screening."""

    id: str = Field(..., regex=r"^NCT\d{8}$")
    title: str
    short_title: str
    listing: str
    cohort_fact: str
    cohorts: dict[str, Cohort]
    min_confidence_to_rule_out: float = Field(0.8, ge=0.0, le=1.0)
    # A rule-out that ends by itself within this long is "not yet" (recontact then), not "not a fit".
    recontact_within: str | None = None

    @validator("cohorts")
    def _cohort_ids(cls, value: dict[str, Cohort]) -> dict[str, Cohort]:
        for key in value:
            if key == "all" or not re.fullmatch(r"[a-z][a-z0-9_]*", key):
                raise ValueError(f"cohort id {key!r} must be lower_snake_case and not 'all'")
        return value


class TrialFile(_Strict):
    """A whole trial file."""

    trial: TrialMeta
    facts: tuple[FactDef, ...]
    criteria: tuple[CriterionDef, ...]
    checks: tuple[Check, ...] = ()
