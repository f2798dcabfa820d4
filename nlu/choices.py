"""Choices: the answer of a choice question ("which condition?", "what type of myositis?") named in free text.

``ChoiceReader`` is plain spaCy (a blank English tokenizer and one ``PhraseMatcher`` per
question over the phrases in ``nlu/data/choices.yaml``). NLU does not know which question
was asked, so ``ChoiceExtractor`` adds a ``choice`` entity for every question whose answers
the message names, with the question as the entity's role; the screening form reads the
one for the question it asked. A message naming two answers of one question ("lupus and
scleroderma") gets a flagged entity (value ``unsure``, low confidence): a person decides.

Besides the phrases:

- misspellings: a word of 5 letters or more that no phrase or cue has is read as the phrase
  word 1 edit away (2 from 8 letters: "Myosits", "difuse"), or as the one-word phrase it
  starts (4 letters or more: "sclero", "poly"), only when that cannot name two choices;
- "the first one", "option 2", "the last one": the n-th choice of every question that has
  that many (the buttons are in the order of the choices in ``choices.yaml``);
- an age of onset under 18 and no periods for a year or more name a choice (``onset``,
  ``no_periods`` in ``choices.yaml``); a yes/no question's "yes" and "no" are read by the
  polarity reader (``nlu/polarity.py``) when no phrase names a choice;
- flagged (value kept, confidence ``DOUBTFUL``): a phrase marked "?", a hedge (the polarity
  reader's, or a ``doubt`` cue of ``choices.yaml``), another condition named beside a type
  ("dermatomyositis with scleroderma overlap"), a "no" that goes on to give reasons;
- of two answers, the one said after a "now" cue counts ("it started limited, now it's diffuse").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import spacy
import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token
from spacy.util import filter_spans

from nlu.base import Found, RuleComponent
from nlu.choice_scope import UNSURE, Named, denied_spans, latest, undenied
from nlu.polarity import CUES as POLARITY_CUES
from nlu.polarity import Polarity, PolarityReader
from nlu.polarity import default_reader as polarity_reader
from nlu.text import deletions, distance, normalise

PHRASES = Path(__file__).parent / "data" / "choices.yaml"
ENTITY = "choice"
OTHER = "other"  # the choice a cohort beats when both are named ("lupus and RA": lupus, checked)
BOTH = 0.5  # two answers named: below the bar at which the form commits to an answer
DOUBTFUL = 0.5  # named, but a person should check before it is used
CHECK, DECIDE = "?", "!"  # phrase marks (see choices.yaml)
DESCRIBED = "!?"  # both: decides the answer, and a person checks it (a description, not a name)
YES_NO = ("yes", "no")  # a question with these choices takes the polarity reader's yes and no
ADULT = 18  # onset at this age or later is not juvenile
MENOPAUSE_MONTHS = 12  # no periods for this long: menopause, clinically
REASONS = 3  # words besides a "no" that make it a "no, because ..." (flagged)
SHORT, LONG = 5, 8  # words this long may be 1 / 2 edits off a phrase word
PREFIX = 4  # a word this long may be the start of a one-word phrase
# Besides "questions", what choices.yaml may hold.
SECTIONS = (
    "every_question", "doubt", "now", "subtypes", "ordinals", "ordinal_numbered", "ordinal_fillers", "onset",
    "no_periods", "negation", "earlier", "alongside", "overlap_answers",
)  # fmt: skip

_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "several": 2, "many": 2}  # fmt: skip
_ONSET = re.compile(
    r"\b(?:when|since|from when) (?:i|she|he) was (?:only |just |about |around )?(\d{1,2})\b"
    r"|\b(?:at|since|from) (?:the )?age (?:of )?(\d{1,2})\b|\baged (\d{1,2})\b",
    re.IGNORECASE,
)
_NO_PERIODS = re.compile(
    r"\b(?:no|not had an?|not had any|had no|without an?|without|stopped having|stopped my)\s+"
    r"(?:menstrual\s+)?(?:periods?|menses|menstruation)\s+(?:for|in|since)\s+"
    r"(?:(over|more than|about|around|almost|nearly)\s+)?(\d+|[a-z]+)\s+(years?|yrs?|months?)\b",
    re.IGNORECASE,
)


# "menopause 5 year already", "menopausal for 3 years": the menopause said with how long (as no periods).
_MENOPAUSE_FOR = re.compile(
    r"\b(?:post[\s-]?)?menopaus(?:e|al)\s+(?:for\s+|since\s+)?(?:(over|more than|about|around|almost|nearly)\s+)?"
    r"(\d+|[a-z]+)\s+(years?|yrs?|months?)\b",
    re.IGNORECASE,
)


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

    def __init__(
        self,
        nlp: Language,
        phrases: Mapping[str, Mapping[str, list[str] | None]],
        cues: Mapping[str, Any] | None = None,
        polarity: PolarityReader | None = None,
    ) -> None:
        """One matcher per question (match ids: choice key + mark); ``cues``: the other sections of ``choices.yaml``."""
        cues = cues or {}
        self.nlp = nlp
        self.polarity = polarity if polarity is not None else polarity_reader()
        self.choices = {q: [key for key in choices if key != UNSURE] for q, choices in phrases.items()}
        self.matchers: dict[str, PhraseMatcher] = {}
        self.words: dict[str, dict[str, set[str]]] = {}  # question -> phrase word -> choices it is in
        self.single: dict[str, dict[str, str]] = {}  # question -> one-word phrase -> choice
        shared = cues.get("every_question") or {}
        for question, choices in phrases.items():
            matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
            words: dict[str, set[str]] = {}
            single: dict[str, str] = {}
            for key in dict.fromkeys([*choices, *shared]):
                by_mark: dict[str, list[Doc]] = {"": [], CHECK: [], DECIDE: [], DESCRIBED: []}
                for phrase in [*(choices.get(key) or []), *(shared.get(key) or [])]:
                    said = str(phrase)
                    mark = DESCRIBED if said[:2] == DESCRIBED else said[0] if said[:1] in (CHECK, DECIDE) else ""
                    doc = nlp.make_doc(normalise(said[len(mark) :]))
                    by_mark[mark].append(doc)
                    for token in doc:
                        words.setdefault(token.lower_, set()).add(key)
                    if len(doc) == 1 and doc[0].is_alpha:
                        single.setdefault(doc[0].lower_, key)
                for mark, docs in by_mark.items():
                    if docs:
                        matcher.add(key + mark, docs)
            self.matchers[question] = matcher
            self.words[question] = words
            self.single[question] = single
        doubt = cues.get("doubt") or {}
        self.doubt = PhraseMatcher(nlp.vocab, attr="LOWER")
        for scope, said in doubt.items():
            self.doubt.add(str(scope), [nlp.make_doc(normalise(str(cue))) for cue in said or []])
        self.subtypes: dict[str, dict[str, str]] = {
            q: dict(parent) for q, parent in (cues.get("subtypes") or {}).items()
        }
        self.ordinals = {str(word).lower(): int(n) for word, n in (cues.get("ordinals") or {}).items()}
        self.numbered = {str(word).lower() for word in cues.get("ordinal_numbered") or []}
        self.fillers = {str(word).lower() for word in cues.get("ordinal_fillers") or []}
        self.onset: dict[str, str] = dict(cues.get("onset") or {})
        self.no_periods: dict[str, str] = dict(cues.get("no_periods") or {})
        self.overlap_answers: dict[str, str] = dict(cues.get("overlap_answers") or {})
        self.alongside = {
            q: {normalise(str(w)).casefold() for w in said or []} for q, said in (cues.get("alongside") or {}).items()
        }
        self.now = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.now.add("now", [nlp.make_doc(normalise(str(cue))) for cue in cues.get("now") or []])
        self.now.add("earlier", [nlp.make_doc(normalise(str(cue))) for cue in cues.get("earlier") or []])
        negation = cues.get("negation") or {}
        if set(negation) - {"before", "pseudo"}:
            raise ValueError(f"{PHRASES.name}: negation has before and pseudo cues")
        self.negation = PhraseMatcher(nlp.vocab, attr="LOWER")
        for kind in ("before", "pseudo"):
            self.negation.add(kind, [nlp.make_doc(normalise(str(cue))) for cue in negation.get(kind) or []])
        # Words not to read as misspellings: one-word phrases, and the words of cues and polarity cues.
        self.known = {w for ws in self.single.values() for w in ws} | self.ordinals.keys() | self.fillers
        polarity_cues = yaml.safe_load(POLARITY_CUES.read_text(encoding="utf-8"))
        for said in [*_phrases(doubt), *_phrases(shared), *_phrases(cues.get("now")), *_phrases(polarity_cues)]:
            self.known |= {token.lower_ for token in nlp.make_doc(normalise(said))}
        self.near: dict[str, set[str]] = {}  # a phrase word with letters deleted -> the phrase words
        for word in {w for ws in self.words.values() for w in ws if len(w) > SHORT and w.isalpha()}:
            for variant in deletions(word, _edits(len(word))):
                self.near.setdefault(variant, set()).add(word)
        self.corrected: dict[str, dict[str, str]] = {}

    def read(self, text: str) -> list[Choice]:
        """The answers named, per question (at most one entry per question)."""
        prepared = normalise(text)
        doc = self.nlp.make_doc(prepared)
        unknown = [t for t in doc if len(t.lower_) >= PREFIX and t.lower_.isalpha() and t.lower_ not in self.known]
        named = {question: self._named(question, doc, unknown, prepared) for question in self.matchers}
        doubts = [(self.nlp.vocab.strings[m], doc[s:e].start_char, doc[s:e].end_char) for m, s, e in self.doubt(doc)]
        polarity = self.polarity.read(text)
        ordinal = self._ordinal(doc)
        times = [(self.nlp.vocab.strings[m], doc[s:e].start_char, doc[s:e].end_char) for m, s, e in self.now(doc)]
        nows = [(start, end) for kind, start, end in times if kind == "now"]
        earlier = [(start, end) for kind, start, end in times if kind == "earlier"]
        denied = denied_spans(doc, [(self.nlp.vocab.strings[m], s, e) for m, s, e in self.negation(doc)])
        found = []
        for question, said in named.items():
            parts = latest(undenied(said, denied), nows, earlier, prepared)
            choice = self._decide(question, parts, named=named, doubts=doubts, polarity=polarity, doc=doc)
            if choice is None and ordinal is not None and ordinal <= len(self.choices[question]):
                choice = Choice(
                    question, self.choices[question][ordinal - 1 if ordinal > 0 else -1], 1.0, 0, len(prepared)
                )
            if choice is not None:
                found.append(choice)
        return found

    def _correct(self, word: str) -> dict[str, str]:
        """The phrase word a misspelt word stands for, per question (none when it could name two choices)."""
        if word in self.corrected:
            return self.corrected[word]
        near = {}
        if len(word) >= SHORT:
            candidates = {c for variant in deletions(word, _edits(len(word))) for c in self.near.get(variant, ())}
            near = {
                c: d for c in candidates if (d := distance(word, c, edits := _edits(min(len(word), len(c))))) <= edits
            }
        fixed = {}
        for question, words in self.words.items():
            here = {c: d for c, d in near.items() if c in words}
            if here:
                best = sorted(c for c, d in here.items() if d == min(here.values()))
                if len(best) == 1 or len(set().union(*(words[c] for c in best))) == 1:
                    fixed[question] = best[0]
                continue
            starts = sorted((w, key) for w, key in self.single[question].items() if w.startswith(word))
            if starts and len({key for _, key in starts}) == 1:
                fixed[question] = min((w for w, _ in starts), key=len)
        if len(self.corrected) > 10_000:
            self.corrected.clear()
        self.corrected[word] = fixed
        return fixed

    def _named(self, question: str, doc: Doc, unknown: list[Token], prepared: str) -> list[Named]:
        """What the message names for one question: phrases (misspellings mended) and the rules."""
        read = doc
        matches = self.matchers[question](doc)
        if unknown:  # words no phrase took, that no cue or one-word phrase has: misspellings?
            covered = {i for _, start, end in matches for i in range(start, end)}
            fixes = {
                t.i: fixed for t in unknown if t.i not in covered and (fixed := self._correct(t.lower_).get(question))
            }
            fixes = {i: fixed for i, fixed in fixes.items() if fixed != doc[i].lower_}
            if fixes:
                words = [fixes.get(token.i, token.text) for token in doc]
                read = Doc(doc.vocab, words=words, spaces=[bool(token.whitespace_) for token in doc])
                matches = self.matchers[question](read)
        labels: dict[tuple[int, int], list[str]] = {}
        for match_id, start, end in matches:
            labels.setdefault((start, end), []).append(self.nlp.vocab.strings[match_id])
        parts = []
        for span in filter_spans([read[start:end] for start, end in labels]):
            original = doc[span.start : span.end]
            for label in labels[(span.start, span.end)]:  # one phrase may name a choice and "unsure"
                mark = DESCRIBED if label.endswith(DESCRIBED) else label[-1] if label[-1] in (CHECK, DECIDE) else ""
                parts.append(Named(label[: len(label) - len(mark)], mark, original.start_char, original.end_char))
        ruled = []
        if question in self.onset:
            for match in _ONSET.finditer(prepared):
                if int(next(group for group in match.groups() if group)) < ADULT:
                    ruled.append(Named(self.onset[question], "", match.start(), match.end()))
        if question in self.no_periods:
            for match in [*_NO_PERIODS.finditer(prepared), *_MENOPAUSE_FOR.finditer(prepared)]:
                qualifier, number, unit = match.groups()
                count = int(number) if number.isdigit() else _NUMBER_WORDS.get(number.lower(), 0)
                months = count * (12 if unit.lower().startswith("y") else 1)
                sure = months >= MENOPAUSE_MONTHS and (qualifier or "").lower() not in {"almost", "nearly"}
                ruled.append(Named(self.no_periods[question], "" if sure else CHECK, match.start(), match.end()))
        if ruled:  # a rule reads the phrases inside its words ("no periods for 12 years") whole
            parts = [p for p in parts if not any(r.start <= p.start and p.end <= r.end for r in ruled)] + ruled
        return parts

    def _decide(
        self,
        question: str,
        parts: list[Named],
        *,
        named: dict[str, list[Named]],
        doubts: list[tuple[str, int, int]],
        polarity: Polarity | None,
        doc: Doc,
    ) -> Choice | None:
        """The answer to one question from what the message names, flagged when in doubt."""
        plain = {p.key for p in parts if not p.mark}  # named outright: "diffuse, it's thick on my chest"
        if any(p.mark in {DECIDE, DESCRIBED} for p in parts):
            parts = [p for p in parts if p.mark in {DECIDE, DESCRIBED}]
        checked = any(p.mark in {CHECK, DESCRIBED} and p.key not in plain for p in parts)
        keys = {p.key for p in parts}
        if keys - {UNSURE}:
            keys.discard(UNSURE)  # "they just said myositis": myositis, for the condition
        confidence = DOUBTFUL if checked else 1.0
        if not keys:
            if polarity is not None and polarity.value in YES_NO and set(self.choices[question]) >= set(YES_NO):
                return self._yes_no(question, polarity, doc, doubts)
            return None
        start, end = min(p.start for p in parts), max(p.end for p in parts)
        if len(keys) > 1 and OTHER in keys and len(keys) == 2:
            # "lupus & sjogrens": the cohort, beside a condition that often comes with it
            # (``alongside``); beside any other ("lupus and RA"), the cohort, checked.
            keys.discard(OTHER)
            others = {doc.text[p.start : p.end].casefold() for p in parts if p.key == OTHER}
            if not others <= self.alongside.get(question, set()):
                confidence = DOUBTFUL
        if len(keys) > 1:
            return Choice(question, UNSURE, BOTH, start, end)
        if _doubted(question, doubts, [(p.start, p.end) for p in parts]):
            confidence = DOUBTFUL
        key = keys.pop()
        if (
            polarity is not None
            and (polarity.reason in {"hedge", "timing"} or polarity.value == UNSURE)
            and (key != UNSURE or polarity.reason is not None)
        ):
            confidence = DOUBTFUL  # "maybe lupus", "not sure, lupus?" (not "not sure, they just said myositis")
        if key in YES_NO and polarity is not None and polarity.value in YES_NO and polarity.value != key:
            confidence = DOUBTFUL  # "No way, I'm on the pill already": the words say no, the thing named yes
        for parent, subtype in self.subtypes.get(question, {}).items():
            if key != self.overlap_answers.get(question) and {p.key for p in named.get(parent, [])} - {
                subtype,
                OTHER,
                UNSURE,
            }:
                confidence = DOUBTFUL  # another condition beside the type: an overlap
        return Choice(question, key, confidence, start, end)

    def _yes_no(self, question: str, polarity: Polarity, doc: Doc, doubts: list[tuple[str, int, int]]) -> Choice:
        """A yes/no choice question's answer as the polarity reader reads it."""
        confidence = polarity.confidence
        if _doubted(question, doubts, [(polarity.start, polarity.end)]):
            confidence = min(confidence, DOUBTFUL)  # "yes i guess"
        said = [t for t in doc if t.is_alpha and not (polarity.start <= t.idx < polarity.end)]
        if polarity.value == "no" and len(said) > REASONS:
            confidence = min(confidence, DOUBTFUL)  # "I don't want to take hormones": a person asks why
        return Choice(question, polarity.value, confidence, polarity.start, polarity.end)

    def _ordinal(self, doc: Doc) -> int | None:
        """The n of "the n-th one" (-1: the last), when the message says nothing else."""
        words = [t.lower_ for t in doc if not (t.is_punct and t.lower_ not in self.numbered)]
        numbered = any(w in self.numbered for w in words)
        rest = [w for w in words if w not in self.fillers and w not in self.numbered]
        if len(rest) != 1:
            return None
        if rest[0] in self.ordinals:
            return self.ordinals[rest[0]]
        if numbered and rest[0].isdigit() and 0 < int(rest[0]) < 100:
            return int(rest[0])
        return None


