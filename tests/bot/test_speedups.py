"""The speed-ups accept, reject and resolve exactly what Rasa's own code does."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.slots import AnySlot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses

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


# --- Event.resolve_by_type: a table built once, the same answers as Rasa's walk ---------------


@pytest.mark.parametrize("type_name", sorted({cls.type_name for cls in all_subclasses(Event)}))
def test_every_event_type_resolves_as_rasa_does(action: Any, type_name: str) -> None:
    assert Event.resolve_by_type(type_name) is speedups._rasa_resolve_by_type(type_name)


def test_unknown_event_names_behave_as_in_rasa(action: Any) -> None:
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", default=UserUttered) is UserUttered
    assert Event.resolve_by_type("topic") is None  # Rasa's backwards compatibility


def test_a_tracker_rebuilt_from_events_is_unchanged(action: Any) -> None:
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 1.0}}},
        {"event": "slot", "name": "age", "value": 34},
        {"event": "bot", "text": "How old are you?"},
    ]
    tracker = DialogueStateTracker.from_dict("me", events, [AnySlot("age", mappings=[{}])])
    assert [type(e) for e in tracker.events] == [ActionExecuted, UserUttered, SlotSet, BotUttered]
    assert tracker.get_slot("age") == 34
