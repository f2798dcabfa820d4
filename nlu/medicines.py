"""Medicine lists: "cellcept and plaquenil for about a year", "MMF, HCQ, pred", "none".

``MedicineReader`` reads an answer to "which medicines do you take / did you take?" into the
form ``criteria.coerce`` takes: ``"none"``, or a list of ids, ``{"medicine": id, "duration":
"2 years"}`` and the patient's words for a medicine the lexicon does not know. The names come
from ``nlu.medicine_names`` (the lexicon), the lengths of time from ``nlu.medicine_lengths``;
this module decides which medicine each length, tense and negation is about. Cue words are
data (``nlu/data/medicines_cues.yaml``).

A reading is flagged (confidence 0.5 and a reason) when it must not be taken at face value:
a hedge ("I think", "Cellcept? or was it Imuran"), a range ("2-3 years"), a vague time or an
incomplete list ("for a while", "steroids and plaquenil"), current and past medicines named
together (NLU does not know which question was asked), or circumstances a clinician checks
("in a trial", a guessed shorthand). ``MedicineExtractor`` is the Rasa component: it adds one
``medicines`` entity per message that names medicines or says none.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from spacy.matcher import PhraseMatcher

from criteria.lexicon import Lexicon, load_lexicon
from nlu import calendar, clock
from nlu.base import Found, RuleComponent
from nlu.calendar import Calendar
from nlu.medicine_lengths import Answer, Length, LengthReader
from nlu.medicine_names import JOINERS, Cues, MedicineNames, Mention, prepared
from nlu.numbers import NumberReader, prepare
from nlu.numbers import default_reader as number_reader
from nlu.text import clause_breaks

CUES = Path(__file__).parent / "data" / "medicines_cues.yaml"
ENTITY = "medicines"
FLAGGED = 0.5  # below the bar at which the form commits to an answer
REASONS = ("hedge", "both", "range", "vague", "unclear")  # the first that applies is the entity's role
PHRASES = ("none", "hedge", "vague", "unnamed", "forgot", "unclear", "short_course", "planned", "now", "before",
           "shared", "others", "since", "negated", "negated_after", "other_reason", "from", "until",
           "doses")  # fmt: skip
WORDS = (
    "not_names",
    "stems",
    "round_vague",
    "short_of",
    "often",
    "not_length",
    "n_often",
    "lead_in",
    "dose_forms",
    "corrections",
    "correction_fillers",
    "until_now",
)
KINDS = (*PHRASES, *WORDS, "holidays", "class_words")
# Where a clause ends, for cues about one medicine ("MabThera last year and CellCept now").
_BOUNDARIES = clause_breaks("medicines")


@dataclass(frozen=True)
class MedicineList:
    """What a medicine answer says: ``"none"`` or a list; confidence below 1.0 when not to be taken as said."""

    value: str | list[str | dict[str, str]]  # "none", a list, or "unsure" (flagged) when none could be named
    confidence: float
    reason: str | None  # one of REASONS when flagged
    start: int  # character offsets into ``prepare(text)``
    end: int


@dataclass
class _Item:
    """A medicine named, what the words around it say of it."""

    mention: Mention
    lengths: list[Length] = field(default_factory=list)
    when: str | None = None  # "now" / "before" when the words say so
    planned: bool = False  # "waiting to start rituximab"


class MedicineReader:
    """Reads an answer naming medicines, and how long each was taken."""

    def __init__(
        self, numbers: NumberReader, lexicon: Lexicon, cues: dict[str, Any], days: Calendar | None = None
    ) -> None:
        """Build the matchers (cue phrases per kind, see ``nlu/data/medicines_cues.yaml``; the bundled calendar)."""
        unknown = set(cues) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown cue kinds {sorted(unknown)} in the medicine cues")
        self.numbers = numbers
        nlp = numbers.nlp
        days = days or calendar.default()
        self.month_of = days.month_of
        self.seasons = days.season_words
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
        self.vocabulary |= set(numbers.unit_of) | set(self.month_of) | set(self.holidays) | self.words["often"]
        self.length_reader = LengthReader(
            self.words, month_of=self.month_of, seasons=self.seasons, holidays=self.holidays, dose_words=self.dose_words
        )

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
            if nothing and cues["unclear"]:  # "nothing for it, only creams": a cream is a medicine too; a person looks
                return MedicineList("none", FLAGGED, "unclear", *answer.span(*nothing[0]))
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

    def _text(self, text: str, today: date | None) -> Answer:
        """The answer with its cues, numbers and amounts found."""
        doc = prepared(self.numbers.nlp, text)
        cues: Cues = defaultdict(list)
        for key, start, end in self.matcher(doc):
            cues[doc.vocab.strings[key]].append((start, end))
        numbers = self.numbers.numbers(doc)
        amounts = {amount.start: amount for amount in self.numbers.amounts(doc, numbers)}
        return Answer(
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
                for length in self.length_reader.spans(answer)]  # fmt: skip

    def _unknown(self, answer: Answer, mentions: list[Mention]) -> list[Mention]:
        """Names the lexicon does not know, outside the cue words (``MedicineNames.unlisted``)."""
        cue_tokens = {i for spans in answer.cues.values() for s, e in spans for i in range(s, e)}
        return self.names.unlisted(
            answer.doc, mentions, cue_tokens, vocabulary=self.vocabulary, lead_in=self.words["lead_in"],
            followers=self.words["often"] | set(self.numbers.unit_of) | {"for"},
        )  # fmt: skip

    def _denied_cue(self, answer: Answer, start: int) -> bool:
        """A negation just before a cue word, in its clause ("no steroids", "not on any biologics")."""
        words = answer.words
        return any(
            start - 3 <= cue_start and cue_end <= start and not any(w in _BOUNDARIES for w in words[cue_end:start])
            for cue_start, cue_end in answer.cues["negated"]
        ) or any(words[i] in {"no", "not", "never", "without"} for i in range(max(0, start - 2), start))

    def _class_named(self, answer: Answer, start: int, end: int, mentions: list[Mention]) -> bool:
        """A class word ("steroids") with a medicine of that class named in the answer: it names it."""
        said = " ".join(answer.words[start:end])
        wanted = self.class_words.get(said)
        return wanted is not None and any(
            m.medicine is not None and wanted in self.names.lexicon.medicines[m.medicine].classes for m in mentions
        )

    def _other_reason(self, item: _Item, answer: Answer) -> bool:
        """Said to be taken for something else ("for covid, not for the lupus"): kept, and a person checks."""
        words, end = answer.words, item.mention.end
        return any(
            end <= cue_start <= end + 6 and not any(w in _BOUNDARIES - {","} for w in words[end:cue_start])
            for cue_start, _ in answer.cues["other_reason"]
        )

    def _negated(self, item: _Item, answer: Answer) -> bool:
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

    def _place(self, items: list[_Item], answer: Answer) -> None:
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

    def _lengths(self, items: list[_Item], answer: Answer) -> None:
        """Find every length of time and give it to the medicine it is about."""
        if not items:
            return
        lengths = self.length_reader.spans(answer)
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

    def _flags(self, items: list[_Item], answer: Answer) -> set[str]:
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


def _describes(words: list[str], start: int, end: int, mention: Mention) -> bool:
    """An unnamed cue next to a named medicine, brackets allowed: it says what that medicine is."""
    low, high = (end, mention.start) if mention.start >= end else (mention.end, start)
    return high - low <= 3 and not any(word in JOINERS - {"(", ")"} or word in {".", ";"} for word in words[low:high])


def _joined(words: list[str], first: _Item, second: _Item) -> bool:
    """Only list joiners between two medicines ("cellcept and plaquenil", "MTX & folic acid")."""
    gap = words[first.mention.end : second.mention.start]
    return all(word in JOINERS - {"or"} for word in gap)


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


def _owner(items: list[_Item], words: list[str], length: Length) -> _Item:
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
