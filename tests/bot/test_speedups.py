"""The cached action-response validator accepts and rejects exactly what Rasa's own check does."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import speedups


@pytest.fixture(scope="module")
def action() -> Any:
    speedups.install()
    return RemoteAction("validate_screening_form", None)


@pytest.mark.parametrize(
    "reply",
    [
        {"events": [], "responses": []},
        {"events": [{"event": "slot", "name": "age", "value": {"value": 34}}], "responses": [{"text": "hi"}]},
    ],
)
def test_valid_replies_pass(action: Any, reply: dict[str, Any]) -> None:
    assert action._validate_action_result(reply) is True


@pytest.mark.parametrize(
    "reply",
    [
        {"events": "not a list", "responses": []},  # wrong type
        {"events": [{"no_event_key": 1}], "responses": []},  # an event must say what it is
    ],
)
def test_invalid_replies_still_fail_with_rasas_message(action: Any, reply: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(reply)


def test_the_schema_is_checked_once(action: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    validator = speedups._action_response_validator()
    calls = []
    monkeypatch.setattr(type(validator), "check_schema", classmethod(lambda cls, s: calls.append(s)))
    for _ in range(3):
        action._validate_action_result({"events": [], "responses": []})
    assert calls == []
