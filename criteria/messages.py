"""Every sentence the engine itself says, in one place, with a stable code.

Criterion-specific words (what a rule means, why it rules someone out, what the site
checks) live in the trial file; these are the few generic ones. They reach patients,
so they are written at a grade-6 reading level and checked by the readability test.
"""

from __future__ import annotations

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


TEXT: dict[Say, str] = {
    Say.NOT_ASKED: "We still need to ask you about this.",
    Say.UNSURE: "Your answer was not clear enough for us to decide. A study coordinator will check it with you.",
    Say.CONFLICT: "Some of your answers do not match. A study coordinator will check them with you.",
    Say.LOW_CONFIDENCE: "We are not sure we understood your answer. A study coordinator will check it with you.",
    Say.JUDGEMENT: "The study doctor needs to look at this. A study coordinator will talk it over with you.",
    Say.COHORT_FIRST: "We first need to know which condition you have.",
    Say.NOT_APPLICABLE: "This rule is for a different condition, so it does not apply to you.",
}


def say(code: Say) -> str:
    """The sentence for a code."""
    return TEXT[code]
