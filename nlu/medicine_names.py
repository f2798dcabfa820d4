"""Medicine names in an answer: lexicon names, misspellings, shorthands, and generic names the lexicon lacks.

``MedicineNames`` finds the medicines a prepared text names: one ``PhraseMatcher`` over every
name in the lexicon (``criteria/data/medicines.yaml`` through ``criteria.lexicon``: names live
there only), misspellings within a small edit distance of exactly one medicine's name,
shorthands that start the names of exactly one medicine (guessed, so flagged), and
generic-looking words the lexicon does not know ("sildenafil"). ``prepared`` is the text the
medicine and dose readers read. Used by ``nlu.medicines`` and ``nlu.doses``.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from criteria.lexicon import Lexicon, fold_name
from nlu.numbers import prepare
from nlu.text import REPLACEMENT, clause_breaks, deletions, distance, respell

# Between two medicines of one list: a length of time after the last is said for all of them.
JOINERS = {"and", "&", "+", ",", "/", "plus", "(", ")", "or", "n"}
# Where a clause ends, for cues about one medicine ("MabThera last year and CellCept now").
_BOUNDARIES = clause_breaks("medicines")
MAX_CHARS = 1000  # an answer is read to here: answers are a line or two, and the rules are not linear in length

Cues = dict[str, list[tuple[int, int]]]  # cue kind -> (start, end) token spans


def prepared(nlp: Language, text: str, respelt: frozenset[str] = frozenset()) -> Doc:
    """The prepared text (``nlu.numbers.prepare``) to ``MAX_CHARS``, tokenised; offsets are into ``prepare(text)``.

    ``respelt``: words a slip of one letter is read as (``nlu.text.respell``; offsets are kept).
    """
    said = prepare(text, surrogate=REPLACEMENT)[:MAX_CHARS]
    return nlp.make_doc(respell(said, respelt) if respelt else said)


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
                    for variant in deletions(word, 2 if len(word) >= 9 else 1):
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

    def unlisted(
        self,
        doc: Doc,
        mentions: list[Mention],
        cue_tokens: set[int],
        *,
        vocabulary: set[str],
        lead_in: set[str],
        followers: set[str],
    ) -> list[Mention]:
        """Names the lexicon does not know: generic-looking words, and capitalised list items ("Ofev and ...").

        ``mentions``: the lexicon's names found; ``vocabulary``: words never in a name (cues, units,
        months); ``lead_in``: words after which a capitalised word is a list item ("I take Humira");
        ``followers``: words that, after a capitalised word, make it a medicine ("Tylenol for pain").
        """
        words = [token.lower_ for token in doc]
        taken = {i for m in mentions for i in range(m.start, m.end)} | cue_tokens
        stops = JOINERS | _BOUNDARIES
        item_of = list(itertools.accumulate(word in stops for word in words))  # list items, numbered
        named = {item_of[m.start] for m in mentions}
        generic: list[Mention] = []
        titled: list[tuple[Mention, bool]] = []  # a capitalised list item, and whether medicine words follow it
        i = 0
        while i < len(doc):
            word, text = words[i], doc[i].text
            capital = text[:1].isupper() and not text.isupper() and len(word) >= 4 and item_of[i] not in named
            head = i == 0 or words[i - 1] in stops | lead_in
            if i in taken or not self._plain(word, vocabulary) or not (self.unknown(word) or (capital and head)):
                i += 1
                continue
            end = i + 1
            while end < len(doc) and end not in taken and self._plain(words[end], vocabulary):
                end += 1
            mention = Mention(None, doc[i:end].text, i, end)
            if self.unknown(word):
                generic.append(mention)  # "sildenafil"
            else:
                after = words[end] if end < len(doc) else ""
                titled.append((mention, after in self.not_names | followers or (end < len(doc) and doc[end].like_num)))
            i = end
        # A capitalised word is a name only with something medicine-like around it: a medicine, another
        # such name, "for <what>", a form, a dose ("Tylenol for pain", "Humira, Enbrel"); "Sorry, ..." is not.
        listed = bool(mentions) or len(titled) + len(generic) > 1
        return sorted(generic + [m for m, followed in titled if followed or listed], key=lambda m: m.start)

    def _plain(self, word: str, vocabulary: set[str]) -> bool:
        """A word that could be part of a medicine's name: not a cue, unit, number or common word."""
        return (
            word.isalpha()
            and word not in STOP_WORDS
            and word not in vocabulary
            and word not in self.not_names
            and word not in self.names
        )

    def _misspelt(self, word: str) -> str | None:
        """The one medicine a word is a misspelling of (edit distance 1, or 2 for long names)."""
        if len(word) < 6:
            return None
        candidates = set().union(*(self._fuzzy.get(variant, set()) for variant in deletions(word, 2)))
        best: dict[int, set[str]] = defaultdict(set)
        for name in candidates:
            allowed = 2 if len(name) >= 9 and len(word) >= 9 else 1
            apart = distance(word, name, allowed)
            if apart <= allowed:
                best[apart].add(self._one_word[name])
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
