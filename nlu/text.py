"""The text every reader reads: one normalisation, and the words that end a clause. No spaCy.

``normalise`` is the one normalisation of a patient's message (NFKC, lone surrogates replaced
one for one, curly single quotes straight, stretched letters and long runs of a mark cut short,
whitespace collapsed); character offsets of every
reading are into its result, or into a reader's further steps built on it (``nlu.numbers.prepare``
splits digits from letters). ``clause_breaks`` gives the tokens that end a clause for a reader
(``nlu/data/clauses.yaml``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import yaml

CLAUSES = Path(__file__).parent / "data" / "clauses.yaml"
READERS = ("topics", "medicines", "measures")  # readers whose clauses end at more than the shared words
SURROGATE = re.compile("[\ud800-\udfff]")
# "neverrr", "nooo", "yesss": a letter typed three times or more is the letter once (no English
# word has a letter three times running). Digits are never touched ("1000").
STRETCHED = re.compile(r"([^\W\d_])\1{2,}", re.IGNORECASE)
# "!!!!!!", "+++…": a run of one other mark is kept three long ("..." stays as typed).
REPEATED = re.compile(r"([^\w\s])\1{3,}")
QUESTION_MARK = "?"
REPLACEMENT = "\ufffd"


def normalise(text: str, *, surrogate: str = QUESTION_MARK) -> str:
    """NFKC, lone surrogates as ``surrogate``, curly single quotes straight, runs and whitespace collapsed.

    A lone surrogate (JSON allows one) cannot be encoded and spaCy cannot store it: it is
    replaced one for one. The medicine and dose readers pass ``REPLACEMENT``: there a "?" is a
    hedge ("Cellcept?"), and a character the patient never typed must not cast doubt. The other
    readers have always read it as "?" (kept, so their readings stay as they were).
    """
    text = SURROGATE.sub(surrogate, text)
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    text = REPEATED.sub(r"\1\1\1", STRETCHED.sub(r"\1", text))
    return " ".join(text.split())


def load_clauses(path: Path = CLAUSES) -> dict[str, frozenset[str]]:
    """The clause-boundary tokens per reader (``every`` for the shared ones), checked.

    Raises:
        ValueError: an unknown section or reader, or an entry that is not a non-empty string.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or set(data) - {"every", "by_reader", "corrections"}:
        raise ValueError(f"{path.name}: the sections are every, by_reader and corrections")
    by_reader = data.get("by_reader") or {}
    if not isinstance(by_reader, dict) or set(by_reader) - set(READERS):
        raise ValueError(f"{path.name}: by_reader names readers among {list(READERS)}")
    lists = {"every": data.get("every"), **by_reader}
    for name, said in lists.items():
        if not isinstance(said, list) or not all(isinstance(word, str) and word.strip() for word in said):
            raise ValueError(f"{path.name}: {name} is a list of words (quote punctuation)")
    every = frozenset(lists["every"])
    return {"every": every, **{reader: every | frozenset(by_reader.get(reader) or ()) for reader in READERS}}


@cache
def corrections(path: Path = CLAUSES) -> tuple[str, ...]:
    """The phrases that take back what was said before them ("no wait", "i mean"), checked."""
    said = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("corrections")
    if not isinstance(said, list) or not said or not all(isinstance(word, str) and word.strip() for word in said):
        raise ValueError(f"{path.name}: corrections is a list of phrases")
    return tuple(said)


@cache
def clause_breaks(reader: str = "every") -> frozenset[str]:
    """The tokens (lower case) that end a clause for ``reader``: the shared ones, and the reader's own."""
    return load_clauses()[reader]


def one_slip(said: str, word: str) -> bool:
    """``said`` is ``word`` typed with one wrong letter or two neighbours swapped ("tabltes": tablets).

    Same length only, and never the first letter: a slip that keeps every offset, and that
    "paper" is not "taper".
    """
    if len(said) != len(word) or said == word or said[0] != word[0]:
        return False
    apart = [i for i, (a, b) in enumerate(zip(said, word, strict=True)) if a != b]
    if len(apart) == 1:
        return True
    first, second = apart[0], apart[-1]
    return len(apart) == 2 and second == first + 1 and said[first] == word[second] and said[second] == word[first]


def respell(text: str, words: frozenset[str], *, shortest: int = 6) -> str:
    """``text`` with each unknown word one slip from exactly one of ``words`` (of ``shortest`` letters or more) as it.

    Offsets are unchanged (a slip keeps the length), so readings still point into ``text``.
    """
    long = _candidates(words, shortest)

    def fixed(match: re.Match[str]) -> str:
        said = match.group(0)
        low = said.lower()
        if low in words or len(low) < shortest:
            return said
        near = [w for w in long if one_slip(low, w)]
        return near[0] if len(near) == 1 else said

    return _WORD.sub(fixed, text)


def deletions(word: str, depth: int) -> set[str]:
    """The word with up to ``depth`` letters deleted (a symmetric-delete index for the edit distance)."""
    found = frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found = found | frontier
    return found


def distance(a: str, b: str, limit: int) -> int:
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


@cache
def _candidates(words: frozenset[str], shortest: int) -> tuple[str, ...]:
    """The words a slip may be read as (once per vocabulary, not per message)."""
    return tuple(w for w in words if len(w) >= shortest and w.isalpha())


_WORD = re.compile(r"[^\W\d_]+")
