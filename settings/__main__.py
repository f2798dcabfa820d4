"""``python -m settings env``: the settings scripts/run needs, as shell ``export`` lines."""

from __future__ import annotations

import shlex
import sys

from pydantic import ValidationError

from settings import get_settings, redacted


def main() -> int:
    """Print export lines (the token is generated on first use and kept in data/secrets.json)."""
    if sys.argv[1:] != ["env"]:
        print("usage: python -m settings env", file=sys.stderr)
        return 2
    try:
        s = get_settings()
    except ValidationError as error:
        for problem in error.errors():
            print(f"error: settings: {problem['msg']}", file=sys.stderr)
        return 2
    values = {
        "REST_TOKEN": s.rest_secret,
        "RASA_JWT_SECRET": s.api_secret,
        "SOCKET_JWT_SECRET": s.socket_secret,
        "CHANNEL_SECRET": s.channel_key,  # generated here once, before several Rasa workers could race for it
        "RASA_HOST": s.rasa_host,
        "RASA_PORT": str(s.rasa_port),
        "ACTION_PORT": str(s.action_port),
        "INBOX_HOST": s.inbox_host,
        "INBOX_PORT": str(s.inbox_port),
        "DATABASE_URL_EFFECTIVE": redacted(s.db_url),
        "SANIC_WORKERS": str(s.rasa_workers),  # read by Rasa itself
        "TWILIO_STATE": "signed webhooks" if s.twilio_configured else "not configured: 503",
        "TELEGRAM_STATE": "secret-token webhooks" if s.telegram_configured else "not configured: 503",
        "LOCK_STORE_EFFECTIVE": f"redis ({redacted(s.redis_url)})" if s.redis_url else "in memory (one process)",
    }
    for name, value in values.items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
