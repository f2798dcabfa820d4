"""``python -m bench.nlu``: NLU time per message, over the labelled answer corpus.

Prints p50/p95 of the whole trained pipeline (``Agent.parse_message``) and of each of our
own components alone, so the cost a reader adds to every message is visible (aim: under
5 ms p95 in all). Needs a trained model (``./scripts/run`` or ``./scripts/test`` makes one).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path

from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from channels.guard import strip_command
from evaluation.corpus import load
from nlu.pipeline import EXTRACTORS

ROOT = Path(__file__).resolve().parent.parent


def percentiles(samples: list[float]) -> str:
    """p50 and p95 in milliseconds."""
    ordered = sorted(samples)
    pick = {p: ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] * 1000 for p in (50, 95)}
    return f"p50 {pick[50]:.3f} ms, p95 {pick[95]:.3f} ms"


def timed(texts: list[str], run: Callable[[str], object], rounds: int) -> list[float]:
    """Seconds per call, after one warm-up pass."""
    for text in texts:
        run(text)
    samples = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            run(text)
            samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    """Time the pipeline and our components."""
    parser = argparse.ArgumentParser(prog="python -m bench.nlu", description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "prescreen.tar.gz")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    texts = [entry.text for entry in load()]
    print(f"{len(texts)} answers from the corpus, {args.rounds} rounds")

    print(f"{'command guard':20}{percentiles(timed(texts, strip_command, args.rounds))}")
    ours: list[float] = []
    for extractor in EXTRACTORS:
        component = extractor()  # type: ignore[call-arg]
        samples = timed(texts, lambda text, c=component: c.process([Message(data={TEXT: text})]), args.rounds)
        ours = [a + b for a, b in zip(ours, samples, strict=True)] if ours else samples
        print(f"{extractor.__name__:20}{percentiles(samples)}")
    print(f"{'all our extractors':20}{percentiles(ours)}")

    import structlog  # noqa: PLC0415 - Rasa is heavy: loaded only for the pipeline timing
    from rasa.core.agent import Agent  # noqa: PLC0415

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    agent = Agent.load(str(args.model))
    loop = asyncio.new_event_loop()
    samples = timed(texts, lambda text: loop.run_until_complete(agent.parse_message(text)), args.rounds)
    print(f"{'whole NLU pipeline':20}{percentiles(samples)}")


if __name__ == "__main__":
    main()
