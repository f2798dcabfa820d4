"""``python -m evaluation`` (alias ``python -m nlu.evaluate``): how well the bot reads a labelled answer corpus.

For every answer in ``tests/nlu/corpus`` the reader gives a value, or says it cannot commit
(no reading, or a confidence below the bar the form uses). "Unsure" is never taken at face
value either (a person settles it), so for an ambiguous answer it counts as flagged; for a
clear "I don't know" it is simply the right value. Printed per answer type:

- value accuracy: clear answers read to the labelled value, of the clear answers read;
- wrongly flagged: clear answers the reader would not commit to (asked again or handed off);
- ambiguous flagged: answers labelled ``flag: true`` that the reader did not commit to.

Targets (issue "Answer understanding"): value accuracy >= 97 %, ambiguous flagged >= 95 %,
wrongly flagged <= 5 %. ``--misses`` lists every miss. The reader measured is the bot's
own: the trained model's NLU pipeline (intents, and the entities of our readers in ``nlu/``)
and ``answers.read``, which picks the entity for the question asked.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import answers
from criteria import Trial, load_trial, make_fact
from criteria.errors import FactError
from criteria.quantities import Quantity, age_on
from criteria.values import UNSURE, Dose, MedicineUse, Value
from evaluation.corpus import CORPUS, DURATION, TODAY, Entry, answer_type, expected_value, load, precision, question

COMMIT_CONFIDENCE = 0.8  # below this the form neither knocks out nor takes the answer as read
ROOT = Path(__file__).resolve().parent.parent

Reader = Callable[[Trial, Entry], "Value | None"]


@dataclass
class Tally:
    """Counts for one answer type."""

    clear: int = 0
    read: int = 0  # clear answers the reader committed to
    right: int = 0
    flagged_clear: int = 0
    ambiguous: int = 0
    ambiguous_flagged: int = 0

    def line(self, name: str) -> str:
        """One printed row."""

        def pct(part: int, whole: int) -> str:
            return f"{100 * part / whole:5.1f} %" if whole else "   -   "

        return (
            f"{name:14} {self.clear + self.ambiguous:5d}  value accuracy {pct(self.right, self.read)}"
            f"  wrongly flagged {pct(self.flagged_clear, self.clear)}"
            f"  ambiguous flagged {pct(self.ambiguous_flagged, self.ambiguous)}"
        )


def same(answer_type: str, got: Value, expected: Value, entry: Entry) -> bool:
    """The reading means what the label says (dates at the label's precision, durations within a month or 10 %)."""
    if answer_type == "duration" and isinstance(got, float) and isinstance(expected, float):
        return abs(got - expected) <= max(31.0, 0.1 * expected)  # as durations in medicine lists
    if answer_type == "age" and not isinstance(got, str) and not isinstance(expected, str):
        as_years = [age_on(v, TODAY) if isinstance(v, date) else v for v in (got, expected)]
        return as_years[0] == as_years[1]
    if answer_type == "number" and isinstance(got, Quantity) and isinstance(expected, Quantity):
        return got.unit == expected.unit and math.isclose(got.value, expected.value, abs_tol=0.5)
    kind = precision(answer_type, entry.expect)
    if kind is not None and isinstance(got, date) and isinstance(expected, date):
        return {
            "date": got == expected,
            "month": (got.year, got.month) == (expected.year, expected.month),
            "year": got.year == expected.year,
        }[kind]
    if isinstance(got, Dose) and isinstance(expected, Dose):
        named = isinstance(entry.expect, dict) and entry.expect.get("medicine") is not None
        return math.isclose(got.mg_per_day, expected.mg_per_day, abs_tol=0.01) and (
            not named or got.medicine == expected.medicine
        )
    if answer_type == "medicine_list" and isinstance(got, tuple) and isinstance(expected, tuple):
        return _medicines(got) == _medicines(expected) and _durations_agree(got, expected)
    return got == expected


def _medicines(uses: tuple[MedicineUse, ...]) -> list[str]:
    return sorted(use.medicine or use.said.casefold() for use in uses)


def _durations_agree(got: tuple[MedicineUse, ...], expected: tuple[MedicineUse, ...]) -> bool:
    read = {use.medicine: use.duration_days for use in got}
    for use in expected:
        if use.duration_days is None:
            continue
        days = read.get(use.medicine)
        if days is None or abs(days - use.duration_days) > max(31.0, 0.1 * use.duration_days):
            return False
    return True


def bot_reader(model: Path) -> Reader:
    """The bot: the trained model's NLU pipeline, then ``answers.read``."""
    import structlog  # noqa: PLC0415
    from rasa.core.agent import Agent  # noqa: PLC0415 - heavy, and only this reader needs it

    from nlu import clock  # noqa: PLC0415

    clock.screening_day = lambda: TODAY  # the corpus is labelled as of its screening date

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))  # no per-parse lines
    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()  # one loop for all the answers, not one per answer

    def read(trial: Trial, entry: Entry) -> Value | None:
        parsed = loop.run_until_complete(agent.parse_message(entry.text))
        intent = parsed.get("intent") or {}
        if entry.question == DURATION:
            return read_duration(parsed.get("entities"), intent)
        fact = question(trial, entry.question)
        reading = answers.read(
            fact,
            entry.text,
            intent.get("name"),
            float(intent.get("confidence") or 0),
            today=TODAY,
            entities=parsed.get("entities"),
        )
        if reading is None or reading.confidence < COMMIT_CONFIDENCE:
            return None
        try:
            return make_fact(fact, reading.value, today=TODAY, lexicon=trial.lexicon).value
        except FactError:
            return None

    return read


