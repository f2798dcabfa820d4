"""Coordinators' logins: argon2id password hashes, server-side sessions, CSRF tokens, lockout.

A session cookie holds a random token; the database keeps only its SHA-256, the CSRF token
that every form of that session must send back, and when the session ends (an absolute
lifetime and an idle timeout). After ``inbox_max_failed_logins`` wrong passwords in a row
an account is locked for ``inbox_lockout_minutes``. An unknown name costs the same hash
check as a known one, and the reply never says which of name or password was wrong.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from settings import Settings
from store import coordinators, records
from store.models import Coordinator

MIN_PASSWORD_CHARS = 12
COOKIE = "inbox_session"
LOGIN_COOKIE = "inbox_login"  # a token the login form echoes back (login CSRF)
_HASHER = PasswordHasher()  # argon2id, the library's current defaults
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Identity:
    """The signed-in coordinator of a request."""

    username: str
    role: str
    csrf_token: str

    @property
    def admin(self) -> bool:
        """Admins see the audit log and manage accounts."""
        return self.role == "admin"


class PasswordTooWeak(ValueError):
    """A new password that does not meet the rules."""


def hash_password(password: str) -> str:
    """An argon2id hash of a new password (at least ``MIN_PASSWORD_CHARS`` characters)."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise PasswordTooWeak(f"A password needs at least {MIN_PASSWORD_CHARS} characters.")
    return _HASHER.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return bool(_HASHER.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def new_form_token() -> str:
    """A random token for the login form and its cookie (login CSRF: double submit)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a submitted token."""
    return bool(given) and hmac.compare_digest(str(given).encode(), expected.encode())


def log_in(*, session: Session, username: str, password: str, now: datetime, settings: Settings) -> str | None:
    """Check a name and password; on success open a session and return its cookie token.

    None for a wrong name or password, an inactive account, or a locked one (a locked
    account stays locked even with the right password, until the lock runs out).
    """
    coordinator = coordinators.find_coordinator(session=session, username=username.strip())
    if coordinator is None or not coordinator.active:
        _verify(_DUMMY_HASH, password)  # same time as a real check: names cannot be probed
        records.audit(session=session, actor="anonymous", action="login.failed", detail={"known": False})
        return None
    if coordinators.is_locked(coordinator, now):
        _verify(_DUMMY_HASH, password)
        records.audit(
            session=session, actor="anonymous", action="login.locked", detail={"username": coordinator.username}
        )
        return None
    if not _verify(coordinator.password_hash, password):
        coordinators.login_failed(
            session=session,
            coordinator=coordinator,
            now=now,
            max_failures=settings.inbox_max_failed_logins,
            lock_for=timedelta(minutes=settings.inbox_lockout_minutes),
        )
        return None
    if _HASHER.check_needs_rehash(coordinator.password_hash):
        coordinator.password_hash = _HASHER.hash(password)
    token = secrets.token_urlsafe(32)
    coordinators.start_login_session(
        session=session,
        coordinator=coordinator,
        token_hash=token_hash(token),
        csrf_token=secrets.token_urlsafe(32),
        now=now,
        lifetime=timedelta(hours=settings.inbox_session_hours),
    )
    return token


def identify(*, session: Session, token: str | None, now: datetime, settings: Settings) -> Identity | None:
    """The coordinator a session cookie belongs to, if the session is still alive."""
    if not token:
        return None
    login = coordinators.find_login_session(
        session=session,
        token_hash=token_hash(token),
        now=now,
        idle=timedelta(minutes=settings.inbox_idle_minutes),
    )
    if login is None:
        return None
    owner: Coordinator = login.coordinator
    return Identity(owner.username, owner.role, login.csrf_token)


def log_out(*, session: Session, token: str | None) -> None:
    """End the session of this cookie."""
    if token:
        coordinators.end_login_session(session=session, token_hash=token_hash(token))


def create_account(*, session: Session, username: str, password: str, role: str, actor: str) -> Coordinator:
    """A new coordinator or admin (``ValueError`` for a weak password, a taken name, a bad role)."""
    username = username.strip()
    if not username or len(username) > 64 or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise ValueError("A user name is 1 to 64 letters, digits, dots, dashes or underscores.")
    return coordinators.create_coordinator(
        session=session, username=username, password_hash=hash_password(password), role=role, actor=actor
    )


def reset_password(*, session: Session, username: str, password: str, actor: str) -> None:
    """A new password (which also lifts a lockout and signs every browser of that account out)."""
    coordinator = coordinators.find_coordinator(session=session, username=username.strip())
    if coordinator is None:
        raise ValueError(f"no account named {username!r}")
    coordinators.set_password(
        session=session, coordinator=coordinator, password_hash=hash_password(password), actor=actor
    )
