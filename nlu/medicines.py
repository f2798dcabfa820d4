"""Medicine lists: "cellcept and plaquenil for about a year", "MMF, HCQ, pred", "none".

``MedicineNames`` finds the medicines a text names: one ``PhraseMatcher`` over every name in
the lexicon (``criteria/data/medicines.yaml`` through ``criteria.lexicon``: names live there
only), misspellings within a small edit distance of exactly one medicine's name, shorthands
that start the names of exactly one medicine (guessed, so flagged), and generic-looking
words the lexicon does not know ("sildenafil"). ``MedicineReader`` reads an answer to "which
medicines do you take / did you take?" into the form ``criteria.coerce`` takes: ``"none"``,
or a list of ids, ``{"medicine": id, "duration": "2 years"}`` and the patient's words for a
medicine the lexicon does not know. Cue words are data (``nlu/data/medicines_cues.yaml``).

A reading is flagged (confidence 0.5 and a reason) when it must not be taken at face value:
a hedge ("I think", "Cellcept? or was it Imuran"), a range ("2-3 years"), a vague time or an
incomplete list ("for a while", "steroids and plaquenil"), current and past medicines named
together (NLU does not know which question was asked), or circumstances a clinician checks
("in a trial", a guessed shorthand). ``MedicineExtractor`` is the Rasa component: it adds one
``medicines`` entity per message that names medicines or says none.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from criteria.lexicon import Lexicon, fold_name, load_lexicon
from nlu import clock, dates
from nlu.base import Found, RuleComponent
from nlu.numbers import Amount, Number, NumberReader, prepare
from nlu.numbers import default_reader as number_reader

CUES = Path(__file__).parent / "data" / "medicines_cues.yaml"
ENTITY = "medicines"
FLAGGED = 0.5  # below the bar at which the form commits to an answer
REASONS = ("hedge", "both", "range", "vague", "unclear")  # the first that applies is the entity's role
PHRASES = ("none", "hedge", "vague", "unnamed", "forgot", "unclear", "short_course", "planned", "now", "before",
           "shared", "others", "since", "negated", "negated_after", "other_reason", "from", "until",
           "doses")  # fmt: skip
WORDS = ("not_names", "stems", "seasons", "round_vague", "often", "not_length", "n_often", "lead_in", "dose_forms")
KINDS = (*PHRASES, *WORDS, "holidays", "class_words")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")  # fmt: skip
_MONTH_OF = {**{m: i for i, m in enumerate(MONTHS, 1)}, **{m[:3]: i for i, m in enumerate(MONTHS, 1) if m != "may"}}
_MONTH_OF.update({"sept": 9})
_TIME_UNITS = {"day", "week", "month", "year"}
# Between two medicines of one list: a length of time after the last is said for all of them.
_JOINERS = {"and", "&", "+", ",", "/", "plus", "(", ")", "or", "n"}
# Where a clause ends, for cues about one medicine ("MabThera last year and CellCept now").
_COUNT_WORDS = {"one", "two", "three", "four", "once", "twice"}
_BOUNDARIES = {",", ".", ";", ":", "but", "then", "→", "->", "•", "!", "(", ")", "-"}
_SURROGATES = re.compile(r"[\ud800-\udfff]")
MAX_CHARS = 1000  # an answer is read to here: answers are a line or two, and the rules are not linear in length

Cues = dict[str, list[tuple[int, int]]]  # cue kind -> (start, end) token spans


def prepared(nlp: Language, text: str) -> Doc:
    """The prepared text (``nlu.numbers.prepare``) to ``MAX_CHARS``, tokenised; offsets are into ``prepare(text)``."""
    return nlp.make_doc(prepare(_SURROGATES.sub("\ufffd", text))[:MAX_CHARS])  # spaCy cannot store lone surrogates


@dataclass(frozen=True)
class Mention:
    """A medicine named in a text: its lexicon id (None when unknown), and the words used."""

    medicine: str | None
    said: str
    start: int  # token indexes in the prepared doc
    end: int
    guessed: bool = False  # a shorthand read as the one medicine it starts (flag it)


class MedicineNames:
    """Finds medicine names in a prepared ``Doc``: lexicon names, misspellings, shorthands, unknown generics."""

    def __init__(
        self, nlp: Language, lexicon: Lexicon, stems: Iterable[str] = (), not_names: Iterable[str] = ()
    ) -> None:
        """Index every lexicon name; ``stems`` end generic names, ``not_names`` are never names."""
        self.lexicon = lexicon
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._fuzzy: dict[str, set[str]] = defaultdict(set)  # a name with letters deleted -> one-word names
        self._one_word: dict[str, str] = {}
        self._prefixes: dict[str, set[str]] = defaultdict(set)
        for medicine in lexicon.medicines.values():
            spellings = {prepare(name) for name in medicine.names()} | {
                prepare(fold_name(name)) for name in medicine.names()
            }
            self.matcher.add(medicine.id, [nlp.make_doc(spelling) for spelling in sorted(spellings)])
            for spelling in spellings:
                word = spelling.casefold()
                if word.isalpha() and len(word) >= 6:
                    self._one_word[word] = medicine.id
                    for variant in _deletions(word, 2 if len(word) >= 9 else 1):
                        self._fuzzy[variant].add(word)
                first = word.split(" ")[0]
                for size in range(5, len(first) + 1):
                    self._prefixes[first[:size]].add(medicine.id)
        self.names = set(lexicon.all_names())
        self.stems = tuple(str(stem) for stem in stems)
        self.not_names = {str(word).casefold() for word in not_names}

    def mentions(self, doc: Doc, skip: Iterable[int] = ()) -> list[Mention]:
        """Every medicine the doc names, left to right (tokens in ``skip`` are cue words, never names)."""
        matches = self.matcher(doc)
        id_of = {(start, end): doc.vocab.strings[key] for key, start, end in matches}
        found = [
            Mention(id_of[(span.start, span.end)], span.text, span.start, span.end)
            for span in filter_spans([doc[start:end] for _, start, end in matches])
        ]
        taken = {i for mention in found for i in range(mention.start, mention.end)} | set(skip)
        for token in doc:
            word = token.lower_
            if token.i in taken or len(word) < 5 or not word.isalpha() or word in STOP_WORDS or word in self.not_names:
                continue
            medicine = self._misspelt(word)
            if medicine is not None:
                found.append(Mention(medicine, token.text, token.i, token.i + 1))
            elif len(ids := self._prefixes.get(word, set())) == 1:
                found.append(Mention(next(iter(ids)), token.text, token.i, token.i + 1, guessed=True))
        return sorted(found, key=lambda mention: mention.start)

    def _misspelt(self, word: str) -> str | None:
        """The one medicine a word is a misspelling of (edit distance 1, or 2 for long names)."""
        if len(word) < 6:
            return None
        candidates = set().union(*(self._fuzzy.get(variant, set()) for variant in _deletions(word, 2)))
        best: dict[int, set[str]] = defaultdict(set)
        for name in candidates:
            allowed = 2 if len(name) >= 9 and len(word) >= 9 else 1
            distance = _distance(word, name, allowed)
            if distance <= allowed:
                best[distance].add(self._one_word[name])
        if not best:
            return None
        ids = best[min(best)]
        return next(iter(ids)) if len(ids) == 1 else None  # as close to two medicines: a misspelling of neither

    def unknown(self, word: str) -> bool:
        """A word that looks like a generic name (an INN stem) but is not in the lexicon."""
        word = word.casefold()
        return (
            len(word) >= 7
            and word.isalpha()
            and word not in self.names
            and word not in self.not_names
            and word.endswith(self.stems)
        )


def _deletions(word: str, depth: int) -> set[str]:
    """The word with up to ``depth`` letters deleted (a symmetric-delete index for the edit distance)."""
    found = frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found = found | frontier
    return found


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (swapping two neighbours counts one), capped just above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


@dataclass(frozen=True)
class MedicineList:
    """What a medicine answer says: ``"none"`` or a list; confidence below 1.0 when not to be taken as said."""

    value: str | list[str | dict[str, str]]  # "none", a list, or "unsure" (flagged) when none could be named
    confidence: float
    reason: str | None  # one of REASONS when flagged
    start: int  # character offsets into ``prepare(text)``
    end: int


@dataclass
class _Length:
    """A length of time said in the answer."""

    duration: str | None  # "2 years"; None when there is no usable length
    start: int  # tokens
    end: int
    flag: str | None = None  # "range", "vague", "unclear"
    others: bool = False  # "the others about 5": for every medicine without its own
    shared: bool = False  # "all for 18 months": for every medicine before it without its own


@dataclass
class _Item:
    """A medicine named, what the words around it say of it."""

    mention: Mention
    lengths: list[_Length] = field(default_factory=list)
    when: str | None = None  # "now" / "before" when the words say so
    planned: bool = False  # "waiting to start rituximab"


@dataclass(frozen=True)
class _Text:
    """One answer as the reader sees it."""

    doc: Doc
    words: list[str]  # lower case
    cues: Cues
    numbers: dict[int, Number]  # by first token
    amounts: dict[int, Amount]
    today: date

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Character offsets of tokens ``start:end``."""
        return self.doc[start].idx, self.doc[end - 1].idx + len(self.doc[end - 1])


