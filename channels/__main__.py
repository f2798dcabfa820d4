"""``python -m channels telegram-webhook [--url URL]``: connect the Telegram bot to this server.

Calls Telegram's ``setWebhook`` once, with ``TELEGRAM_SECRET_TOKEN`` as the secret Telegram
sends with every update (the channel refuses updates without it).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from channels.telegram_bot import set_webhook
from settings import TELEGRAM_SECRET_RULE, TELEGRAM_SECRET_TOKEN, get_settings


def main(argv: list[str] | None = None) -> int:
    """Run the command; 0 on success, 2 on a usage or settings problem, 1 if Telegram refused."""
    parser = argparse.ArgumentParser(prog="python -m channels")
    commands = parser.add_subparsers(dest="command", required=True)
    hook = commands.add_parser("telegram-webhook", help="point the Telegram bot at this server (setWebhook)")
    hook.add_argument("--url", help="the public HTTPS URL of /webhooks/telegram/webhook (else TELEGRAM_WEBHOOK_URL)")
    args = parser.parse_args(argv)
    s = get_settings()
    url = args.url or s.telegram_webhook_url
    problems = [
        "TELEGRAM_TOKEN is not set (BotFather gives it)" * (not s.telegram_token),
        TELEGRAM_SECRET_RULE * (not TELEGRAM_SECRET_TOKEN.match(s.telegram_secret_token)),
        "no webhook URL: pass --url or set TELEGRAM_WEBHOOK_URL" * (not url),
    ]
    if any(problems):
        for problem in filter(None, problems):
            print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        asyncio.run(
            set_webhook(
                token=s.telegram_token, url=url, secret_token=s.telegram_secret_token, api_url=s.telegram_api_url
            )
        )
    except Exception as error:
        print(f"error: Telegram refused the webhook: {error}", file=sys.stderr)
        return 1
    print(f"Telegram will post updates to {url}, with the secret token")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
