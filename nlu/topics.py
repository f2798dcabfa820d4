"""Topics: an answer to a yes/no question that states the fact itself, without a yes or a no.

"I'm on dialysis 3x a week" answers "Do you need dialysis?" with a yes; "bone marrow biopsy,
not a transplant" answers "Have you had a transplant?" with a no. ``TopicReader`` is plain
spaCy (a blank English tokenizer and one ``PhraseMatcher`` per question over the phrases in
``nlu/data/topics.yaml``), so it is tested on ``spacy.blank("en")``.

A mention is denied by a negation cue near it in its clause ("no seizures", "pregnant no"),
and is someone else's, so ignored, after "my dad", "my son" and the like. A question asks
whether any of its subjects is so ("pregnant or breastfeeding"); phrases stating the answer
is no ("NKDA", "minor surgery") give a no. An answer that says both of one subject, affirms
one while stating the answer is no, or names a related thing a clinician must weigh ("a
cornea transplant", "the hep B vaccine") gets a flagged reading (value ``unsure``, below
the form's bar). A thing that may be a subject ("afib" for a heart event) gets a flagged
``yes``: the form takes it only beside the patient's own yes. A question about the last N
days takes a mention dated earlier as a no, and flags one whose time may fall either side
("a stroke in the spring", "this year").

A "when did you last ..." question (``date_or_never``) has things to weigh and things that
count: "the flu jab in October" dates a vaccine, but whether it was a live one is the site's
call, so the topic is flagged and the form takes the date the dates reader found, flagged
too; "the nose spray flu vaccine" counts, and being longer it wins over "flu vaccine".

NLU does not know which question was asked, so ``TopicExtractor`` adds a ``topic`` entity
for every question whose subject the message states, with the question id as the role;
the screening form reads the one for the question it asked (``answers.read``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import spacy
import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from criteria.lexicon import Lexicon
from nlu import calendar, clock, dates
from nlu.base import Found, RuleComponent
from nlu.text import clause_breaks, normalise
from settings import get_settings

PHRASES = Path(__file__).parent / "data" / "topics.yaml"
ENTITY = "topic"
FLAGGED = 0.5  # says both, or needs a clinician: below the bar at which the form commits
NONE = "none"  # phrases stating the answer is no
CHECK = "check"  # related things a clinician must weigh
KINDS = "kinds"  # things that may be a subject ("afib"): a yes when the patient says yes too
ASIDE = "aside"  # minor things that leave a stated no a no ("no, just high blood pressure")
WITHIN = "within_days"
EVER = "ever"  # the question asks about ever: "stopped prednisone" still says yes
MEDICINE = "medicine"  # the entity group of a topic stated by naming a medicine
CLASS = "medicine_class"  # a subject named by every name of a lexicon class (criteria/data/medicines.yaml)
BY_MEDICINE = "by_medicine"  # added by ``load``: the questions with a ``medicine_class`` subject
UNSURE = "unsure"  # phrases that are the question's own "not sure" ("my period is late")
RESERVED = (NONE, CHECK, KINDS, ASIDE, UNSURE, WITHIN, EVER)
BEFORE = 4  # how many words before a mention a negation cue (or "my dad") may be
_BREAKS = clause_breaks("topics")
_CUE_KINDS = ("before", "after", "past", "past_after", "others", "asked", "minimisers", "doubt", "closing", "maybe")


@dataclass(frozen=True)
class Topic:
    """What a message states about one yes/no question."""

    question: str
    value: str  # "yes", "no", or "unsure" when flagged
    confidence: float
    start: int  # character offsets into the normalised text
    end: int
    group: str | None = None  # MEDICINE when the subject is a class of medicines


@dataclass(frozen=True)
class _Mention:
    subject: str  # a subject of the question, NONE, CHECK, KINDS or ASIDE
    denied: bool
    start: int  # token indexes
    end: int


class TopicReader:
    """Finds the phrases stating each question's subject, and whether they are denied."""

    def __init__(
        self,
        nlp: Language,
        topics: Mapping[str, Mapping[str, Any]],
        negation: Mapping[str, Iterable[str]] | None = None,
        *,
        others: Iterable[str] = (),
        asked: Iterable[str] = (),
        minimisers: Iterable[str] = (),
        doubt: Iterable[str] = (),
        closing: Iterable[str] = (),
        maybe: Iterable[str] = (),
        by_medicine: Iterable[str] = (),
    ) -> None:
        """One matcher per question (match ids: its subjects); ``negation`` has ``before`` and ``after`` cues.

        ``by_medicine``: questions whose subject is a class of medicines; their readings carry
        the group ``medicine`` (a medicine named in a list or a dose answer states them too).
        """
        self.nlp = nlp
        self.by_medicine = frozenset(by_medicine)
        self.matchers: dict[str, PhraseMatcher] = {}
        self.within: dict[str, int] = {}
        self.ever: set[str] = set()
        for question, subjects in topics.items():
            matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
            for subject, phrases in subjects.items():
                if subject == WITHIN:
                    self.within[question] = int(phrases)
                    continue
                if subject == EVER:
                    if phrases:
                        self.ever.add(question)
                    continue
                matcher.add(subject, self._docs(phrases))
            self.matchers[question] = matcher
        negation = negation or {}
        self.cues = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.cues.add("before", self._docs(negation.get("before", [])))
        self.cues.add("after", self._docs(negation.get("after", [])))
        self.cues.add("past", self._docs(negation.get("past", [])))
        self.cues.add("past_after", self._docs(negation.get("past_after", [])))
        self.cues.add("others", self._docs(others))
        self.cues.add("asked", self._docs(asked))
        self.cues.add("minimisers", self._docs(minimisers))
        self.cues.add("doubt", self._docs(doubt))
        self.cues.add("closing", self._docs(closing))
        self.cues.add("maybe", self._docs(maybe))

    def _docs(self, phrases: Iterable[object]) -> list[Doc]:
        return [self.nlp.make_doc(normalise(str(phrase))) for phrase in phrases]

    def read(self, text: str, today: date | None = None) -> list[Topic]:
        """What the text states, per question (at most one entry per question)."""
        normalised = normalise(text)
        doc = self.nlp.make_doc(normalised)
        if not len(doc):
            return []
        clause = _clauses(doc)
        cues: dict[str, list[tuple[int, int]]] = {kind: [] for kind in _CUE_KINDS}
        for match_id, start, end in self.cues(doc):
            cues[self.nlp.vocab.strings[match_id]].append((start, end))
        found = []
        when: tuple[date, date] | bool | None = False  # the first and last day of the time named, read once
        for question, matcher in self.matchers.items():
            mentions = self._mentions(doc, matcher, clause, cues, ever=question in self.ever)
            if not mentions:
                continue
            if question in self.within and when is False:
                when = _span_named(normalised, today)
            window = self.within.get(question)
            start_of = today - timedelta(days=window) if window is not None and today is not None else None
            stale = start_of is not None and isinstance(when, tuple) and when[1] < start_of
            value, confidence = _decide(mentions, stale, said_no=_says_no(mentions, cues, clause))
            if value == "yes" and start_of is not None and isinstance(when, tuple) and when[0] < start_of:
                value, confidence = (
                    "unsure",
                    FLAGGED,
                )  # "a stroke in the spring", "this year": maybe before the weeks asked
            if cues["doubt"]:
                value, confidence = "unsure", FLAGGED  # "a blood transfusion, does that count?"
            if any(clause[s] == clause[m.start] for s, _ in cues["maybe"] for m in mentions if not m.denied):
                value, confidence = "unsure", FLAGGED  # "I might need the yellow fever jab"
            start, end = doc[mentions[0].start].idx, doc[mentions[-1].end - 1].idx + len(doc[mentions[-1].end - 1])
            group = MEDICINE if question in self.by_medicine else None
            found.append(Topic(question, value, confidence, start, end, group))
        return found

    def _mentions(
        self,
        doc: Doc,
        matcher: PhraseMatcher,
        clause: list[int],
        cues: dict[str, list[tuple[int, int]]],
        *,
        ever: bool = False,
    ) -> list[_Mention]:
        """The mentions of one question's subjects; ``ever``: cues of a past ("stopped") do not deny them."""
        matches = matcher(doc)
        subject_of = {(start, end): self.nlp.vocab.strings[match_id] for match_id, start, end in reversed(matches)}
        mentions = []
        spans = filter_spans([doc[start:end] for _, start, end in matches])
        covered = {i for span in spans for i in range(span.start, span.end)}
        for span in spans:
            subject = subject_of[(span.start, span.end)]
            # A cue inside another mention ("no meds just diet") does not deny a phrase stating no.
            ignored = covered if subject == NONE else set()

            def near(kind: str, lo: int, hi: int, span: Any = span, ignored: set[int] = ignored) -> bool:
                return any(
                    lo <= s and e <= hi and clause[s] == clause[span.start] and not ignored.intersection(range(s, e))
                    for s, e in cues[kind]
                )

            if near("others", span.start - BEFORE, span.start):
                continue  # "my dad had TB": not the patient's
            if near("asked", span.start - BEFORE, span.start) or doc[span.end : span.end + 1].text.startswith("?"):
                continue  # "what is dialysis", "opsumit?": asked about, not stated
            # A leading "no" is the answer, and agrees with a phrase stating no ("no, my kidneys are fine").
            lo = max(span.start - BEFORE, 1 if subject == NONE else 0)
            after = ("after",) if ever else ("after", "past_after")
            denied = (
                near("before", lo, span.start)
                or (not ever and near("past", lo, span.start))
                or (
                    subject != NONE  # "not for my lungs, no" agrees with a no
                    and any(
                        s == span.end and clause[s] == clause[span.start] and not ignored.intersection(range(s, e))
                        for kind in after
                        for s, e in cues[kind]
                    )
                )
            )
            mentions.append(_Mention(subject, denied, span.start, span.end))
        return mentions