class MedicineReader:
    """Reads an answer naming medicines, and how long each was taken."""

    def __init__(self, numbers: NumberReader, lexicon: Lexicon, cues: dict[str, Any]) -> None:
        """Build the matchers (cue phrases per kind, see ``nlu/data/medicines_cues.yaml``)."""
        unknown = set(cues) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown cue kinds {sorted(unknown)} in the medicine cues")
        self.numbers = numbers
        nlp = numbers.nlp
        self.names = MedicineNames(nlp, lexicon, cues.get("stems", ()), cues.get("not_names", ()))
        self.holidays = {
            prepare(str(name)).casefold(): int(month) for name, month in (cues.get("holidays") or {}).items()
        }
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for kind in PHRASES:
            self.matcher.add(kind, [nlp.make_doc(prepare(str(phrase))) for phrase in cues.get(kind, [])])
        self.matcher.add("holidays", [nlp.make_doc(name) for name in self.holidays])
        self.words = {kind: {str(word).casefold() for word in cues.get(kind, [])} for kind in WORDS}
        self.class_words = {
            prepare(str(word)).casefold(): str(name) for word, name in (cues.get("class_words") or {}).items()
        }
        if bad := set(self.class_words.values()) - set(lexicon.classes):
            raise ValueError(f"class_words name unknown classes {sorted(bad)}")
        # A dose before "a day" makes it how often: "70 mg a day for 3 months".
        self.dose_words = {w for w, unit in numbers.unit_of.items() if unit in {"mg", "g", "mcg"}} | self.words[
            "dose_forms"
        ]
        # Every word of a cue, unit or month: never part of an unknown medicine's name.
        self.vocabulary = {word for kind in PHRASES for phrase in cues.get(kind, [])
                           for word in prepare(str(phrase)).casefold().split()} - {"a", "the"}  # fmt: skip
        self.vocabulary |= set(numbers.unit_of) | set(_MONTH_OF) | set(self.holidays) | self.words["often"]

    def read(self, text: str, *, today: date | None = None, when: str | None = None) -> MedicineList | None:
        """The medicines an answer names, or None when it names none and does not say none.

        Args:
            text: what the patient typed.
            today: the screening date lengths are counted to ("since 2020"); today by default.
            when: ``"now"`` or ``"before"`` when the question asked is known: medicines the words
                place at the other time are left out. None: both kinds named together are flagged.
        """
        answer = self._text(text, today)
        doc, cues = answer.doc, answer.cues
        cue_tokens = {i for kind in ("unnamed", "vague", "none") for s, e in cues[kind] for i in range(s, e)}
        mentions = self.names.mentions(doc, skip=cue_tokens)
        items = [_Item(mention) for mention in mentions]
        unnamed = [] if cues["none"] and not items else self._unknown(answer, mentions)
        reasons: set[str] = set()
        for start, end in cues["unnamed"]:
            if self._denied_cue(answer, start) or self._class_named(answer, start, end, mentions):
                continue  # "hcq, no steroids"; "only steroids, medrol and then pred"
            if not any(_describes(answer.words, start, end, mention) for mention in mentions):
                unnamed.append(Mention(None, doc[start:end].text, start, end))  # "steroids", "some pills"
                reasons.add("vague")
        self._place(items, answer)
        self._lengths(items, answer)
        denied = [item for item in items if not item.planned and self._negated(item, answer)]
        items = [item for item in items if not item.planned and item not in denied]
        if denied and not items and not unnamed:
            # "dexamethasone for covid, not for the lupus": every medicine named is denied.
            return MedicineList("none", 1.0, None, *answer.span(denied[0].mention.start, denied[-1].mention.end))
        if not items and not unnamed:
            if cues["forgot"]:  # "I can't remember which ones": takes something, cannot say what
                return MedicineList("unsure", FLAGGED, "vague", *answer.span(*cues["forgot"][0]))
            nothing = cues["none"] or (cues["planned"] if mentions else [])
            return MedicineList("none", 1.0, None, *answer.span(*nothing[0])) if nothing else None
        reasons |= self._flags(items, answer)
        if any(self._other_reason(item, answer) for item in items):
            reasons.add("unclear")  # "Ocrevus for my MS, not for lupus": it may still count; a person looks
        if when is not None:
            other = "before" if when == "now" else "now"
            if items and all(item.when == other for item in items) and not unnamed:
                # "No. Only plaquenil which I still take", asked about the past: none then, read back.
                span = answer.span(items[0].mention.start, items[-1].mention.end)
                return MedicineList("none", FLAGGED, "both", *span)
            items = [item for item in items if item.when != other]
        elif any(item.when for item in items) and len({item.when for item in items}) > 1:
            reasons.add("both")  # medicines placed now and before: which belong to the question asked?
        named = [item.mention for item in items] + unnamed
        start, end = min(m.start for m in named), max(m.end for m in named)
        reason = next((r for r in REASONS if r in reasons), None)
        return MedicineList(_value(items, unnamed), FLAGGED if reason else 1.0, reason, *answer.span(start, end))

    def _text(self, text: str, today: date | None) -> _Text:
        """The answer with its cues, numbers and amounts found."""
        doc = prepared(self.numbers.nlp, text)
        cues: Cues = defaultdict(list)
        for key, start, end in self.matcher(doc):
            cues[doc.vocab.strings[key]].append((start, end))
        numbers = self.numbers.numbers(doc)
        amounts = {amount.start: amount for amount in self.numbers.amounts(doc, numbers)}
        return _Text(
            doc, [t.lower_ for t in doc], cues, {n.start: n for n in numbers}, amounts, today or clock.screening_day()
        )

    def lengths(self, text: str, *, today: date | None = None) -> list[tuple[str | None, str | None, int, int]]:
        """Every length of time in ``text`` ("for 2 years", "since 2019"): (length, flag, start, end).

        The flag is "range", "vague", "unclear" or None; for an answer to "How long have you
        taken X?", which names no medicine.
        """
        answer = self._text(text, today)
        hedged = "hedge" if answer.cues["hedge"] else None  # "5 yrs, maybe longer"
        return [(length.duration, length.flag or hedged, *answer.span(length.start, max(length.end, length.start + 1)))
                for length in self._spans(answer)]  # fmt: skip

    def _unknown(self, answer: _Text, mentions: list[Mention]) -> list[Mention]:
        """Names the lexicon does not know: generic-looking words, and capitalised list items ("Ofev and ...")."""
        words, doc = answer.words, answer.doc
        taken = {i for m in mentions for i in range(m.start, m.end)}
        taken |= {i for spans in answer.cues.values() for s, e in spans for i in range(s, e)}
        stops = _JOINERS | _BOUNDARIES
        item_of = list(itertools.accumulate(word in stops for word in words))  # list items, numbered
        named = {item_of[m.start] for m in mentions}
        generic: list[Mention] = []
        titled: list[tuple[Mention, bool]] = []  # a capitalised list item, and whether medicine words follow it
        i = 0
        while i < len(doc):
            word, text = words[i], doc[i].text
            capital = text[:1].isupper() and not text.isupper() and len(word) >= 4 and item_of[i] not in named
            head = i == 0 or words[i - 1] in stops | self.words["lead_in"]
            if i in taken or not self._plain(word) or not (self.names.unknown(word) or (capital and head)):
                i += 1
                continue
            end = i + 1
            while end < len(doc) and end not in taken and self._plain(words[end]):
                end += 1
            mention = Mention(None, doc[i:end].text, i, end)
            if self.names.unknown(word):
                generic.append(mention)  # "sildenafil"
            else:
                after = words[end] if end < len(doc) else ""
                medicine_words = self.names.not_names | self.words["often"] | set(self.numbers.unit_of) | {"for"}
                titled.append((mention, after in medicine_words or (end < len(doc) and doc[end].like_num)))
            i = end
        # A capitalised word is a name only with something medicine-like around it: a medicine, another
        # such name, "for <what>", a form, a dose ("Tylenol for pain", "Humira, Enbrel"); "Sorry, ..." is not.
        listed = bool(mentions) or len(titled) + len(generic) > 1
        return sorted(generic + [m for m, followed in titled if followed or listed], key=lambda m: m.start)

    def _plain(self, word: str) -> bool:
        """A word that could be part of a medicine's name: not a cue, unit, number or common word."""
        return (
            word.isalpha()
            and word not in STOP_WORDS
            and word not in self.vocabulary
            and word not in self.names.not_names
            and word not in self.names.names
        )

    def _denied_cue(self, answer: _Text, start: int) -> bool:
        """A negation just before a cue word, in its clause ("no steroids", "not on any biologics")."""
        words = answer.words
        return any(
            start - 3 <= cue_start and cue_end <= start and not any(w in _BOUNDARIES for w in words[cue_end:start])
            for cue_start, cue_end in answer.cues["negated"]
        ) or any(words[i] in {"no", "not", "never", "without"} for i in range(max(0, start - 2), start))

    def _class_named(self, answer: _Text, start: int, end: int, mentions: list[Mention]) -> bool:
        """A class word ("steroids") with a medicine of that class named in the answer: it names it."""
        said = " ".join(answer.words[start:end])
        wanted = self.class_words.get(said)
        return wanted is not None and any(
            m.medicine is not None and wanted in self.names.lexicon.medicines[m.medicine].classes for m in mentions
        )

    def _other_reason(self, item: _Item, answer: _Text) -> bool:
        """Said to be taken for something else ("for covid, not for the lupus"): kept, and a person checks."""
        words, end = answer.words, item.mention.end
        return any(
            end <= cue_start <= end + 6 and not any(w in _BOUNDARIES - {","} for w in words[end:cue_start])
            for cue_start, _ in answer.cues["other_reason"]
        )

    def _negated(self, item: _Item, answer: _Text) -> bool:
        """The words deny the medicine ("not methotrexate", "never had Myfortic", "for covid, not for the lupus").

        "Not X anymore" is not a denial but a time: it is placed as "before".
        """
        words, start, end = answer.words, item.mention.start, item.mention.end
        for cue_start, cue_end in answer.cues["negated"]:
            if start - 3 <= cue_start and cue_end <= start and not any(w in _BOUNDARIES for w in words[cue_end:start]):
                if item.when == "before" or any(w in {"anymore", "more", "longer"} for w in words[end : end + 4]):
                    item.when = "before"
                    return False
                return True
        return any(
            end <= cue_start <= end + 6 and not any(w in _BOUNDARIES - {","} for w in words[end:cue_start])
            for cue_start, _ in answer.cues["negated_after"]
        )

    def _place(self, items: list[_Item], answer: _Text) -> None:
        """Which medicine each tense or plan cue is about: the nearest one in its clause."""
        for kind in ("now", "before"):
            for start, end in answer.cues[kind]:
                item = _nearest(items, answer.words, start, end)
                if item is not None and item.when is None:
                    item.when = kind
        for _, end in answer.cues["planned"]:
            later = [item for item in items if item.mention.start >= end]
            if later and not any(word in _BOUNDARIES for word in answer.words[end : later[0].mention.start]):
                later[0].planned = True

    def _lengths(self, items: list[_Item], answer: _Text) -> None:
        """Find every length of time and give it to the medicine it is about."""
        if not items:
            return
        lengths = self._spans(answer)
        for length in lengths:
            if not (length.others or length.shared):
                _owner(items, answer.words, length).lengths.append(length)
        # "Saphnelo and Plaquenil, 6 months and 3 years": as many lengths as joined medicines, in order.
        for index, item in enumerate(items):
            run = [item]
            while index - len(run) >= 0 and not (prior := items[index - len(run)]).lengths:
                if not _joined(answer.words, prior, run[0]):
                    break
                run.insert(0, prior)
            if len(item.lengths) > 1 and len(run) == len(item.lengths):
                for member, length in zip(run, list(item.lengths), strict=True):
                    member.lengths = [length]
        own = {item.mention.medicine for item in items if item.lengths}
        for length in lengths:
            if length.others or length.shared:  # "the others about 5", "all for 18 months"
                for item in items:
                    if (length.others or item.mention.start < length.start) and item.mention.medicine not in own:
                        item.lengths.append(length)
        # "cellcept and plaquenil for about a year": a length after a joined pair is said for both.
        for item, nxt in reversed(list(itertools.pairwise(items))):
            if (
                not item.lengths
                and item.mention.medicine not in own
                and nxt.lengths
                and _joined(answer.words, item, nxt)
            ):
                item.lengths.append(nxt.lengths[0])

    def _spans(self, answer: _Text) -> list[_Length]:
        """Every length of time in the answer (how long; not how often, nor how long ago)."""
        words, cues = answer.words, answer.cues
        found: list[_Length] = []
        used: set[int] = set()
        for length in self._ranges(answer) + self._courses(answer):
            found.append(length)
            used |= set(range(length.start, length.end))
        for start, end in sorted(cues["since"]):
            if start in used:
                continue
            length = self._since(answer, end) or self._since_date(answer, end)
            if length is not None:
                length.start = start
                found.append(length)
                used |= set(range(start, length.end))
        last_unit: str | None = None
        for number in answer.numbers.values():
            if number.start in used:
                continue
            amount = answer.amounts.get(number.start)
            before = words[number.start - 1] if number.start > 0 else ""
            if amount is None or amount.unit not in _TIME_UNITS:
                if amount is None and last_unit and before in {"for", "about", "around", "others", "rest"}:
                    # "Arava for 2", "the others about 5": the unit said just before
                    found.append(_Length(_say(number.value, last_unit), number.start, number.end))
                elif _is_year_range(number, answer.today):
                    found.append(_Length(_say(number.high - number.low, "year"), number.start, number.end))
                elif amount is None and number.end < len(words) and words[number.end] in self.words["n_often"]:
                    found.append(_Length(None, number.start, number.end + 1, "unclear"))  # "6 monthly": every 6?
                continue
            after = words[amount.end] if amount.end < len(words) else ""
            said_as = words[number.start]
            if (before in self.words["often"] - {"x"}) or (before == "x" and said_as in {"a", "an"}):
                continue  # "every 6 months", "twice a week": how often
            if said_as in {"a", "an"} and (before[:1].isdigit() or before in _COUNT_WORDS | self.dose_words):
                continue  # "x2 a day", "one a month", "70 mg a day": how often
            if after in self.words["not_length"]:
                continue
            if after == "in" and amount.end + 1 < len(words) and words[amount.end + 1] in _MONTH_OF:
                found.append(_Length(None, number.start, amount.end, "unclear"))  # "2 years in Feb": when?
                continue
            last_unit = amount.unit
            found.append(self._length(amount, words))
        for start, end in cues["vague"]:
            if not any(length.start <= start < max(length.end, length.start + 1) for length in found):
                found.append(_Length(None, start, end, "vague"))
        for kind in ("shared", "others"):
            for start, _ in cues[kind]:
                length = next((f for f in found if 0 < f.start - start <= 4 and f.duration), None)
                if length is not None:
                    length.others |= kind == "others"
                    length.shared |= kind == "shared"
        return sorted(found, key=lambda length: length.start)

    def _ranges(self, answer: _Text) -> list[_Length]:
        """The length between two times: "from may 2022 until feb 2023", "from 2019 till last year"."""
        words, found = answer.words, []
        for _, after_from in answer.cues["from"]:
            until = next((s for s, _ in answer.cues["until"] if after_from < s <= after_from + 4), None)
            if until is None:
                continue
            stop = next((i for i in range(until + 1, min(len(words), until + 5)) if words[i] in _BOUNDARIES | {"and"}),
                        min(len(words), until + 4))  # fmt: skip
            first = _when(answer, after_from, until)
            for end in range(stop, until + 1, -1):  # the longest time that reads: "feb 2023" before "feb"
                last = _when(answer, until + 1, end)
                if first is not None and last is not None:
                    found.append(_between(first, last, after_from - 1, end))
                    break
        return found

    def _since_date(self, answer: _Text, at: int) -> _Length | None:
        """A start the dates reader reads, counted to today: "since 06/2025"."""
        stop = next((i for i in range(at, min(len(answer.words), at + 4)) if answer.words[i] in _BOUNDARIES), None)
        for end in range(stop or min(len(answer.words), at + 3), at, -1):
            start = _when(answer, at, end)
            if start is not None:
                return _between(start, (answer.today, "date"), at, end)
        return None

    def _courses(self, answer: _Text) -> list[_Length]:
        """A number of doses times how often: "6 monthly infusions", "6 infusions, one a month"."""
        words, found = answer.words, []
        for start, end in answer.cues["doses"]:
            number = next((n for n in answer.numbers.values() if n.end in {start, start - 1}), None)
            if (
                number is None
                or not number.exact
                or (number.start in answer.amounts and answer.amounts[number.start].unit)
            ):
                continue
            near = words[max(0, number.start - 1) : end + 5]
            unit = next((_EVERY[w] for w in near if w in _EVERY), None)
            if unit is None:
                continue
            found.append(_Length(_say(number.value, unit), number.start, end))
        return found

    def _length(self, amount: Amount, words: list[str]) -> _Length:
        """An amount of time as a length, flagged when it is a range or vague ("a few months")."""
        number = amount.number
        flag = None
        after = words[amount.end : amount.end + 2]
        if number.low != number.high or (after[:1] in (["or"], ["to"], ["-"]) and after[1:2] and after[1][0].isdigit()):
            flag = "range"  # "2-3 years", "2 months or 3"
        elif number.vague and not any(words[i] in self.words["round_vague"] for i in range(number.start, number.end)):
            flag = "vague"
        elif number.bound == "under":
            flag = "vague"  # "less than 3 months"
        value = number.low if number.low != number.high else number.value
        return _Length(_say(value, amount.unit), amount.start, amount.end, flag)

    def _since(self, answer: _Text, at: int) -> _Length | None:
        """The length from a start ("since 2020", "since march", "started 6 weeks ago") to today."""
        words, today = answer.words, answer.today
        holidays = {start: " ".join(words[start:end]) for start, end in answer.cues["holidays"]}
        for j in range(at, min(len(words), at + 8)):
            word = words[j]
            number = answer.numbers.get(j)
            if word in {",", ";", ".", "and", "but", "+", "&", "plus"}:
                return None  # the next medicine's own words
            if words[j : j + 2] == ["i", "was"] and j + 2 in answer.numbers:
                return _since_age(answer, answer.numbers[j + 2], j)
            joined = number is not None and number.bound == "over" and words[number.end - 1 : number.end] == ["+"]
            if number is not None and 1900 <= number.value <= today.year and (number.exact or joined):
                month = _MONTH_OF.get(words[j - 1]) if j > at else None
                if month:
                    return _since_month(today, int(number.value), month, j, number.end)
                years = today.year - int(number.value)
                return _Length(_say(years, "year"), j, number.end) if years else _Length(None, j, number.end, "vague")
            if number is not None and j in answer.amounts and answer.amounts[j].unit in _TIME_UNITS:
                amount = answer.amounts[j]
                length = self._length(amount, words)  # "started 6 weeks ago", "since 2 years"
                length.end = amount.end + (amount.end < len(words) and words[amount.end] == "ago")
                return length
            if word in _MONTH_OF and (word != "may" or j == at):
                year = answer.numbers.get(j + 1)
                if year is not None and 1900 <= year.value <= today.year:
                    return _since_month(today, int(year.value), _MONTH_OF[word], j, year.end)
                return _since_month(today, None, _MONTH_OF[word], j, j + 1)
            if j in holidays:
                return _since_month(today, None, self.holidays[holidays[j]], j, j + len(holidays[j].split()))
            if word in self.words["seasons"] or word in {"forever", "always", "ages"}:
                return _Length(None, j, j + 1, "vague")  # "since summer": a season is not a month
            if words[j : j + 2] == ["this", "year"]:
                return _Length(None, j, j + 2, "vague")
            if words[j : j + 2] == ["last", "year"]:
                return _Length(_say(1, "year"), j, j + 2)
        return None

    def _flags(self, items: list[_Item], answer: _Text) -> set[str]:
        """Why the reading must not be taken at face value (nothing when it can)."""
        words, cues = answer.words, answer.cues
        reasons = {kind for kind in ("hedge", "vague", "unclear") if cues[kind]} | (
            {"vague"} if cues["forgot"] else set()
        )
        ends = {item.mention.end for item in items} | {length.end for item in items for length in item.lengths}
        if any(words[end] == "?" for end in ends if end < len(words)):
            reasons.add("hedge")  # "Cellcept?", "for 3 months?"
        for item, nxt in itertools.pairwise(items):
            if "or" in words[item.mention.end : nxt.mention.start] and item.mention.medicine != nxt.mention.medicine:
                reasons.add("both")  # "Imuran or Cytoxan": one of the two
        reasons |= {length.flag for item in items for length in item.lengths if length.flag}
        if any(item.mention.guessed for item in items):
            reasons.add("unclear")  # "metho": methotrexate, or methocarbamol?
        if cues["short_course"] and any(not any(length.duration for length in item.lengths) for item in items):
            reasons.add("unclear")  # a hospital course of unknown length is usually short
        return reasons


