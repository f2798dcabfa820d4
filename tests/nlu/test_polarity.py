"""Polarity on spaCy's blank English pipeline: cues, negation, hedges and contradictions."""

from __future__ import annotations

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.polarity import HEDGED, PolarityExtractor, PolarityReader, default_reader

READER = default_reader()


@pytest.mark.parametrize(
    ("text", "value", "confident"),
    [
        ("yes", "yes", True),
        ("Yep!!", "yes", True),
        ("NO", "no", True),
        ("nope, never had it", "no", True),
        ("no, but doctor warned maybe in future", "no", True),  # what may come later leaves the answer now
        ("maybe in the future", "unsure", False),  # said alone: nothing about now
        ("neverrr", "no", True),  # a stretched word
        ("i dont knwo", "unsure", True),  # two letters swapped in "know": not knowing, never a no (bench seed 89)
        ("not srue", "unsure", True),
        ("no, sore throat only", "no", True),  # only swaps are mended: "sore" is not "sure"
        ("not that I know of", "no", True),  # a negated phrase, read whole
        ("i dont know", "unsure", True),  # "don't know" is not "don't"
        ("not sure 🤷", "unsure", True),
        ("I think so", "yes", False),  # leaning yes, but a hedge
        ("probably not", "no", False),
        ("I don't think so", "no", False),
        ("maybe", "unsure", False),
        ("yes and no", "unsure", False),  # says both
        ("yes... no actually", "unsure", False),  # both cues: never a silent pick
        ("👍", "yes", True),
        ("ok", "yes", True),  # "ok" as the answer's first word is a yes
        ("neither", "no", True),  # neither of the things asked about
        ("not yet", "no", True),
        ("nada", "no", True),
        ("nobody told me", "unsure", True),  # the patient does not know
        ("never heard of it", "unsure", True),
        ("I wouldn't say no", "yes", False),  # two negations: a sideways yes, flagged
        ("can't say I don't", "yes", False),
        ("ja", "yes", False),  # a yes in another language: flagged
        ("si", "yes", False),  # without its accent also Spanish "if"
        ("sí", "yes", True),
        ("I'm anemic but no one knows why", "unsure", False),  # "no one" is not a no
        # A read-back answered in words (found by bench.patients: "that's not right" was not understood).
        ("that's not right", "no", True),
        ("I dnt kno", "unsure", True),  # found by bench.patients: read as "i dnt", a no, and passed
        ("dont no", "unsure", True),
        ("no that's wrong", "no", True),
        ("that is correct", "yes", True),
    ],
)
def test_read(text: str, value: str, confident: bool) -> None:
    found = READER.read(text)
    assert found is not None
    assert found.value == value
    assert (found.confidence == 1.0) is confident


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "I'm on dialysis 3x a week",
        "34",
        "what does that mean",
        "kidneys ok",  # "ok" after a subject says how it is, not yes
        "My heart is fine 👍",
    ],
)
def test_no_cue_no_reading(text: str) -> None:
    assert READER.read(text) is None


def test_the_reason_for_a_flag_is_given() -> None:
    assert READER.read("kinda").reason == "hedge"  # type: ignore[union-attr]
    # "used to", "on and off": a when, not a doubt (what the answer names decides, answers.read)
    assert READER.read("used to, sober 6 years now").reason == "timing"  # type: ignore[union-attr]
    assert READER.read("yes on and off").reason == "timing"  # type: ignore[union-attr]
    assert READER.read("maybe, on and off").reason == "hedge"  # type: ignore[union-attr]
    assert READER.read("yes no").reason == "both"  # type: ignore[union-attr]


def test_cues_are_data_and_checked() -> None:
    reader = PolarityReader(spacy.blank("en"), {"yes": ["aye"], "no": ["nay"]})
    assert reader.read("Aye").value == "yes"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="unknown cue kinds"):
        PolarityReader(spacy.blank("en"), {"yes": ["aye"], "perhaps": ["x"]})


def test_the_component_adds_an_entity() -> None:
    component = PolarityExtractor.create({}, None, Resource("polarity"), ExecutionContext(None))  # type: ignore[arg-type]
    hedged, plain, none = Message(data={TEXT: "probably not"}), Message(data={TEXT: "yes"}), Message(data={TEXT: "34"})
    component.process([hedged, plain, none])
    [entity] = hedged.get(ENTITIES)
    assert (entity["entity"], entity["value"], entity["confidence_entity"], entity["role"]) == (
        "polarity",
        "no",
        HEDGED,
        "hedge",
    )
    assert plain.get(ENTITIES)[0]["value"] == "yes" and "role" not in plain.get(ENTITIES)[0]
    assert not none.get(ENTITIES)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=3000))
def test_any_text_is_read_or_not_never_a_crash(text: str) -> None:
    found = READER.read(text)
    assert found is None or found.value in {"yes", "no", "unsure"}
