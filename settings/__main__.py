"""``python -m settings env``: the settings scripts/run needs, as shell ``export`` lines."""

from __future__ import annotations

import shlex
import sys

from settings import get_settings


def main() -> int:
    """Print export lines (the token is generated on first use and kept in data/secrets.json)."""
    if sys.argv[1:] != ["env"]:
        print("usage: python -m settings env", file=sys.stderr)
        return 2
    s = get_settings()
    values = {
        "REST_TOKEN": s.rest_secret,
        "RASA_JWT_SECRET": s.api_secret,
        "RASA_HOST": s.rasa_host,
        "RASA_PORT": str(s.rasa_port),
        "ACTION_PORT": str(s.action_port),
        "DATABASE_URL_EFFECTIVE": s.db_url,
    }
    for name, value in values.items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


raise SystemExit(main())
