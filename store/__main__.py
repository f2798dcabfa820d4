"""``python -m store migrate [--url URL]``: create or upgrade the schema (default: the settings' database)."""

from __future__ import annotations

import argparse

from settings import get_settings
from store.migrate import migrate


def main() -> None:
    """Parse arguments and run the command."""
    parser = argparse.ArgumentParser(prog="python -m store")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("migrate", help="create or upgrade the database schema")
    cmd.add_argument("--url", help="database URL (default: DATABASE_URL or the local SQLite file)")
    args = parser.parse_args()
    url = args.url or get_settings().db_url
    migrate(url)
    print(f"database schema is up to date ({url.split('@')[-1]})")


main()