def _says_no(mentions: list[_Mention], cues: dict[str, list[tuple[int, int]]], clause: list[int]) -> bool:
    """The answer says no beside its asides: a leading "no", "just"/"only" in an aside's clause, or "that's it"."""
    if any(start == 0 for start, _ in cues["before"]) or any(m.subject == NONE and not m.denied for m in mentions):
        return True  # "no, ...", "did a survey study, no drug"
    asides = [m for m in mentions if m.subject == ASIDE]
    if asides and cues["closing"]:
        return True  # "a glass of wine at the weekend, that's it"
    return bool(asides) and all(any(clause[s] == clause[m.start] for s, _ in cues["minimisers"]) for m in asides)


def _decide(mentions: list[_Mention], stale: bool, *, said_no: bool = False) -> tuple[str, float]:
    """The value (yes / no / unsure) and how sure, from the mentions of one question's subjects.

    An aside ("just migraines") is weighed like a check unless the answer also says no.
    """
    asides = [m for m in mentions if m.subject == ASIDE and not m.denied]
    if asides and not said_no:
        return "unsure", FLAGGED
    checks = [m for m in mentions if m.subject == CHECK and not m.denied]
    kinds = [m for m in mentions if m.subject == KINDS and not m.denied]
    affirmed = {m.subject for m in mentions if m.subject not in RESERVED and not m.denied}
    denied = {m.subject for m in mentions if m.subject not in RESERVED and m.denied}
    stated_no = [m for m in mentions if m.subject == NONE]
    if checks or affirmed & denied or any(m.denied for m in stated_no):
        return "unsure", FLAGGED  # a clinician's call, or says both of one thing, or "not sober"
    if (affirmed or kinds) and stated_no:
        return "unsure", FLAGGED  # "general anaesthesia but outpatient minor"
    if affirmed or kinds:
        if stale:
            return "no", 1.0
        # "afib" may be a heart event: a yes only beside the patient's own yes (answers.read).
        return "yes", 1.0 if affirmed else FLAGGED
    if any(m.subject == UNSURE and not m.denied for m in mentions) and not stated_no:
        return "unsure", 1.0  # "my period is late": the question asks for "not sure" then
    return "no", 1.0  # only denied subjects, or phrases stating no


