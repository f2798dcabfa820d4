"""One benchmark run: make the patients, judge their truth, screen them, score the results."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import aiohttp

from bench.patients.bank import load_bank
from bench.patients.drive import Record, Run, Unreachable, check_reachable, screen_all
from bench.patients.generate import make_patients
from bench.patients.report import text, write_json
from bench.patients.score import Summary, summarise
from bench.patients.truth import Patient, judge
from criteria import load_trial


@dataclass
class Options:
    """What to run: how many patients, against which bot, for how long."""

    url: str
    token: str
    patients: int = 300
    seed: int = 1
    concurrency: int = 4
    seconds: float = 900.0
    trial_id: str = "NCT07193810"
    jwt_secret: str | None = None  # to read the bot's slots of a false "likely eligible" (Rasa's HTTP API)
    json_path: Path | None = None
    today: date = field(default_factory=date.today)


@dataclass
class Outcome:
    """The figures, the records and the report's text."""

    summary: Summary
    records: list[Record]
    patients: list[Patient]
    report: str


async def bench(options: Options) -> Outcome:
    """Run the benchmark (raises ``Unreachable`` when the bot cannot be reached or refuses every patient)."""
    started = time.monotonic()
    trial = load_trial(options.trial_id)
    bank = load_bank(trial)
    patients = make_patients(trial, options.patients, options.seed, options.today)
    judged = [(patient, judge(trial, patient.answers, options.today)) for patient in patients]
    run = Run(
        trial=trial,
        bank=bank,
        today=options.today,
        url=options.url,
        token=options.token,
        seed=options.seed,
        deadline=started + options.seconds,
        jwt_secret=options.jwt_secret,
    )
    headers = {"Authorization": f"Bearer {options.token}", "Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=options.concurrency + 4)
    async with aiohttp.ClientSession(headers=headers, connector=connector) as session:
        await check_reachable(session, options.url)
        records = await screen_all(run, judged, options.concurrency, session)
    if records and all(r.end == "error" for r in records):
        raise Unreachable(records[0].error or "every screening failed")
    summary = summarise(records, len(patients))
    by_id = {p.id: p for p in patients}
    elapsed = time.monotonic() - started
    head = (
        f"Patient simulator: {trial.id}, seed {options.seed}, {len(patients)} patients made, "
        f"{summary.screened} screened ({options.concurrency} at a time, {elapsed:.0f} s; "
        f"screening date {options.today})"
    )
    report = text(summary, head, by_id)
    if options.json_path is not None:
        meta = {"trial": trial.id, "seed": options.seed, "today": options.today.isoformat(), "url": options.url,
                "seconds": round(elapsed, 1)}  # fmt: skip
        write_json(options.json_path, summary, records, by_id, meta)
    return Outcome(summary, records, patients, report)


def run_sync(options: Options) -> Outcome:
    """``bench`` for synchronous callers."""
    return asyncio.run(bench(options))