def _doubted(question: str, doubts: list[tuple[str, int, int]], spans: list[tuple[int, int]]) -> bool:
    """A doubt cue for this question outside the words naming the answer ("overlap myositis" is a name)."""
    return any(
        scope in {"all", question} and not any(s <= start and end <= e for s, e in spans)
        for scope, start, end in doubts
    )


def _phrases(section: Any) -> list[str]:
    """Every phrase string in a section of cues (lists, maybe keyed)."""
    if isinstance(section, Mapping):
        return [p for value in section.values() for p in _phrases(value)]
    if isinstance(section, list):
        return [str(p) for p in section]
    return []


def _edits(length: int) -> int:
    return 2 if length >= LONG else 1


def load(path: Path = PHRASES) -> dict[str, Any]:
    """The phrases file; an unknown section is an error (a misspelt one would be silently ignored)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(data) - {"questions", *SECTIONS}
    if unknown or "questions" not in data:
        raise ValueError(
            f"unknown sections {sorted(unknown)} in {path.name}" if unknown else f"{path.name}: no questions"
        )
    return dict(data)


@cache
def default_reader() -> ChoiceReader:
    """The reader over the bundled phrases, on a blank English pipeline."""
    data = load()
    return ChoiceReader(spacy.blank("en"), data["questions"], {k: v for k, v in data.items() if k != "questions"})


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class ChoiceExtractor(RuleComponent):
    """Adds a ``choice`` entity per question the message answers (role: the question id)."""

    def __init__(self, reader: ChoiceReader | None = None) -> None:
        """Use this reader (the bundled phrases by default)."""
        self.reader = reader or default_reader()

    def found(self, text: str) -> Iterable[tuple[str, Found, str | None]]:
        """The answer named for each question, the question as the role."""
        return [(ENTITY, found, found.question) for found in self.reader.read(text)]