def _say(value: float, unit: str) -> str:
    """A length as ``criteria.quantities.Quantity`` parses it: "2 years", "18 months"."""
    return f"{value:g} {unit}{'' if value == 1 else 's'}"


# How often a dose is given, as the unit of a course's length ("6 monthly infusions": 6 months).
_EVERY = {"monthly": "month", "weekly": "week", "month": "month", "week": "week", "daily": "day"}


def _when(answer: _Text, start: int, end: int) -> tuple[date, str] | None:
    """The first day of the time tokens ``start:end`` name, and its precision, when they name one clearly."""
    if start >= end:
        return None
    text = answer.doc[start:end].text
    reading = dates.default_reader().read(text, answer.today)
    if reading is None or reading.confidence < 1.0 or not isinstance(reading.value, dict):
        return None
    if reading.end - reading.start < len(text.strip()) - 1:
        return None  # only part of the words is a time
    ((precision, said),) = reading.value.items()
    day = date.fromisoformat({"date": said, "month": f"{said}-01", "year": f"{said}-01-01"}[precision])
    return day, precision


def _between(first: tuple[date, str], last: tuple[date, str], start: int, end: int) -> _Length:
    """The length from one time to another, in the coarser of their precisions."""
    (a, a_is), (b, b_is) = first, last
    if "year" in {a_is, b_is}:
        years = b.year - a.year
        return _Length(_say(years, "year"), start, end) if years > 0 else _Length(None, start, end, "unclear")
    months = (b.year - a.year) * 12 + b.month - a.month
    return _Length(_say(months, "month"), start, end) if months > 0 else _Length(None, start, end, "unclear")


