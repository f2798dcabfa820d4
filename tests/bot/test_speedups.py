"""The speed-ups accept, reject and resolve exactly what Rasa's own code does."""

from __future__ import annotations

import gc
import json
from typing import Any

import numpy as np
import pytest
import scipy.sparse
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Event,
    Restarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.slots import AnySlot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

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


# Replies the per-type shortcut must judge exactly as Rasa's full schema does.
REPLIES = {
    "empty": {},
    "slot": {"events": [{"event": "slot", "name": "age", "value": 34, "timestamp": None}]},
    "slot_without_value": {"events": [{"event": "slot", "name": "age"}]},  # SlotSet requires a value
    "slot_with_numeric_name": {"events": [{"event": "slot", "name": 7, "value": 1}]},
    "unknown_event": {"events": [{"event": "teleport"}]},  # no branch matches
    "event_not_a_string": {"events": [{"event": 3}]},
    "event_missing": {"events": [{"name": "age"}]},
    "event_not_an_object": {"events": ["slot"]},
    "bad_timestamp": {"events": [{"event": "bot", "timestamp": "noon"}]},
    "user_with_bad_entities": {"events": [{"event": "user", "text": "hi", "parse_data": {"entities": "none"}}]},
    "user": {"events": [{"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 1}}}]},
    "many": {
        "events": [
            {"event": "active_loop", "name": "screening_form"},
            {"event": "action", "name": "action_listen", "policy": None, "confidence": None},
            {"event": "pause"},
            {"event": "followup", "name": "action_x"},
        ],
        "responses": [{"text": "hi", "buttons": [{"title": "Yes", "payload": "yes"}]}],
    },
    "responses_not_objects": {"events": [], "responses": ["hi"]},
    "not_an_object": [],
}


@pytest.mark.parametrize("name", sorted(REPLIES))
def test_the_shortcut_agrees_with_the_full_schema(action: Any, name: str) -> None:
    reply = REPLIES[name]
    full = speedups._action_response_validator().is_valid(reply)
    if speedups._quickly_valid(reply):
        assert full  # the shortcut never accepts what Rasa would refuse
    if full:
        assert action._validate_action_result(reply) is True
    else:
        with pytest.raises(ValidationError, match="Failed to validate Action server response"):
            action._validate_action_result(reply)


def test_the_shortcut_accepts_what_is_valid(action: Any) -> None:
    valid = [name for name, reply in REPLIES.items() if speedups._action_response_validator().is_valid(reply)]
    assert sorted(valid) == ["empty", "many", "slot", "user"]
    assert all(speedups._quickly_valid(REPLIES[name]) for name in valid)  # no detour through the slow path


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


# --- DialogueStateTracker.applied_events: remembered while the event list is unchanged --------


def _listen() -> ActionExecuted:
    return ActionExecuted("action_listen")


def _said(text: str) -> UserUttered:
    return UserUttered(text, {"name": "inform", "confidence": 1.0})


# Each case is a conversation whose applied events Rasa computes in a particular way.
CONVERSATIONS = {
    "plain": [_listen(), _said("hi"), ActionExecuted("utter_greet"), _listen()],
    # the patient's last message is taken back (undo): it and its action_listen disappear
    "user_reverted": [
        _listen(), _said("hi"), ActionExecuted("utter_greet"), _listen(), _said("oops"), UserUtteranceReverted(),
    ],
    # the bot's last action is taken back
    "action_reverted": [_listen(), _said("hi"), ActionExecuted("utter_greet"), ActionReverted(), _listen()],
    # a restart forgets everything before it
    "restarted": [_listen(), _said("hi"), ActionExecuted("utter_greet"), Restarted(), _listen(), _said("again")],
    # a form's own executions are folded while it runs
    "form": [
        _listen(), _said("start"), ActionExecuted("screening_form"), ActiveLoop("screening_form"),
        _listen(), _said("34"), ActionExecuted("screening_form"), SlotSet("age", 34), _listen(),
    ],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CONVERSATIONS))
def test_applied_events_are_rasas(action: Any, name: str) -> None:
    tracker = DialogueStateTracker.from_events("me", CONVERSATIONS[name], [AnySlot("age", mappings=[{}])])
    expected = speedups._rasa_applied_events(tracker)
    assert tracker.applied_events() == expected
    assert tracker.applied_events() == expected  # the remembered answer is the same


def test_applied_events_follow_new_events(action: Any) -> None:
    tracker = DialogueStateTracker.from_events("me", CONVERSATIONS["plain"], [])
    before = tracker.applied_events()
    tracker.update(_said("more"))
    assert tracker.applied_events() == [*before, tracker.events[-1]]
    tracker.update(UserUtteranceReverted())  # takes back "more" and the action_listen before it
    assert tracker.applied_events() == before[:-1] == speedups._rasa_applied_events(tracker)


def test_a_caller_changing_the_list_changes_nothing(action: Any) -> None:
    tracker = DialogueStateTracker.from_events("me", CONVERSATIONS["plain"], [])
    tracker.applied_events().clear()
    assert tracker.applied_events() == speedups._rasa_applied_events(tracker) != []


# --- the action-server call: same JSON, faster encoder ---------------------------------------


async def test_action_server_calls_send_the_same_json(action: Any) -> None:
    payload = {"tracker": {"events": [{"event": "user", "text": "Ich heiße Zoë / 35 ans", "timestamp": 1.5e9}]}}
    endpoint = EndpointConfig("http://127.0.0.1:1/webhook", basic_auth={"username": "u", "password": "p"})
    async with endpoint.session() as session:
        encoded = session._json_serialize(payload)
        assert session.auth is not None and session.auth.login == "u"
    assert json.loads(encoded) == payload
    with pytest.raises(TypeError):
        speedups._json_dumps({"not json": object()})  # refused, as by the standard library


# --- the intent classifier's input: only the sentence features, combined as Rasa does ----------


def _message_with_features() -> Message:
    message = Message(data={TEXT: "took cellcept"})
    rng = np.random.default_rng(7)
    for origin, width in (("CountVectorsFeaturizer", 5), ("CountVectorsFeaturizer_char", 9), ("RegexFeaturizer", 3)):
        for kind, rows in ((FEATURE_TYPE_SEQUENCE, 2), (FEATURE_TYPE_SENTENCE, 1)):
            values = scipy.sparse.coo_matrix((rng.random((rows, width)) > 0.5).astype(float))
            message.add_features(Features(values, kind, TEXT, origin))
    return message


def test_the_classifier_input_is_rasas(action: Any) -> None:
    messages = [_message_with_features(), _message_with_features()]
    ours = speedups._create_x(None, messages)  # type: ignore[arg-type]
    rasas = speedups._rasa_create_x(None, messages)  # type: ignore[arg-type]
    assert ours.shape == rasas.shape == (2, 5 + 9 + 3)
    assert (ours != rasas).nnz == 0


# --- garbage collection: the loaded model is frozen out of the collector's way ----------------


async def test_after_loading_the_model_the_collector_skips_it(monkeypatch: pytest.MonkeyPatch) -> None:
    async def load(*args: Any, **kwargs: Any) -> str:
        return "the agent"

    monkeypatch.setattr(speedups, "_rasa_load_agent_on_start", load)
    thresholds = gc.get_threshold()
    try:
        assert await speedups._load_agent_then_freeze("model.tar.gz") == "the agent"
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == speedups.GC_THRESHOLDS
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_rasa_loads_the_agent_through_the_freezing_wrapper(action: Any) -> None:
    import rasa.core.run

    assert rasa.core.run.load_agent_on_start is speedups._load_agent_then_freeze
