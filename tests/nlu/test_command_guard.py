"""CommandGuard: inside Rasa's NLU, a leading "/" is read as text, never obeyed as a command."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.command_guard import CommandGuard

DOMAIN = Domain.from_dict({"intents": ["human", "affirm"], "entities": ["age"], "slots": {}})


def guard() -> CommandGuard:
    return CommandGuard.create({}, None, Resource("guard"), ExecutionContext(None))  # type: ignore[arg-type]


def handler() -> RegexMessageHandler:
    return RegexMessageHandler.create({}, None, Resource("regex"), ExecutionContext(None))  # type: ignore[arg-type]


def parsed(text: str, *, guarded: bool) -> dict[str, Any]:
    """What Rasa's end-of-pipeline command handler makes of a message."""
    message = Message(data={TEXT: text})
    if guarded:
        (message,) = guard().process([message])
    (message,) = handler().process([message], DOMAIN)
    return {"text": message.get(TEXT), "intent": message.get(INTENT), "entities": message.get(ENTITIES)}


def test_without_the_guard_rasa_obeys_the_command() -> None:
    # The door being closed: Rasa itself sets intent and entities from a "/" message.
    result = parsed('/affirm{"age": "30"}', guarded=False)
    assert result["intent"]["name"] == "affirm" and result["entities"][0]["value"] == "30"


@pytest.mark.parametrize(
    ("typed", "read_as"),
    [
        ('/affirm{"age": "30"}', 'affirm{"age": "30"}'),  # an intent and an entity
        ("/human", "human"),
        ("  //human", "human"),  # doubled, with spaces
        ("/ /human", "human"),
        ("\uff0fhuman", "human"),  # a full-width slash
        ("\u2215human", "human"),  # a division slash
        ("I take 1/2 a tablet", "I take 1/2 a tablet"),  # a slash inside a sentence is just text
        ("", ""),
    ],
)
def test_a_command_is_read_as_words(typed: str, read_as: str) -> None:
    result = parsed(typed, guarded=True)
    assert result["text"] == read_as
    assert result["intent"] is None and not result["entities"]  # left to the classifiers


def test_training_data_is_left_alone() -> None:
    data = TrainingData([Message(data={TEXT: "yes", INTENT: "affirm"})])
    assert guard().process_training_data(data) is data
    assert data.training_examples[0].get(TEXT) == "yes"
