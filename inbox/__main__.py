"""``python -m inbox serve`` | ``create-user NAME [--role admin] [--password-stdin]`` | ``set-password NAME``."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

from sqlalchemy.orm import Session

from inbox import auth
from settings import get_settings
from store.db import engine_for, session_scope


def _password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass(f"Password for {args.name} ({auth.MIN_PASSWORD_CHARS}+ characters): ")
    if getpass.getpass("Again: ") != password:
        print("error: the passwords differ", file=sys.stderr)
        return None
    return password


def _change_account(args: argparse.Namespace, change: Callable[[Session, str], object], done: str) -> int:
    """Ask for a password, apply ``change`` with it in one transaction, say what was done."""
    password = _password(args)
    if password is None:
        return 1
    try:
        with session_scope(engine_for(get_settings().db_url)) as session:
            change(session, password)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(done)
    return 0


def _create_user(args: argparse.Namespace) -> int:
    return _change_account(
        args,
        lambda s, password: auth.create_account(
            session=s, username=args.name, password=password, role=args.role, actor="cli"
        ),
        f"created {args.role} {args.name}",
    )


def _set_password(args: argparse.Namespace) -> int:
    return _change_account(
        args,
        lambda s, password: auth.reset_password(session=s, username=args.name, password=password, actor="cli"),
        f"new password set for {args.name}; its sessions are signed out",
    )


def _serve(_: argparse.Namespace) -> int:
    import uvicorn  # noqa: PLC0415 - only the server needs it

    from inbox.app import create_app  # noqa: PLC0415

    settings = get_settings()
    # No access log: addresses hold only random handoff ids, but a log of who opened what is
    # the audit log's job, with names.
    # ws="none": the inbox has no websockets, and uvicorn's support needs a newer websockets than Rasa pins.
    uvicorn.run(create_app(settings), host=settings.inbox_host, port=settings.inbox_port, access_log=False, ws="none")
    return 0


def main() -> int:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(prog="python -m inbox")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the inbox web app").set_defaults(run=_serve)
    create = sub.add_parser("create-user", help="add a coordinator or admin account")
    create.add_argument("name")
    create.add_argument("--role", choices=["coordinator", "admin"], default="coordinator")
    create.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    create.set_defaults(run=_create_user)
    reset = sub.add_parser("set-password", help="give an account a new password (lifts a lockout)")
    reset.add_argument("name")
    reset.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    reset.set_defaults(run=_set_password)
    args = parser.parse_args()
    return int(args.run(args))


raise SystemExit(main())
