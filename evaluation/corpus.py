"""The labelled answer corpus (``tests/nlu/corpus``): loading, and labels as the engine's values.

The format is described in ``tests/nlu/corpus/README.md``. A label is turned into the form
``criteria.coerce`` takes, then into the engine's typed value, so a reading and a label are
compared as values (a date at the precision the patient gave), never as strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from criteria import Trial, make_fact
from criteria.quantities import Quantity
from criteria.schema import FactDef
from criteria.values import UNSURE, Value

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "nlu" / "corpus"
TODAY = date(2026, 11, 25)  # every corpus answer is read as of this screening date
FILES = {
    "yes_no.yaml": {"yes_no"},
    "choice.yaml": {"choice"},
    "age.yaml": {"age"},
    "number.yaml": {"number"},
    "date.yaml": {"date", "date_or_never"},
    "dose.yaml": {"dose"},
    "medicine_list.yaml": {"medicine_list"},
    "duration.yaml": {"duration"},  # follow-ups: how long one medicine was taken
}
# The follow-up question of a medicine list's ``follow_up.duration`` (not a fact of the trial).
DURATION = "medicine_duration"
_PRECISION = {"date": r"\d{4}-\d{2}-\d{2}", "month": r"\d{4}-\d{2}", "year": r"\d{4}"}


@dataclass(frozen=True)
class Entry:
    """One labelled answer."""

    file: str
    index: int
    question: str
    text: str
    expect: Any
    flag: bool
    note: str | None = None
    medicine: str | None = None  # duration follow-ups: the medicine asked about


RETIRED = "retired.yaml"  # questions the trial no longer asks, as they were


def load(corpus: Path = CORPUS, *, retired: bool = False) -> list[Entry]:
    """Every entry of every corpus file, in file order.

    Answers to questions the trial no longer asks (``retired.yaml``) are left out, unless
    ``retired``: a reader's own tests may still read them.
    """
    gone = set(retired_questions(corpus))
    entries = []
    for name in FILES:
        path = corpus / name
        if not path.exists():
            continue
        for index, raw in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or []):
            entry = Entry(file=name, index=index, **raw)
            if retired or entry.question not in gone:
                entries.append(entry)
    return entries


def retired_questions(corpus: Path = CORPUS) -> dict[str, FactDef]:
    """The retired questions of a corpus, by id (empty when it has none)."""
    path = corpus / RETIRED
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if set(raw) != {"questions"}:
        raise ValueError(f"{path}: expected one key, questions")
    facts = [FactDef.parse_obj(item) for item in raw["questions"]]
    return {fact.id: fact for fact in facts}


def question(trial: Trial, question_id: str, corpus: Path = CORPUS) -> FactDef:
    """The question an entry answers: the trial's, or a retired one of the corpus."""
    found = trial.facts.get(question_id) or retired_questions(corpus).get(question_id)
    if found is None:
        raise KeyError(f"no question {question_id!r} in {trial.id} or {corpus / RETIRED}")
    return found


def precision(answer_type: str, expect: Any) -> str | None:
    """``date``, ``month`` or ``year`` for a date label; None for anything else."""
    if answer_type in {"date", "date_or_never"} and isinstance(expect, dict):
        ((kind, value),) = expect.items()
        if kind not in _PRECISION or not re.fullmatch(_PRECISION[kind], str(value)):
            raise ValueError(f"a date label is {{date|month|year: value}}, got {expect!r}")
        return str(kind)
    return None


def engine_form(answer_type: str, expect: Any) -> Any:
    """The label in the form ``criteria.coerce`` takes (a month or a year: its first day)."""
    kind = precision(answer_type, expect)
    if kind is not None:
        value = str(next(iter(expect.values())))
        return {"date": value, "month": f"{value}-01", "year": f"{value}-01-01"}[kind]
    if answer_type == "medicine_list" and isinstance(expect, list):
        uses: list[Any] = []
        for item in expect:
            if not set(item) <= {"medicine", "duration", "said"}:
                raise ValueError(f"a medicine is {{medicine, duration}} or {{medicine: null, said}}, got {item!r}")
            if item.get("medicine") is None:
                if not item.get("said"):
                    raise ValueError(f"an unknown medicine keeps the patient's words (said), got {item!r}")
                uses.append(str(item["said"]))
            else:
                uses.append({k: v for k, v in item.items() if k in {"medicine", "duration"} and v is not None})
        return uses
    if answer_type == "dose" and isinstance(expect, dict) and expect.get("medicine") is None:
        return {"medicine": "prednisone", "mg_per_day": expect["mg_per_day"]}  # the question names the class
    return expect


def answer_type(trial: Trial, entry: Entry) -> str:
    """The entry's answer type: its question's, or ``duration`` for a follow-up."""
    return "duration" if entry.question == DURATION else question(trial, entry.question).answer.type


def expected_value(trial: Trial, entry: Entry) -> Value:
    """The label as the engine's typed value (raises ``FactError`` if the engine refuses it).

    A duration follow-up's label is its length in days (or ``UNSURE``).
    """
    if entry.question == DURATION:
        return UNSURE if entry.expect == "unsure" else Quantity.parse(str(entry.expect)).in_days()
    fact = question(trial, entry.question)
    return make_fact(fact, engine_form(fact.answer.type, entry.expect), today=TODAY, lexicon=trial.lexicon).value
