"""Every sentence the engine itself says, in one place, with a stable code.

Criterion-specific words (what a rule means, why it rules someone out, what the site
checks) live in the trial file; these are the few generic ones. They reach patients,
so they are written at a grade-6 reading level and checked by the readability test.
"""

from __future__ import annotations

from datetime import date
from enum import Enum


class Say(str, Enum):
    """Stable message codes."""

    NOT_ASKED = "MSG-001"
    UNSURE = "MSG-002"
    CONFLICT = "MSG-003"
    LOW_CONFIDENCE = "MSG-004"
    JUDGEMENT = "MSG-005"
    COHORT_FIRST = "MSG-006"
    NOT_APPLICABLE = "MSG-007"
    SITE_UNSURE = "MSG-008"
    # MSG-009 (a doubtful pass on the site's list) is retired: such a pass goes to a coordinator.
    SITE_ASSUMED = "MSG-010"
    NOT_YET = "MSG-011"


TEXT: dict[Say, str] = {
    Say.NOT_ASKED: "We still need to ask you about this.",
    Say.UNSURE: "Your answer was not clear enough for us to decide. A study coordinator will check it with you.",
    Say.CONFLICT: "Some of your answers do not match. A study coordinator will check them with you.",
    Say.LOW_CONFIDENCE: "We are not sure we understood your answer. A study coordinator will check it with you.",
    Say.JUDGEMENT: "The study doctor needs to look at this. A study coordinator will talk it over with you.",
    Say.COHORT_FIRST: "We first need to know which condition you have.",
    Say.NOT_APPLICABLE: "This rule is for a different condition, so it does not apply to you.",
    # {check} is the criterion's own site check; {reason} its reason; {date} a plain date.
    Say.SITE_UNSURE: "You were not sure about this, so the team will check it. {check}",
    Say.SITE_ASSUMED: "You did not say how long you took some medicines, so the team will ask. {check}",
    Say.NOT_YET: "{reason} You may be able to join from {date}.",
}


def say(code: Say, **fields: str) -> str:
    """The sentence for a code, with its ``{fields}`` filled in."""
    return TEXT[code].format(**fields) if fields else TEXT[code]


def plain_date(day: date) -> str:
    """A date as patients read it: 15 January 2027."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


# Not strftime("%B"): that follows the process locale.
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