def _since_month(today: date, year: int | None, month: int, start: int, end: int) -> _Length:
    """Whole months from a month (this year's, or last year's when it is still to come) to today."""
    if year is None:
        year = today.year if month <= today.month else today.year - 1
    months = (today.year - year) * 12 + today.month - month
    return _Length(_say(months, "month"), start, end) if months > 0 else _Length(None, start, end, "vague")


def _since_age(answer: _Text, then: Number, start: int) -> _Length:
    """The years between two ages: "since I was 16 (I'm 34 now)"."""
    for number in answer.numbers.values():
        before, after = answer.words[max(0, number.start - 2) : number.start], answer.words[number.end : number.end + 2]
        aged = before[-1:] in (["im"], ["am"], ["m"], ["'m"]) or after[:1] == ["now"] or after == ["years", "old"]
        if number is not then and number.exact and aged and number.value > then.value:
            return _Length(_say(number.value - then.value, "year"), start, max(then.end, number.end))
    return _Length(None, start, then.end, "unclear")  # the age now is not said


def _is_year_range(number: Number, today: date) -> bool:
    """A range of years up to this one: "2019-2022"."""
    return number.low != number.high and 1900 <= number.low < number.high <= today.year and number.low.is_integer()


def _describes(words: list[str], start: int, end: int, mention: Mention) -> bool:
    """An unnamed cue next to a named medicine, brackets allowed: it says what that medicine is."""
    low, high = (end, mention.start) if mention.start >= end else (mention.end, start)
    return high - low <= 3 and not any(word in _JOINERS - {"(", ")"} or word in {".", ";"} for word in words[low:high])


