"""``python -m criteria``: print the criteria table, validate a trial file, simulate or run a screening.

Commands::

    python -m criteria table [--trial NCT07193810|path.yaml] [--cohort sle]
    python -m criteria coverage [--trial NCT07193810]
    python -m criteria validate path.yaml
    python -m criteria simulate FACTS.json [--today 2026-11-25]
    python -m criteria interview [--today 2026-11-25]

A facts file maps fact ids to answers in the forms ``criteria.coerce`` accepts, e.g.
``{"condition": "sle", "age": 34, "current_steroid_dose": {"medicine": "medrol", "mg_per_day": 8}}``;
an answer may also be ``{"value": ..., "said": "...", "confidence": 0.6, "conflicting": false}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import IO

from criteria.coerce import make_fact
from criteria.errors import CriteriaError
from criteria.evaluator import Result, State, evaluate
from criteria.interview import interview
from criteria.planner import rank_questions
from criteria.trace import coverage, format_coverage, listing_lines, listing_path
from criteria.trial import Trial, load_trial
from criteria.values import Fact
from criteria.yamlfile import read_yaml

DEFAULT_TRIAL = "NCT07193810"
_META_KEYS = {"value", "said", "confidence", "conflicting", "set_by"}


def main(argv: Sequence[str] | None = None, out: IO[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    out = out or sys.stdout
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            trial = load_trial(Path(args.path))
            print(f"{trial.path}: OK ({len(trial.facts)} questions, {len(trial.criteria)} criteria)", file=out)
            return 0
        trial = load_trial(args.trial)
        today = date.fromisoformat(args.today) if args.today else date.today()
        if args.command == "table":
            print_table(trial, out, cohort=args.cohort)
        elif args.command == "coverage":
            print(format_coverage(coverage(trial, listing_lines(listing_path(trial)))), file=out)
        elif args.command == "simulate":
            facts = load_facts(trial, Path(args.facts), today)
            print_result(trial, facts, evaluate(trial, facts, today), out)
        else:
            facts = interview(trial, today, sys.stdin, out)
            print_result(trial, facts, evaluate(trial, facts, today), out)
    except CriteriaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m criteria", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, helptext in (
        ("table", "print every criterion: id, cohort, kind, who assesses it, source"),
        ("simulate", "evaluate a facts file and show the next question"),
        ("interview", "answer the questions yourself in the terminal"),
        ("coverage", "show which criteria quote each line of the trial listing"),
    ):
        cmd = sub.add_parser(name, help=helptext)
        cmd.add_argument("--trial", default=DEFAULT_TRIAL, help="trial id or path to a trial file")
        cmd.add_argument("--today", help="screening date, YYYY-MM-DD (default: today)")
        if name == "table":
            cmd.add_argument("--cohort", help="only criteria that apply to this cohort")
        if name == "simulate":
            cmd.add_argument("facts", help="JSON or YAML file of answers")
    sub.add_parser("validate", help="check a trial file and report every problem").add_argument("path")
    return parser


def load_facts(trial: Trial, path: Path, today: date) -> dict[str, Fact]:
    """Read a facts file (JSON or YAML) and coerce every answer."""
    raw = json.loads(path.read_text(encoding="utf-8")) if path.suffix == ".json" else read_yaml(path)
    if not isinstance(raw, Mapping):
        raise SystemExit(f"{path}: expected a mapping of fact id to answer")
    facts = {}
    for fact_id, entry in raw.items():
        if fact_id not in trial.facts:
            raise SystemExit(f"{path}: {fact_id!r} is not a question of {trial.id}")
        answer: object = entry
        meta: dict[str, object] = {}
        if isinstance(entry, Mapping) and "value" in entry and set(entry) <= _META_KEYS:
            answer = entry["value"]
            meta = {k: v for k, v in entry.items() if k != "value"}
        facts[fact_id] = make_fact(trial.facts[fact_id], answer, today=today, lexicon=trial.lexicon, **meta)
    return facts


def print_table(trial: Trial, out: IO[str], *, cohort: str | None = None) -> None:
    """The criteria table: one row per criterion, with its source sentence."""
    header = f"{'id':<26} {'cohort':<8} {'kind':<9} {'assessed':<9} {'facts':<40} source"
    print(f"{trial.id}: {trial.meta.short_title}", file=out)
    print(header, file=out)
    print("-" * len(header), file=out)
    for crit in trial.criteria:
        if cohort and not trial.applies(crit, cohort):
            continue
        facts = ",".join(trial.facts_of(crit)) or "-"
        source = f"{crit.source.section} {crit.source.item}: {crit.source.text}"
        row = (
            f"{crit.id:<26} {','.join(crit.cohorts):<8} {crit.kind:<9} {crit.assessed_by:<9} "
            f"{textwrap.shorten(facts, 40):<40} {textwrap.shorten(source, 70)}"
        )
        print(row, file=out)


def print_result(trial: Trial, facts: Mapping[str, Fact], result: Result, out: IO[str]) -> None:
    """Per-criterion states, the verdict, reasons, site checks and the next question."""
    for item in result.criteria:
        if item.state is State.NOT_APPLICABLE:
            continue
        why = f" ({item.unknown.value})" if item.unknown else f" ({item.note.value})" if item.note else ""
        used = f" [{', '.join(item.facts)}]" if item.facts else ""
        print(f"{item.state.value:<14} {item.id}{why}{used}", file=out)
    print(f"\nstatus: {result.status.value}", file=out)
    if result.recontact_after:
        print(f"recontact after: {result.recontact_after.isoformat()}", file=out)
    for reason in result.reasons:
        print(f"  because: {reason}", file=out)
    for contradiction in result.contradictions:
        print(f"  contradiction ({contradiction.id}): {contradiction.message}", file=out)
    if result.site_to_verify:
        print("the site will still check:", file=out)
        for check in result.site_to_verify:
            print(f"  - {check}", file=out)
    ranked = rank_questions(trial, facts, result)
    if ranked:
        print(f"\nnext question ({ranked[0].fact.id}): {ranked[0].fact.question}", file=out)
    else:
        print("\nno more questions", file=out)
