"""``python -m bench.patients``: screen synthetic patients over the REST channel and score the bot.

Start the product first (``./scripts/run``), then::

    python -m bench.patients                       # 300 patients, 4 at a time, at most 900 s
    python -m bench.patients --patients 40 --seed 7 --json data/patients.json

Exit status 0 whatever the figures; 2 when the bot cannot be reached (or refuses the token).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.patients.drive import Unreachable
from bench.patients.run import Options, run_sync
from settings import get_settings


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run, print the report."""
    settings = get_settings()
    parser = argparse.ArgumentParser(
        prog="python -m bench.patients",
        description="Screen synthetic patients over the REST channel and score the bot against the truth.",
    )
    parser.add_argument("--patients", type=int, default=300, help="how many synthetic patients (default 300)")
    parser.add_argument("--seed", type=int, default=1, help="the same seed makes the same patients")
    parser.add_argument("--url", default=f"{settings.rasa_url}/webhooks/rest/webhook", help="the REST webhook")
    parser.add_argument("--concurrency", type=int, default=4, help="patients screened at once")
    parser.add_argument("--seconds", type=float, default=900.0, help="time bound of the whole run")
    parser.add_argument("--json", type=Path, default=None, help="write the per-patient records here")
    args = parser.parse_args(argv)
    options = Options(
        url=args.url,
        token=settings.rest_secret,
        patients=max(1, min(args.patients, 5000)),
        seed=args.seed,
        concurrency=max(1, args.concurrency),
        seconds=args.seconds,
        trial_id=settings.trial_id,
        jwt_secret=settings.api_secret,
        json_path=args.json,
    )
    try:
        outcome = run_sync(options)
    except Unreachable as exc:
        print(f"error: {exc}. Start the bot first (./scripts/run) or give --url.", file=sys.stderr)
        return 2
    print(outcome.report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
