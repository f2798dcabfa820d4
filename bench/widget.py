"""``python -m bench.widget``: the chat widget's bundle size and time to its first message.

Run against the running product (``./scripts/run``): Debian's chromium (Playwright) opens the
demo trial page, opens the chat and presses Start, each time in a fresh browser context.
Printed: the bundle's bytes (raw and gzipped), and per run the time from navigation to the
launcher being usable, and from Start to the bot's first message on screen (session token,
socket connection, the greeting through Rasa), as p50 / p95 / max.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import time

from channels.widget import BUNDLE
from settings import get_settings


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(prog="python -m bench.widget")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--url", default=f"{get_settings().rasa_url}/webhooks/widget/")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args()
    raw = BUNDLE.read_bytes()
    print(f"bundle {BUNDLE.name}: {len(raw) / 1024:.1f} KiB raw, {len(gzip.compress(raw, 9)) / 1024:.1f} KiB gzipped")

    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only the browser part needs it

    ready, first = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        for _ in range(args.runs):
            context = browser.new_context(viewport={"width": 360, "height": 740})
            page = context.new_page()
            began = time.perf_counter()
            page.goto(args.url)
            page.locator(".pc-launcher").wait_for()
            ready.append((time.perf_counter() - began) * 1000)
            page.click(".pc-launcher")
            page.locator(".pc-start").wait_for()
            began = time.perf_counter()
            page.click(".pc-start")
            page.locator(".pc-msg.pc-bot").first.wait_for(timeout=30_000)
            first.append((time.perf_counter() - began) * 1000)
            context.close()
        browser.close()
    for name, values in (("page load to launcher", ready), ("Start to first bot message", first)):
        print(
            f"{name}: p50 {statistics.median(values):.0f} ms, p95 {_percentile(values, 0.95):.0f} ms, "
            f"max {max(values):.0f} ms ({len(values)} runs)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
