"""The report: the figures as text, and the per-patient records as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.patients.drive import Record
from bench.patients.score import Summary
from bench.patients.truth import Patient

#: The label of every metric; each appears in every report, zero or not.
METRICS = (
    'False "likely eligible"',
    "Wrong exclusions",
    "Needless handoffs",
    "Handoffs of truly unclear answers",
    "Correct handoffs",
    "not_yet agreement",
    "Other mismatches",
    "No result",
    "Agreement",
    "Questions to a knock-out",
    "Questions overall",
    "Turn latency",
    "Unrecognised questions",
)


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} ms"


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}"


def _counts(counter: Any, order: tuple[str, ...]) -> str:
    keys = [*order, *sorted(k for k in counter if k not in order)]
    return ", ".join(f"{k} {counter.get(k, 0)}" for k in keys if counter.get(k, 0) or k in order)


def text(summary: Summary, head: str, patients: dict[str, Patient]) -> str:
    """The report for people."""
    s = summary
    statuses = ("likely_eligible", "not_eligible", "not_yet", "handoff")
    lines = [
        head,
        f"Truth of the patients screened: {_counts(s.truths, statuses)}",
        f"Bot results: {_counts(s.bots, (*statuses, 'no result'))}",
        "",
        f'False "likely eligible" (bot likely_eligible, truth not): {s.outcomes["false_eligible"]} '
        f"({s.pct(s.outcomes['false_eligible'])})",
    ]
    for record in s.false_eligible:
        lines.extend(_false_eligible(record, patients.get(record.patient)))
    lines += [
        f"Wrong exclusions (bot not_eligible, truth not): {s.outcomes['wrong_exclusion']} "
        f"({s.pct(s.outcomes['wrong_exclusion'])})",
        f"Needless handoffs (bot handoff, truth decided, every answer clear): {s.outcomes['needless_handoff']} "
        f"({s.pct(s.outcomes['needless_handoff'])})",
        f"Handoffs of truly unclear answers (truth decided; patient unsure, contradictory or a matter for a person): "
        f"{s.outcomes['unclear_handoff']} ({s.pct(s.outcomes['unclear_handoff'])}); "
        f"all handoffs of such patients: {s.unclear_handoffs_all}",
        f"Correct handoffs (truth needs a coordinator): {s.handoff_agree} of {s.handoff_truth}",
        f"not_yet agreement: {s.not_yet_agree} of {s.not_yet_truth} truly not yet"
        + (f" ({100 * s.not_yet_agree / s.not_yet_truth:.0f}%)" if s.not_yet_truth else ""),
        f"Other mismatches (bot not_yet, truth not): {s.outcomes['other_mismatch']} "
        f"({s.pct(s.outcomes['other_mismatch'])})",
        f"No result: {s.outcomes['no_result']} ({s.pct(s.outcomes['no_result'])}); how conversations ended: "
        + _counts(s.ends, ("result", "handoff", "repeated", "turns", "time", "stalled", "error")),
        f"Agreement: {s.outcomes['agree']} ({s.pct(s.outcomes['agree'])})",
        f"Questions to a knock-out (median questions before a not_eligible result): {_number(s.questions_to_knockout)}",
        f"Questions overall (median per screening with a result): {_number(s.questions_overall)}",
        f"Turn latency: p50 {_ms(s.latency_p50_ms)}, p95 {_ms(s.latency_p95_ms)} over {s.turns} turns",
        f"Unrecognised questions: {sum(s.unrecognised.values())} times, in {s.unrecognised_patients} screenings",
    ]
    for question, count in s.unrecognised.most_common(8):
        lines.append(f"  {count:>4} x {question[:150]!r}")
    if s.flags:
        lines.append("Patient behaviour: " + ", ".join(f"{k} {v}" for k, v in sorted(s.flags.items())))
    return "\n".join(lines)


def _false_eligible(record: Record, patient: Patient | None) -> list[str]:
    """One false "likely eligible": the patient, why the truth differs, and the facts behind it."""
    lines = [
        f"  {record.patient} ({record.cohort}, {record.sender}): truth {record.truth} by "
        f"{', '.join(record.truth_deciding) or '-'}; story {', '.join(record.story) or 'clean'}"
    ]
    for fact_id in record.truth_facts:
        true = json.dumps(patient.answers.get(fact_id)) if patient else "?"
        said = " | ".join(record.said.get(fact_id, [])) or "(not asked)"
        bot = ""
        if record.bot_slots is not None:
            bot = f"; bot's slot {json.dumps(record.bot_slots.get(fact_id))[:160]}"
        lines.append(f"    {fact_id}: true {true[:160]}; said {said[:200]!r}{bot}")
    return lines


def write_json(
    path: Path, summary: Summary, records: list[Record], patients: dict[str, Patient], meta: dict[str, Any]
) -> None:
    """Every patient's record (with their true facts and outcome) and the figures, as JSON."""
    data = {
        "meta": meta,
        "summary": {
            "patients": summary.patients,
            "screened": summary.screened,
            "outcomes": dict(summary.outcomes),
            "truths": dict(summary.truths),
            "bot_results": dict(summary.bots),
            "ends": dict(summary.ends),
            "not_yet": {"truth": summary.not_yet_truth, "agree": summary.not_yet_agree},
            "handoff": {"truth": summary.handoff_truth, "agree": summary.handoff_agree},
            "unclear_handoffs_all": summary.unclear_handoffs_all,
            "questions_to_knockout_median": summary.questions_to_knockout,
            "questions_overall_median": summary.questions_overall,
            "latency_ms": {"p50": summary.latency_p50_ms, "p95": summary.latency_p95_ms, "turns": summary.turns},
            "unrecognised": dict(summary.unrecognised),
            "flags": dict(summary.flags),
        },
        "records": [
            {
                **asdict(record),
                "outcome": summary.outcome_of.get(record.patient),
                "true_answers": patients[record.patient].answers if record.patient in patients else None,
            }
            for record in records
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, default=str))