def _joined(words: list[str], first: _Item, second: _Item) -> bool:
    """Only list joiners between two medicines ("cellcept and plaquenil", "MTX & folic acid")."""
    gap = words[first.mention.end : second.mention.start]
    return all(word in _JOINERS - {"or"} for word in gap)


def _nearest(items: list[_Item], words: list[str], start: int, end: int) -> _Item | None:
    """The medicine a cue at ``start:end`` is about: the nearer one in its clause."""
    before = [item for item in items if item.mention.end <= start]
    after = [item for item in items if item.mention.start >= end]
    prev = before[-1] if before and not any(w in _BOUNDARIES for w in words[before[-1].mention.end : start]) else None
    nxt = after[0] if after and not any(w in _BOUNDARIES for w in words[end : after[0].mention.start]) else None
    if prev and nxt:
        return prev if start - prev.mention.end <= nxt.mention.start - end else nxt
    if prev or nxt:
        return prev or nxt
    return before[-1] if before and not after else None  # "tacrolimus (Prograf) - 1 yr, stopped bc kidney numbers"


def _owner(items: list[_Item], words: list[str], length: _Length) -> _Item:
    """The medicine a length of time is said for: the one before it, or "of" the one after."""
    after = [item for item in items if item.mention.start >= length.end]
    if after and words[length.end : after[0].mention.start] == ["of"]:
        return after[0]  # "a couple of years of imuran"
    before = [item for item in items if item.mention.start < length.start]
    return before[-1] if before else items[0]  # "started benlista 2 weeks ago"


