"""A terminal pre-screening interview (``python -m criteria interview``).

It reads short structured answers, not free text: that is the conversation's job (Rasa
and the NLU components). It lets a coordinator or a site try the question flow of a trial
file before it goes live. Type ``why`` or ``explain`` at any question, ``quit`` to stop.
"""

from __future__ import annotations

import re
from datetime import date
from typing import IO

from criteria.coerce import make_fact
from criteria.errors import FactError
from criteria.planner import next_question
from criteria.schema import FactDef
from criteria.trial import Trial
from criteria.values import Fact

_AGO = re.compile(r"^(\d+(?:\.\d+)?)\s*([a-z]+)\s+ago$")
_DURATION = re.compile(r"\s+(?:for\s+)?(\d+(?:\.\d+)?\s*[a-z]+)$")
_DOSE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:mg)?")


def interview(trial: Trial, today: date, stdin: IO[str], out: IO[str]) -> dict[str, Fact]:
    """Ask the planner's questions one by one until none is left, or the user quits."""
    facts: dict[str, Fact] = {}
    while (question := next_question(trial, facts, today=today)) is not None:
        print(f"\n{question.question}", file=out)
        for i, label in enumerate((question.answer.choices or {}).values(), start=1):
            print(f"  {i}. {label}", file=out)
        while True:
            print("> ", end="", file=out, flush=True)
            line = stdin.readline()
            text = line.strip()
            if not line or text.casefold() == "quit":
                return facts
            if text.casefold() == "why":
                print(question.why, file=out)
                continue
            if text.casefold() in {"explain", "what", "?"}:
                print(question.explain, file=out)
                for term, meaning in question.terms.items():
                    print(f"  {term}: {meaning}", file=out)
                continue
            try:
                raw = read_answer(question, text)
                facts[question.id] = make_fact(question, raw, today=today, lexicon=trial.lexicon, said=text)
                break
            except FactError as exc:
                print(f"Sorry, I could not use that answer ({exc.message}). Please try again.", file=out)
    return facts


def read_answer(question: FactDef, text: str) -> object:
    """Turn a typed line into the structured form ``criteria.coerce`` takes."""
    low = text.strip().casefold()
    kind = question.answer.type
    if low in {"unsure", "not sure", "don't know", "dont know"}:
        return "unsure"
    if kind == "choice":
        choices = question.answer.choices or {}
        if low.isdigit() and 1 <= int(low) <= len(choices):
            return list(choices)[int(low) - 1]
        for key, label in choices.items():
            if low in {key.casefold(), label.casefold()}:
                return key
        return low
    if kind in {"age", "number"}:
        return _number(low) if _number(low) is not None else low
    if kind in {"date", "date_or_never"}:
        ago = _AGO.match(low)
        return {"ago": f"{ago.group(1)} {ago.group(2)}"} if ago else low
    if kind == "dose":
        if low in {"none", "no", "0"}:
            return "none"
        match = _DOSE.search(low)
        name = _DOSE.sub(" ", low).replace("a day", "").replace("/day", "").strip()
        return {"medicine": name, "mg_per_day": float(match.group(1))} if match else low
    if kind == "medicine_list":
        if low in {"none", "no", "nothing"}:
            return "none"
        items: list[object] = []
        for part in filter(None, (p.strip() for p in low.split(","))):
            found = _DURATION.search(part)
            if found:
                items.append({"medicine": part[: found.start()].strip(), "duration": found.group(1)})
            else:
                items.append(part)
        return items
    return low


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
