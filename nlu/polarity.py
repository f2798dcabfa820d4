"""Polarity: a free-text answer to a yes/no question as yes / no / unsure, and how sure it is.

``PolarityReader`` is plain spaCy (a blank English tokenizer and a ``PhraseMatcher`` over the
cue phrases in ``nlu/data/polarity.yaml``), so it is tested on ``spacy.blank("en")``.
``PolarityExtractor`` is the Rasa component: it adds a ``polarity`` entity to each message,
which the screening form reads for yes/no questions.

A reading is flagged (``confidence`` below 1.0, with the reason) when the patient hedges
("I think so", "probably not", "maybe") or says both yes and no; the form then asks again
or hands off instead of taking it at face value. No cue at all gives no reading. A few
cues ("ok", "👍") are a yes only as the answer's first word: "kidneys ok" is no yes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import spacy
import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Span
from spacy.util import filter_spans

from nlu.base import Found, RuleComponent
from nlu.text import normalise

CUES = Path(__file__).parent / "data" / "polarity.yaml"
KINDS = ("yes", "leading_yes", "no", "unsure", "hedged_yes", "hedged_no", "hedge", "timing", "later")
ENTITY = "polarity"
HEDGED = 0.6  # a hedge or a contradiction: below the bar at which the form commits to an answer


@dataclass(frozen=True)
class Polarity:
    """What a yes/no answer says: ``yes``, ``no`` or ``unsure``; below 1.0 when not to be taken as said."""

    value: str
    confidence: float
    reason: str | None = None  # "hedge", "timing" (a when, not a doubt: "used to") or "both" when flagged
    start: int = 0
    end: int = 0


class PolarityReader:
    """Finds the cue phrases in an answer and decides what it says."""

    def __init__(self, nlp: Language, cues: dict[str, list[str]]) -> None:
        """Build the matcher from cue phrases per kind (see ``nlu/data/polarity.yaml``)."""
        unknown = set(cues) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown cue kinds {sorted(unknown)} in the polarity cues")
        self.nlp = nlp
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for kind in KINDS:
            self.matcher.add(kind, [nlp.make_doc(normalise(phrase)) for phrase in cues.get(kind, [])])

    def read(self, text: str) -> Polarity | None:
        """The polarity of an answer, or None when it has no yes/no cue."""
        doc = self.nlp.make_doc(unswapped(normalise(text)))
        matches = self.matcher(doc)
        kind_of = {(start, end): self.nlp.vocab.strings[match_id] for match_id, start, end in reversed(matches)}
        spans = filter_spans([doc[start:end] for _, start, end in matches])  # the longest cue wins
        spans = [span for span in spans if kind_of[(span.start, span.end)] != "leading_yes" or _leads(span)]
        if not spans:
            return None
        kinds = {kind_of[(span.start, span.end)].replace("leading_yes", "yes") for span in spans}
        start, end = spans[0].start_char, spans[-1].end_char
        if kinds == {"later"}:
            return Polarity("unsure", HEDGED, "hedge", start, end)  # "maybe in the future": nothing about now
        kinds.discard("later")  # "no, but maybe in future": the answer about now stands
        leaning = {"yes"} & kinds | {"no"} & kinds
        leaning |= {"yes" for k in kinds if k == "hedged_yes"} | {"no" for k in kinds if k == "hedged_no"}
        if len(leaning) > 1:
            return Polarity("unsure", HEDGED, "both", start, end)
        if kinds & {"hedged_yes", "hedged_no", "hedge"}:
            return Polarity(leaning.pop() if leaning else "unsure", HEDGED, "hedge", start, end)
        if "timing" in kinds:
            return Polarity(leaning.pop() if leaning else "unsure", HEDGED, "timing", start, end)
        if "unsure" in kinds:
            return Polarity("unsure", 1.0, None, start, end)  # "no, not sure" is not a no
        return Polarity(leaning.pop(), 1.0, None, start, end)


# Words of not knowing typed with two letters swapped ("i dont knwo", "not srue"): read as typed
# right, or "i dont knwo" is a plain no (found by bench.patients, seed 89). Swaps only: "sore"
# is not "sure".
_SWAPPED = {
    word[:i] + word[i + 1] + word[i] + word[i + 2 :]: word
    for word in ("know", "sure", "remember", "think", "idea")
    for i in range(1, len(word) - 1)
}
_LETTERS = re.compile(r"[^\W\d_]+")


def unswapped(text: str) -> str:
    """``text`` with the words of not knowing typed with two neighbours swapped set right (same offsets)."""
    return _LETTERS.sub(lambda match: _SWAPPED.get(match.group(0).lower(), match.group(0)), text)


def _leads(span: Span) -> bool:
    """The cue is the answer's first word (after any punctuation)."""
    return all(token.is_punct or token.is_space for token in span.doc[: span.start])


@cache
def default_reader() -> PolarityReader:
    """The reader over the bundled cues, on a blank English pipeline."""
    cues = yaml.safe_load(CUES.read_text(encoding="utf-8"))
    return PolarityReader(spacy.blank("en"), cues)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class PolarityExtractor(RuleComponent):
    """Adds a ``polarity`` entity (value yes/no/unsure, its confidence, and why it is flagged)."""

    def __init__(self, reader: PolarityReader | None = None) -> None:
        """Use this reader (the bundled cues by default)."""
        self.reader = reader or default_reader()

    def found(self, text: str) -> Iterable[tuple[str, Found, str | None]]:
        """The polarity, when the text has a yes/no cue."""
        found = self.reader.read(text)
        return [] if found is None else [(ENTITY, found, found.reason)]
