"""The Rasa domain agrees with the trial file and keeps answers out of reach of raw messages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from criteria import load_trial

ROOT = Path(__file__).resolve().parents[2]


def domain() -> dict:
    merged: dict = {"slots": {}, "actions": [], "forms": {}, "responses": {}, "intents": [], "entities": []}
    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text())
        for key, collected in merged.items():
            value = part.get(key)
            if isinstance(value, dict):
                collected.update(value)
            elif isinstance(value, list):
                collected.extend(value)
    return merged


def test_generated_questions_are_up_to_date() -> None:
    command = [sys.executable, "-m", "bot.gen_domain", "--check"]
    check = subprocess.run(command, check=False, cwd=ROOT, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_every_question_has_a_slot_and_a_question_response() -> None:
    trial = load_trial("NCT07193810")
    d = domain()
    for fact_id, fact in trial.facts.items():
        assert fact_id in d["slots"]
        # Asked by the form inside Rasa (no action-server round trip), in the trial's words.
        assert d["responses"][f"utter_ask_{fact_id}"][0]["text"] == fact.question
        assert f"action_ask_{fact_id}" not in d["actions"]
    assert d["forms"]["screening_form"]["required_slots"] == list(trial.facts)


def test_yes_no_questions_offer_not_sure() -> None:
    trial = load_trial("NCT07193810")
    responses = domain()["responses"]
    for fact_id, fact in trial.facts.items():
        buttons = responses[f"utter_ask_{fact_id}"][0].get("buttons", [])
        if fact.answer.type == "yes_no":
            assert [b["payload"] for b in buttons] == ["yes", "no", "not sure"], fact_id
        elif fact.answer.type == "choice":
            assert [b["title"] for b in buttons] == list((fact.answer.choices or {}).values()), fact_id
        else:
            assert buttons == [], fact_id


def test_no_slot_is_filled_by_a_mapping_action() -> None:
    # Rasa runs a slot mapping's action on every message, even while paused for a coordinator:
    # answers must only ever be set by the forms' own validation actions.
    for name, slot in domain()["slots"].items():
        for mapping in slot.get("mappings", []):
            assert mapping.get("type") == "custom", name
            assert "action" not in mapping, name


def test_buttons_never_send_commands() -> None:
    for name, variants in domain()["responses"].items():
        for variant in variants:
            for button in variant.get("buttons", []):
                assert not button["payload"].lstrip().startswith("/"), name
