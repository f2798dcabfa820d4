"""Rasa's data validation: every warning is explained by the code, or it fails."""

from __future__ import annotations

import pytest

from bot.validate import ROOT, explain, run_checks

SOURCE = 'dispatcher.utter_message(response="utter_handoff")\nif intent == "unsure":\n'
FORM_SLOTS = {"age", "contact_ok"}


@pytest.mark.parametrize(
    ("warning", "why"),
    [
        ("The utterance 'utter_ask_age' is not used in any story or rule.", "asked by its form"),
        ("The utterance 'utter_handoff' is not used in any story or rule.", "sent by a custom action"),
        ("The utterance 'utter_default' is not used in any story or rule.", "sent by Rasa's own fallback action"),
        ("The intent 'unsure' is not used in any story or rule.", "read by a form's validation action"),
        (
            "The intent 'EXTERNAL_resume' is listed in the domain file, but is not found in the NLU training data.",
            "triggered by the coordinator API, never typed",
        ),
    ],
)
def test_warnings_explained_by_the_code(warning: str, why: str) -> None:
    assert explain(warning, form_slots=FORM_SLOTS, actions_source=SOURCE) == why


@pytest.mark.parametrize(
    "warning",
    [
        "The utterance 'utter_ask_weight' is not used in any story or rule.",  # no form asks it: dead
        "The utterance 'utter_forgotten' is not used in any story or rule.",  # no action sends it
        "The intent 'greet_twice' is not used in any story or rule.",
        "The intent 'hello' is listed in the domain file, but is not found in the NLU training data.",
        "Something Rasa has not said before.",
    ],
)
def test_anything_else_is_a_problem(warning: str) -> None:
    assert explain(warning, form_slots=FORM_SLOTS, actions_source=SOURCE) is None


def test_rasa_checks_our_bot_data() -> None:
    passed, found = run_checks(ROOT / "config.yml", ROOT / "bot" / "domain", ROOT / "bot" / "data")
    assert passed
    assert any("utter_ask_age" in message for message in found)  # the warnings really are collected