def _span_named(text: str, today: date | None) -> tuple[date, date] | None:
    """The first and last day of the time the text names (a day, a month, a year), if it names one."""
    if today is None:
        return None
    reading = dates.default_reader().read(text, today)
    if reading is None or not isinstance(reading.value, dict):
        return None  # a hedged time still says when ("about 2019"); "never" or none says nothing
    return calendar.span(reading.value)


def _clauses(doc: Doc) -> list[int]:
    """The clause number of each token: punctuation and "but" start a new one."""
    numbers, number = [], 0
    for token in doc:
        if token.lower_ in _BREAKS:
            number += 1
        numbers.append(number)
    return numbers


def load(path: Path = PHRASES, trial: str | None = None) -> dict[str, Any]:
    """The phrases file, checked against ``trial`` (by default the trial in use, ``TRIAL_ID``).

    The file names the trial it is written for (``trial``): it must be the one in use. Every
    entry is a phrase list; every topic a yes/no question of that trial, or a "when did you
    last ..." question (``date_or_never``) with ``check`` phrases and subjects.
    """
    from criteria import load_trial  # noqa: PLC0415 - only to check the file
    from criteria.lexicon import load_lexicon  # noqa: PLC0415

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(data) - {"trial", "negation", "asked", "others", "minimisers", "doubt", "closing", "maybe", "topics"}
    if unknown:
        raise ValueError(f"unknown sections {sorted(unknown)} in {path.name}")
    in_use = load_trial(trial or get_settings().trial_id)
    if data.get("trial") != in_use.id:
        raise ValueError(f"{path.name} is written for trial {data.get('trial')}, not for {in_use.id}, the one in use")
    trial = in_use.id
    cues = [
        *(data.get("negation") or {}).values(),
        *(data.get(k) or [] for k in ("asked", "others", "minimisers", "doubt", "closing", "maybe")),
    ]
    if not all(isinstance(c, list) and all(isinstance(p, str) and p.strip() for p in c) for c in cues):
        raise ValueError(f"{path.name}: cues are lists of phrases (quote yes and no)")
    facts = in_use.facts
    lexicon = load_lexicon()
    yes_no = {fact_id for fact_id, fact in facts.items() if fact.answer.type == "yes_no"}
    when = {fact_id for fact_id, fact in facts.items() if fact.answer.type == "date_or_never"}
    topics = data.get("topics") or {}
    bad = sorted(set(topics) - yes_no - when)
    if bad:
        raise ValueError(f"{path.name}: {bad} are not yes/no or date_or_never questions of {trial}")
    by_medicine: set[str] = set()
    for question, subjects in topics.items():
        if not isinstance(subjects, dict) or not subjects:
            raise ValueError(f"{path.name}: {question} needs its subjects and their phrases")
        if question in when and (not {CHECK, ASIDE} & set(subjects) or {WITHIN, KINDS} & set(subjects)):
            # A date answer's value comes from the dates reader; a topic only says a clinician must look.
            raise ValueError(f"{path.name}: {question} asks for a date: it takes {CHECK} phrases and subjects")
        for subject, phrases in subjects.items():
            if subject == WITHIN:
                if not isinstance(phrases, int) or phrases <= 0:
                    raise ValueError(f"{path.name}: {question}.{WITHIN} is a number of days")
            elif subject == EVER:
                if not isinstance(phrases, bool):
                    raise ValueError(f"{path.name}: {question}.{EVER} is true or false")
            elif isinstance(phrases, dict):
                if set(phrases) != {CLASS} or phrases[CLASS] not in lexicon.classes:
                    raise ValueError(f"{path.name}: {question}.{subject} is a list of phrases or {{{CLASS}: <class>}}")
                subjects[subject] = class_names(lexicon, str(phrases[CLASS]))
                by_medicine.add(question)
            elif not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
                raise ValueError(f"{path.name}: {question}.{subject} is a list of phrases")
    data[BY_MEDICINE] = sorted(by_medicine)
    return data


