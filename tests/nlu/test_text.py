"""The text layer every reader reads: one normalisation, and the words that end a clause (no spaCy)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from nlu.numbers import prepare
from nlu.text import (
    CLAUSES,
    READERS,
    REPLACEMENT,
    clause_breaks,
    deletions,
    distance,
    load_clauses,
    normalise,
    one_slip,
    respell,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  yes  ", "yes"),  # surrounding space dropped
        ("not\tsure\n\nreally", "not sure really"),  # any run of white space is one space
        ("no\u00a0way", "no way"),  # a no-break space is a space
        ("I\u2019m on it", "I'm on it"),  # a curly apostrophe is straight
        ("\u2018pred\u2019", "'pred'"),  # curly single quotes too
        ("\u201cpred\u201d", "\u201cpred\u201d"),  # double quotes are left as typed
        ("\uff11\uff10\u3000mg", "10 mg"),  # full-width digits and space (NFKC)
        ("\ufb01ne", "fine"),  # a ligature (NFKC)
        ("7\u00bd", "71\u20442"),  # a fraction glyph: NFKC only (the number readers spell it out first)
        ("neverrr", "never"),  # a letter typed three times or more is typed once
        ("NOooo", "NO"),  # whatever its case
        ("good, all well", "good, all well"),  # a double letter is a spelling, kept
        ("1000 mg", "1000 mg"),  # digits are never cut
        ("why?????", "why???"),  # a long run of one mark is kept three long
        ("so...", "so..."),  # an ellipsis as typed
        ("+" * 1000 + "q", "+++q"),  # a flood of punctuation costs nothing downstream
        ("", ""),  # nothing stays nothing
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("surrogate", "expected"),
    [
        (None, "ok ? ok"),  # by default a lone surrogate reads as "?", as it always has
        (REPLACEMENT, f"ok {REPLACEMENT} ok"),  # the medicine and dose readers: never a hedging "?"
    ],
)
def test_a_lone_surrogate_is_replaced_one_for_one(surrogate: str | None, expected: str) -> None:
    text = "ok \ud800 ok"  # JSON "\ud800" decodes to a lone surrogate, which cannot be encoded
    assert (normalise(text) if surrogate is None else normalise(text, surrogate=surrogate)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20mg", "20 mg"),  # digits apart from letters: the number readers' own step
        ("~5", "about 5"),  # "~" is "about"
        ("7\u00bd", "7 1/2"),  # a fraction glyph spelled out before NFKC
        ("15mg/5ml", "15 mg / 5 ml"),  # a unit apart from the volume after it
        ("I\u2019m 45\ud800", "I'm 45?"),  # the shared normalisation underneath
    ],
)
def test_prepare_builds_on_normalise(text: str, expected: str) -> None:
    assert prepare(text) == expected


@given(st.text(alphabet=st.characters(), max_size=200))
def test_normalise_is_encodable_and_settled(text: str) -> None:
    once = normalise(text)
    once.encode("utf-8")  # no lone surrogate is left
    assert normalise(once) == once  # normalising twice changes nothing


@pytest.mark.parametrize(
    ("reader", "ends", "goes_on"),
    [
        ("every", {",", ".", ";", "but"}, {"and", "then", "?"}),  # the shared words, and only those
        ("topics", {"but", "though", "/", "?"}, {"and", "then"}),  # a negation stays in its clause
        ("medicines", {"but", "then", "->", "•"}, {"and", "?"}),  # a cue stays with one medicine of a list
        ("measures", {"but", "and", "|"}, {"then", "/"}),  # a cue stays with its own number
    ],
)
def test_clause_breaks(reader: str, ends: set[str], goes_on: set[str]) -> None:
    assert ends <= clause_breaks(reader)
    assert not goes_on & clause_breaks(reader)


def test_every_reader_ends_a_clause_at_the_shared_words() -> None:
    for reader in READERS:
        assert clause_breaks() <= clause_breaks(reader)


@pytest.mark.parametrize(
    "broken",
    [
        {"every": [","], "breaks": [","]},  # an unknown section
        {"every": [","], "by_reader": {"choices": [","]}},  # a reader with no clause words of its own
        {"every": [","], "by_reader": {"topics": "but"}},  # a word, not a list
        {"every": [",", False]},  # a bare YAML no (quote punctuation and yes/no)
        {"by_reader": {}},  # no shared words
    ],
)
def test_malformed_clause_words_are_errors(tmp_path: Path, broken: dict) -> None:
    path = tmp_path / "clauses.yaml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    with pytest.raises(ValueError):
        load_clauses(path)


def test_the_bundled_clause_words_load() -> None:
    assert set(load_clauses(CLAUSES)) == {"every", *READERS}


@pytest.mark.parametrize(
    ("said", "word", "slip"),
    [
        ("tabltes", "tablets", True),  # two neighbours swapped
        ("atlernate", "alternate", True),
        ("tablats", "tablets", True),  # one wrong letter
        ("paper", "taper", False),  # never the first letter
        ("tablet", "tablets", False),  # a letter more or less moves offsets: not a slip here
        ("tablets", "tablets", False),  # the word itself
        ("tbalets", "tablets", True),
        ("talbets", "tablets", True),
        ("atlrenate", "alternate", False),  # two slips
    ],
)
def test_one_slip(said: str, word: str, slip: bool) -> None:
    assert one_slip(said, word) is slip


def test_respell_keeps_offsets_and_known_words() -> None:
    words = frozenset({"tablets", "alternate", "days"})
    assert respell("3 tabltes on atlernate days", words) == "3 tablets on alternate days"
    assert respell("Tablet and tables", words) == "Tablet and tables"  # not one slip from a cue word of 6+


@pytest.mark.parametrize(
    ("a", "b", "limit", "expected"),
    [
        ("plaquenil", "plaquenil", 2, 0),  # the same word
        ("plaquinel", "plaquenil", 2, 2),  # two letters off
        ("tabltes", "tablets", 1, 1),  # two neighbours swapped count one
        ("myosits", "myositis", 1, 1),  # one left out
        ("lupus", "scleroderma", 2, 3),  # far apart: capped just above the limit
        ("diffuse", "limited", 1, 2),
    ],
)
def test_distance(a: str, b: str, limit: int, expected: int) -> None:
    assert distance(a, b, limit) == expected


def test_deletions_index_a_word_by_its_shorter_forms() -> None:
    assert deletions("abc", 1) == {"abc", "bc", "ac", "ab"}
    assert "c" in deletions("abc", 2) and "abc" in deletions("abc", 0)
