"""Coordinators and their login sessions. Every function takes ``*, session`` and never commits.

Passwords arrive here already hashed (``inbox.auth``); login-session ids are hashes of the
cookie's token, so a copy of the database opens no browser session.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store.models import Coordinator, LoginSession
from store.records import audit

ROLES = ("coordinator", "admin")
SEEN_EVERY = timedelta(minutes=1)  # how often a live session's last_seen_at is brought up to date


def create_coordinator(*, session: Session, username: str, password_hash: str, role: str, actor: str) -> Coordinator:
    """A new coordinator; ``ValueError`` for an unknown role or a name already taken."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if find_coordinator(session=session, username=username) is not None:
        raise ValueError(f"{username!r} already exists")
    coordinator = Coordinator(username=username, password_hash=password_hash, role=role)
    session.add(coordinator)
    session.flush()
    audit(session=session, actor=actor, action="coordinator.created", detail={"username": username, "role": role})
    return coordinator


def find_coordinator(*, session: Session, username: str) -> Coordinator | None:
    """A coordinator by login name."""
    found: Coordinator | None = (
        session.execute(select(Coordinator).where(Coordinator.username == username)).scalars().first()
    )
    return found


def list_coordinators(*, session: Session) -> list[Coordinator]:
    """Every coordinator, by name."""
    return list(session.execute(select(Coordinator).order_by(Coordinator.username)).scalars())


def set_password(*, session: Session, coordinator: Coordinator, password_hash: str, actor: str) -> None:
    """Replace the password; every browser signed in as this coordinator is signed out."""
    coordinator.password_hash = password_hash
    coordinator.failed_logins = 0
    coordinator.locked_until = None
    session.execute(delete(LoginSession).where(LoginSession.coordinator_id == coordinator.id))
    audit(session=session, actor=actor, action="coordinator.password", detail={"username": coordinator.username})


def is_locked(coordinator: Coordinator, now: datetime) -> bool:
    """Locked out after too many failed logins, until the lock runs out."""
    return coordinator.locked_until is not None and coordinator.locked_until > now


def login_failed(
    *, session: Session, coordinator: Coordinator, now: datetime, max_failures: int, lock_for: timedelta
) -> None:
    """Count a wrong password; the ``max_failures``-th in a row locks the account for ``lock_for``."""
    coordinator.failed_logins += 1
    detail: dict[str, object] = {"username": coordinator.username, "failures": coordinator.failed_logins}
    if coordinator.failed_logins >= max_failures:
        coordinator.locked_until = now + lock_for
        coordinator.failed_logins = 0
        detail["locked_until"] = coordinator.locked_until.isoformat()
    audit(session=session, actor="anonymous", action="login.failed", detail=detail)


def start_login_session(
    *,
    session: Session,
    coordinator: Coordinator,
    token_hash: str,
    csrf_token: str,
    now: datetime,
    lifetime: timedelta,
) -> LoginSession:
    """A signed-in browser; a good login also clears the failure count."""
    coordinator.failed_logins = 0
    coordinator.locked_until = None
    coordinator.last_login_at = now
    login = LoginSession(
        id=token_hash,
        coordinator_id=coordinator.id,
        csrf_token=csrf_token,
        created_at=now,
        expires_at=now + lifetime,
        last_seen_at=now,
    )
    session.add(login)
    session.flush()
    audit(session=session, actor=f"coordinator:{coordinator.username}", action="login")
    return login


def find_login_session(*, session: Session, token_hash: str, now: datetime, idle: timedelta) -> LoginSession | None:
    """The live session of this token: not expired, not idle too long, of an active coordinator.

    A dead session is deleted on the way; a live one is marked as seen (at most once a minute,
    so the inbox's polling does not write to the database every few seconds).
    """
    login: LoginSession | None = session.get(LoginSession, token_hash)
    if login is None:
        return None
    if login.expires_at <= now or login.last_seen_at + idle <= now or not login.coordinator.active:
        session.delete(login)
        return None
    if now - login.last_seen_at >= SEEN_EVERY:
        login.last_seen_at = now  # not on every live-refresh poll: one write a minute is enough
    return login


def end_login_session(*, session: Session, token_hash: str) -> None:
    """Sign a browser out."""
    login: LoginSession | None = session.get(LoginSession, token_hash)
    if login is not None:
        audit(session=session, actor=f"coordinator:{login.coordinator.username}", action="logout")
        session.delete(login)