def read_duration(entities: list[dict[str, Any]] | None, intent: dict[str, Any]) -> Value | None:
    """A follow-up's length in days, ``UNSURE``, or None (not committed to), as the form reads it."""
    reading = answers.read_duration(entities, intent.get("name"), float(intent.get("confidence") or 0))
    if reading is None or reading.confidence < COMMIT_CONFIDENCE:
        return None
    return UNSURE if reading.value == "unsure" else Quantity.parse(str(reading.value)).in_days()


def evaluate(trial: Trial, entries: list[Entry], reader: Reader) -> tuple[dict[str, Tally], list[str]]:
    """Tallies per answer type, and a line per miss."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    misses = []
    for entry in entries:
        kind = answer_type(trial, entry)
        tally = tallies[kind]
        got = reader(trial, entry)
        where = f"{entry.file}:{entry.index} {entry.question} {entry.text!r}"
        if entry.flag:
            tally.ambiguous += 1
            if got is None or got is UNSURE:
                tally.ambiguous_flagged += 1
            else:
                misses.append(f"not flagged  {where} -> {got!r}")
            continue
        tally.clear += 1
        if got is None:
            tally.flagged_clear += 1
            misses.append(f"flagged      {where} (expected {entry.expect!r})")
            continue
        tally.read += 1
        if same(kind, got, expected_value(trial, entry), entry):
            tally.right += 1
        else:
            misses.append(f"wrong value  {where} -> {got!r} (expected {entry.expect!r})")
    return dict(tallies), misses


def main(argv: list[str] | None = None) -> int:
    """Print the figures (and, with ``--misses``, every miss)."""
    parser = argparse.ArgumentParser(prog="python -m evaluation", description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "prescreen.tar.gz")
    parser.add_argument(
        "--corpus", type=Path, default=CORPUS, help="a labelled corpus directory (default: %(default)s)"
    )
    parser.add_argument("--trial", default="NCT07193810", help="the trial the corpus answers (default: %(default)s)")
    parser.add_argument("--misses", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    trial = load_trial(args.trial)
    entries = load(args.corpus)
    print(f"{args.corpus}: {len(entries)} answers")
    tallies, misses = evaluate(trial, entries, bot_reader(args.model))
    total = Tally()
    for name in sorted(tallies):
        print(tallies[name].line(name))
        for key in vars(total):
            setattr(total, key, getattr(total, key) + getattr(tallies[name], key))
    print(total.line("all"))
    if args.misses:
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