def class_names(lexicon: Lexicon, name: str) -> list[str]:
    """Every name, brand and alias of the medicines of one lexicon class (names live in the lexicon only)."""
    return sorted({n for m in lexicon.medicines.values() if name in m.classes for n in m.names()})


@cache
def default_reader() -> TopicReader:
    """The reader over the bundled phrases, on a blank English pipeline."""
    data = load()
    return TopicReader(
        spacy.blank("en"),
        data["topics"],
        data.get("negation"),
        others=data.get("others") or (),
        asked=data.get("asked") or (),
        minimisers=data.get("minimisers") or (),
        doubt=data.get("doubt") or (),
        closing=data.get("closing") or (),
        maybe=data.get("maybe") or (),
        by_medicine=data[BY_MEDICINE],
    )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class TopicExtractor(RuleComponent):
    """Adds a ``topic`` entity per yes/no question whose subject the message states (role: the question id)."""

    def __init__(self, reader: TopicReader | None = None) -> None:
        """Use this reader (the bundled phrases by default)."""
        self.reader = reader or default_reader()

    def found(self, text: str) -> Iterable[tuple[str, Found, str | None]]:
        """What the text states for each question, the question as the role."""
        return [(ENTITY, found, found.question) for found in self.reader.read(text, clock.screening_day())]
