"""Choices: the answer of a choice question ("which condition?", "what type of myositis?") named in free text.

``ChoiceReader`` is plain spaCy (a blank English tokenizer and one ``PhraseMatcher`` per
question over the phrases in ``nlu/data/choices.yaml``). NLU does not know which question
was asked, so ``ChoiceExtractor`` adds a ``choice`` entity for every question whose answers
the message names, with the question as the entity's role; the screening form reads the
one for the question it asked. A message naming two answers of one question ("lupus and
scleroderma") gets a flagged entity (value ``unsure``, low confidence): a person decides.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import spacy
import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.util import filter_spans

from nlu.base import Found, RuleComponent
from nlu.numbers import SURROGATE as _SURROGATE

PHRASES = Path(__file__).parent / "data" / "choices.yaml"
ENTITY = "choice"
BOTH = 0.5  # two answers named: below the bar at which the form commits to an answer


@dataclass(frozen=True)
class Choice:
    """The answer a message names for one question."""

    question: str
    value: str  # a choice key, or "unsure" when two were named
    confidence: float
    start: int
    end: int


class ChoiceReader:
    """Finds the phrases naming each question's answers."""

    def __init__(self, nlp: Language, phrases: dict[str, dict[str, list[str]]]) -> None:
        """One matcher per question; match ids are the choice keys."""
        self.nlp = nlp
        self.matchers: dict[str, PhraseMatcher] = {}
        for question, choices in phrases.items():
            matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
            for key, words in choices.items():
                matcher.add(key, [nlp.make_doc(_normalise(str(word))) for word in words])
            self.matchers[question] = matcher

    def read(self, text: str) -> list[Choice]:
        """The answers named, per question (at most one entry per question)."""
        doc = self.nlp.make_doc(_normalise(text))
        found = []
        for question, matcher in self.matchers.items():
            matches = matcher(doc)
            key_of = {(start, end): self.nlp.vocab.strings[match_id] for match_id, start, end in reversed(matches)}
            spans = filter_spans([doc[start:end] for _, start, end in matches])
            keys = {key_of[(span.start, span.end)] for span in spans}
            if not keys:
                continue
            start, end = spans[0].start_char, spans[-1].end_char
            if len(keys) > 1:
                found.append(Choice(question, "unsure", BOTH, start, end))
            else:
                found.append(Choice(question, keys.pop(), 1.0, start, end))
        return found


def _normalise(text: str) -> str:
    # Lone surrogates (JSON allows them) cannot be encoded: replaced one for one.
    text = unicodedata.normalize("NFKC", _SURROGATE.sub("?", text)).replace("\u2019", "'")
    return " ".join(text.split())


@cache
def default_reader() -> ChoiceReader:
    """The reader over the bundled phrases, on a blank English pipeline."""
    return ChoiceReader(spacy.blank("en"), yaml.safe_load(PHRASES.read_text(encoding="utf-8")))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class ChoiceExtractor(RuleComponent):
    """Adds a ``choice`` entity per question the message answers (role: the question id)."""

    def __init__(self, reader: ChoiceReader | None = None) -> None:
        """Use this reader (the bundled phrases by default)."""
        self.reader = reader or default_reader()

    def found(self, text: str) -> Iterable[tuple[str, Found, str | None]]:
        """The answer named for each question, the question as the role."""
        return [(ENTITY, found, found.question) for found in self.reader.read(text)]
