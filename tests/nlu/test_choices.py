"""Choices on spaCy's blank English pipeline: each question's answers named in free text."""

from __future__ import annotations

import pytest
import spacy
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from criteria import load_trial
from nlu.choices import BOTH, PHRASES, ChoiceExtractor, ChoiceReader, default_reader
from tests.bot.test_domain import domain

READER = default_reader()


def named(text: str) -> dict[str, tuple[str, float]]:
    return {c.question: (c.value, c.confidence) for c in READER.read(text)}


@pytest.mark.parametrize(
    ("text", "question", "value"),
    [
        ("lupus", "condition", "sle"),
        ("Systemic Lupus Erythematosus", "condition", "sle"),  # the longest phrase, any case
        ("I was diagnosed with scleroderma in 2019", "condition", "ssc"),
        ("dermatomyositis", "condition", "iim"),  # a type of myositis names the condition too
        ("dermatomyositis", "myositis_type", "dermatomyositis"),
        ("anti-Jo1 positive", "myositis_type", "antisynthetase"),
        ("CREST", "ssc_type", "limited"),
        ("F", "sex", "female"),
        ("had a hysterectomy", "contraception_agreement", "not_applicable"),
    ],
)
def test_read(text: str, question: str, value: str) -> None:
    assert named(text)[question] == (value, 1.0)


def test_two_answers_to_one_question_are_flagged() -> None:
    assert named("lupus and scleroderma overlap")["condition"] == ("unsure", BOTH)


@pytest.mark.parametrize("text", ["", "34", "not sure", "what does that mean"])
def test_nothing_named(text: str) -> None:
    assert READER.read(text) == []


def test_phrases_name_real_choices() -> None:
    trial = load_trial("NCT07193810")
    for question, choices in yaml.safe_load(PHRASES.read_text(encoding="utf-8")).items():
        assert trial.facts[question].answer.type == "choice"
        assert set(choices) <= set(trial.facts[question].answer.choices or {}), question


def test_the_domain_declares_every_question_as_a_role() -> None:
    [declared] = [e["choice"] for e in domain()["entities"] if isinstance(e, dict) and "choice" in e]
    assert set(declared["roles"]) == set(yaml.safe_load(PHRASES.read_text(encoding="utf-8")))


def test_the_component_adds_one_entity_per_question() -> None:
    message = Message(data={TEXT: "dermatomyositis"})
    ChoiceExtractor(ChoiceReader(spacy.blank("en"), {"condition": {"iim": ["dermatomyositis"]}})).process([message])
    assert [(e["entity"], e["role"], e["value"]) for e in message.get(ENTITIES)] == [("choice", "condition", "iim")]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_any_text_never_crashes(text: str) -> None:
    for found in READER.read(text):
        assert 0 < found.confidence <= 1.0
