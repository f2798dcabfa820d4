"""The labelled answer corpus is well formed, and its clear labels are values the engine accepts.

The corpus (tests/nlu/corpus/README.md) is what the answer readers are measured against,
so a label the criteria engine would refuse, a question that does not exist, or an answer
filed under the wrong type is an error in the corpus, caught here.
"""

from __future__ import annotations

import pytest

from criteria import load_trial
from criteria.errors import FactError
from evaluation.corpus import CORPUS, FILES, RETIRED, Entry, expected_value, load, question, retired_questions

TRIAL = load_trial("NCT07193810")
ENTRIES = load(retired=True)


def test_every_file_is_there_with_enough_answers() -> None:
    # Every file of this corpus is a known kind (duration follow-ups are in the newer corpora only).
    assert {p.name for p in CORPUS.glob("*.yaml")} == {*FILES, RETIRED} - {"duration.yaml"}
    assert len(load()) >= 600


def test_retired_questions_are_not_asked_any_more() -> None:
    gone = retired_questions()
    assert gone and not set(gone) & set(TRIAL.facts)
    assert len(load()) < len(ENTRIES)


def test_texts_are_not_repeated_for_one_question() -> None:
    seen: dict[tuple[str, str], Entry] = {}
    for entry in ENTRIES:
        key = (entry.question, entry.text.strip())  # "No" and "no" are two answers: casing is kept
        assert key not in seen, f"{entry.file}:{entry.index} repeats {seen[key].file}:{seen[key].index}"
        seen[key] = entry


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e.file}:{e.index}" for e in ENTRIES])
def test_entry(entry: Entry) -> None:
    assert isinstance(entry.text, str) and isinstance(entry.flag, bool)
    fact = question(TRIAL, entry.question)
    assert fact.answer.type in FILES[entry.file], f"{entry.question} is a {fact.answer.type} question"
    if entry.flag:
        return  # a best reading only: not scored for value
    try:
        expected_value(TRIAL, entry)
    except (FactError, ValueError) as error:
        pytest.fail(f"the engine refuses the label {entry.expect!r}: {error}")
