"""Load test over the REST channel: simulated patients screened end to end.

Start the product first (``./scripts/run``), then::

    python -m bench.load sequential --patients 5
    python -m bench.load saturation --concurrency 16 --seconds 30
    python -m bench.load think --patients 300 --think 5 --seconds 90 --warmup 15

Prints turn latency (p50/p95/p99), turns per second, and errors. Only talks to the
configured Rasa host (127.0.0.1 by default); every run is bounded in patients and time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from dataclasses import dataclass, field

import aiohttp

from bot.examples import CLEAR_TEXT, SLE_CHAT
from criteria import load_trial
from settings import get_settings

TRIAL = load_trial("NCT07193810")
QUESTIONS = {fact.question: fact for fact in TRIAL.facts.values()}
PATIENT = SLE_CHAT
MAX_TURNS = 60


@dataclass
class Stats:
    """Latencies of every turn, and failures."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    screenings: int = 0
    count_from: float = 0.0  # turns started before this moment (the warm-up) are not counted

    def report(self, title: str, seconds: float) -> None:
        """Print the figures."""
        lat = sorted(self.latencies)
        if not lat:
            print(f"{title}: no turns completed ({self.errors} errors)")
            return
        pct = {p: lat[min(len(lat) - 1, int(len(lat) * p / 100))] * 1000 for p in (50, 95, 99)}
        print(
            f"{title}: {len(lat)} turns in {seconds:.1f} s = {len(lat) / seconds:.1f} turns/s; "
            f"p50 {pct[50]:.0f} ms, p95 {pct[95]:.0f} ms, p99 {pct[99]:.0f} ms, "
            f"mean {statistics.mean(lat) * 1000:.0f} ms; {self.screenings} screenings, {self.errors} errors"
        )


def next_answer(replies: list[dict]) -> str | None:
    """The answer to the last question in the replies, or None when the bot asked none."""
    for reply in reversed(replies):
        fact = QUESTIONS.get(reply.get("text", ""))
        if fact:
            return PATIENT.get(fact.id) or CLEAR_TEXT[fact.answer.type]
    return None


async def patient(session: aiohttp.ClientSession, url: str, stats: Stats, think: float, deadline: float) -> None:
    """One simulated patient: greet, consent, answer until the result."""
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    message: str | None = "hello"
    turns = 0
    while message is not None and turns < MAX_TURNS and time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            async with session.post(url, data=json.dumps({"sender": sender, "message": message})) as reply:
                replies = await reply.json() if reply.status == 200 else None
        except (aiohttp.ClientError, asyncio.TimeoutError):
            replies = None
        if replies is None:
            stats.errors += 1
            return
        if started >= stats.count_from:
            stats.latencies.append(time.perf_counter() - started)
        turns += 1
        message = "yes" if turns == 1 else next_answer(replies)
        if think:
            await asyncio.sleep(think)
    if message is None:
        stats.screenings += 1


async def run(mode: str, args: argparse.Namespace) -> None:
    """Drive patients in the chosen mode."""
    settings = get_settings()
    url = f"{settings.rasa_url}/webhooks/rest/webhook"
    headers = {"Authorization": f"Bearer {settings.rest_secret}", "Content-Type": "application/json"}
    timeout = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=max(args.concurrency, args.patients) + 4)
    stats = Stats(count_from=time.perf_counter() + args.warmup)
    started = time.monotonic()
    async with aiohttp.ClientSession(headers=headers, timeout=timeout, connector=connector) as session:
        if mode == "sequential":
            deadline = started + args.seconds
            for _ in range(args.patients):
                await patient(session, url, stats, 0.0, deadline)
        elif mode == "saturation":
            deadline = started + args.seconds

            async def worker() -> None:
                while time.monotonic() < deadline:
                    await patient(session, url, stats, 0.0, deadline)

            await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        else:
            deadline = started + args.seconds

            async def staggered(index: int) -> None:
                await asyncio.sleep(args.think * index / args.patients)  # spread the arrivals
                await patient(session, url, stats, args.think, deadline)

            await asyncio.gather(*(staggered(i) for i in range(args.patients)))
    title = {"sequential": "sequential", "saturation": f"saturation x{args.concurrency}"}.get(
        mode, f"{args.patients} patients, {args.think:g} s think time"
    )
    if args.warmup:
        title += f" (after {args.warmup:g} s warm-up)"
    stats.report(title, time.monotonic() - started - args.warmup)


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["sequential", "saturation", "think"])
    parser.add_argument("--patients", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--think", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=0.0, help="seconds at the start not counted")
    args = parser.parse_args()
    args.patients = min(args.patients, 1000)  # bounded by design
    asyncio.run(run(args.mode, args))


if __name__ == "__main__":
    main()
