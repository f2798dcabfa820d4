"""``python -m handoff resume CONVERSATION --by NAME [--fact ID --value JSON] [--note TEXT]``."""

from __future__ import annotations

import argparse
import json
import sys

from criteria import FactError
from handoff.api import ResumeError, resume


def main() -> int:
    """Parse arguments, resume, print what the bot said next."""
    parser = argparse.ArgumentParser(prog="python -m handoff")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("resume", help="settle an answer and let the bot continue")
    cmd.add_argument("conversation")
    cmd.add_argument("--by", required=True, help="the coordinator's name, for the audit log")
    cmd.add_argument("--fact", help="the question whose answer is settled")
    cmd.add_argument("--value", help='the answer as JSON, e.g. "no", 34, {"ago": "3 weeks"}')
    cmd.add_argument("--note", help="why, in a few words")
    args = parser.parse_args()
    value = None
    if args.fact:
        try:
            value = json.loads(args.value) if args.value is not None else None
        except json.JSONDecodeError:
            value = args.value  # a bare word such as no or never
    try:
        resumed = resume(args.conversation, coordinator=args.by, fact_id=args.fact, value=value, note=args.note)
    except (ResumeError, FactError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for message in resumed.messages:
        print(message.get("text", message))
    return 0


raise SystemExit(main())