def _value(items: list[_Item], unnamed: list[Mention]) -> list[str | dict[str, str]]:
    """One entry per medicine (a name said twice is one medicine), in the order first named."""
    value: list[str | dict[str, str]] = []
    seen: dict[str, int] = {}
    entries: list[_Item | Mention] = [*items, *unnamed]
    for entry in sorted(entries, key=lambda e: e.start if isinstance(e, Mention) else e.mention.start):
        if isinstance(entry, Mention):
            value.append(entry.said)  # a medicine the lexicon does not know, as said
            continue
        medicine = entry.mention.medicine or entry.mention.said
        duration = next((length.duration for length in entry.lengths if length.duration), None)
        if medicine not in seen:
            seen[medicine] = len(value)
            value.append({"medicine": medicine, "duration": duration} if duration else medicine)
        elif duration and isinstance(value[seen[medicine]], str):
            value[seen[medicine]] = {"medicine": medicine, "duration": duration}
    return value


@cache
def default_reader() -> MedicineReader:
    """The reader over the bundled lexicon and cues, on a blank English pipeline."""
    return MedicineReader(number_reader(), load_lexicon(), yaml.safe_load(CUES.read_text(encoding="utf-8")))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class MedicineExtractor(RuleComponent):
    """Adds a ``medicines`` entity (a list, or "none"), its confidence, and why it is flagged."""

    def __init__(self, reader: MedicineReader | None = None) -> None:
        """Use this reader (the bundled lexicon and cues by default)."""
        self.reader = reader or default_reader()

    def found(self, text: str) -> Iterable[tuple[str, Found, str | None]]:
        """The medicines named, or "none"; and, placed now and before, the list for each question.

        The extra entities are ``medicines_now`` and ``medicines_before`` (the form picks by question).
        """
        today = clock.screening_day()
        found = self.reader.read(text, today=today)
        if found is None:
            return []
        readings: list[tuple[str, Found, str | None]] = [(ENTITY, found, found.reason)]
        if found.reason == "both":
            for when in ("now", "before"):
                placed = self.reader.read(text, today=today, when=when)
                if placed is not None:
                    readings.append((f"{ENTITY}_{when}", placed, placed.reason))
        return readings
