"""Logins: no page without one, CSRF on every form, lockout, roles, sessions that end."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from inbox import auth
from inbox.app import create_app
from settings import Settings
from store.db import session_scope
from store.models import AuditEvent, Coordinator, LoginSession, utcnow
from tests.inbox.conftest import PASSWORD, csrf, handoff_row, log_in, make_handoff

OPEN_PATHS = {"/login", "/healthz"}


def every_route(settings: Settings) -> list[tuple[str, str]]:
    """(method, path) of every route of the app, with a handoff id and action filled in."""
    found = []
    for route in create_app(settings).routes:
        if isinstance(route, Mount) or not isinstance(route, Route):
            continue
        path = route.path.replace("{handoff_id:str}", "abc").replace("{action:str}", "claim")
        found += [(method, path) for method in sorted(route.methods or ()) if method != "HEAD"]
    return found


def test_no_page_without_a_login(client: TestClient, settings: Settings, engine: Engine) -> None:
    handoff_id = make_handoff(engine)
    routes = every_route(settings)
    assert len(routes) >= 10
    for method, template in routes:
        path = template.replace("abc", handoff_id)
        if path in OPEN_PATHS:
            continue
        reply = client.request(method, path)
        if method == "GET":
            # Sent to the login page, and back here afterwards.
            assert reply.status_code == 303, path
            assert reply.headers["location"] == f"/login?next={path}", path
        else:
            assert reply.status_code == 401, (method, path)
        assert "conv-1" not in reply.text and "TB" not in reply.text
    assert handoff_row(engine, handoff_id).status == "open"  # the POSTs changed nothing


def test_a_good_login_opens_the_queue_with_a_strict_cookie(client: TestClient, accounts: dict[str, str]) -> None:
    status, where = log_in(client, "cole")
    assert (status, where) == (303, "/")
    cookie = next(c for c in client.cookies.jar if c.name == auth.COOKIE)
    assert cookie.has_nonstandard_attr("HttpOnly")
    header = " ".join(v for k, v in client.get("/login").headers.multi_items() if k == "set-cookie")
    assert "samesite=strict" in header.lower()
    assert client.get("/").status_code == 200


def test_the_login_goes_back_where_it_was_asked_but_never_off_site(
    client: TestClient, accounts: dict[str, str]
) -> None:
    page = client.get("/login?next=//evil.example/x")
    token = page.text.split('name="form_token" value="')[1].split('"')[0]
    reply = client.post(
        "/login",
        data={"username": "cole", "password": PASSWORD, "form_token": token, "next": "//evil.example/x"},
    )
    assert reply.headers["location"] == "/"


def test_the_database_keeps_only_a_hash_of_the_session_token(
    client: TestClient, accounts: dict[str, str], engine: Engine
) -> None:
    log_in(client, "cole")
    token = client.cookies[auth.COOKIE]
    with session_scope(engine) as session:
        [stored] = session.execute(select(LoginSession.id)).scalars().all()
        hashes = session.execute(select(Coordinator.password_hash)).scalars().all()
    assert stored == auth.token_hash(token) != token
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("cole", "wrong password!"),  # a known name, a wrong password
        ("nobody", PASSWORD),  # an unknown name: the same answer
        ("cole", ""),
    ],
)
def test_a_bad_login_says_the_same_thing_whatever_was_wrong(
    client: TestClient, accounts: dict[str, str], username: str, password: str
) -> None:
    status, page = log_in(client, username, password)
    assert status == 401
    assert "INBOX-001" in page
    assert auth.COOKIE not in client.cookies


def test_repeated_failures_lock_the_account_even_for_the_right_password(
    client: TestClient, accounts: dict[str, str], engine: Engine
) -> None:
    for _ in range(3):  # the test settings lock after 3
        assert log_in(client, "cole", "wrong password!")[0] == 401
    assert log_in(client, "cole")[0] == 401  # locked: the right password does not help
    assert log_in(client, "cara")[0] == 303  # only that account
    with session_scope(engine) as session:
        cole = session.execute(select(Coordinator).where(Coordinator.username == "cole")).scalar_one()
        assert cole.locked_until is not None and cole.locked_until > utcnow() + timedelta(minutes=14)
        actions = session.execute(select(AuditEvent.action)).scalars().all()
        assert actions.count("login.failed") == 3 and "login.locked" in actions
        cole.locked_until = utcnow() - timedelta(seconds=1)  # the lock runs out
    assert log_in(client, "cole")[0] == 303


def test_a_good_login_resets_the_failure_count(client: TestClient, accounts: dict[str, str]) -> None:
    for _ in range(2):
        log_in(client, "cole", "wrong password!")
    assert log_in(client, "cole")[0] == 303
    for _ in range(2):
        log_in(client, "cole", "wrong password!")
    assert log_in(client, "cole")[0] == 303  # 2 + 2 failures, never 3 in a row


def test_a_login_form_from_elsewhere_is_refused(client: TestClient, accounts: dict[str, str]) -> None:
    # No form token (a login CSRF: signing the victim in as the attacker).
    reply = client.post("/login", data={"username": "cole", "password": PASSWORD})
    assert reply.status_code == 403 and "INBOX-003" in reply.text
    assert auth.COOKIE not in client.cookies


def test_a_form_without_the_csrf_token_is_refused(client: TestClient, accounts: dict[str, str], engine: Engine) -> None:
    handoff_id = make_handoff(engine)
    log_in(client, "cole")
    for data in ({}, {"csrf": "forged"}):
        reply = client.post(f"/handoffs/{handoff_id}/claim", data=data)
        assert reply.status_code == 403 and "INBOX-003" in reply.text
    token = csrf(client)
    reply = client.post(
        f"/handoffs/{handoff_id}/claim", data={"csrf": token}, headers={"Origin": "https://evil.example"}
    )
    assert reply.status_code == 403  # the right token from another site's page
    assert handoff_row(engine, handoff_id).status == "open"
    reply = client.post(f"/handoffs/{handoff_id}/claim", data={"csrf": token})
    assert reply.status_code == 303
    assert handoff_row(engine, handoff_id).assignee == "cole"


def test_a_csrf_token_belongs_to_its_session(client: TestClient, accounts: dict[str, str], engine: Engine) -> None:
    handoff_id = make_handoff(engine)
    log_in(client, "cara")
    caras = csrf(client)
    client.cookies.clear()
    log_in(client, "cole")
    reply = client.post(f"/handoffs/{handoff_id}/claim", data={"csrf": caras})
    assert reply.status_code == 403


@pytest.mark.parametrize("path", ["/audit", "/accounts"])
def test_admin_pages_are_for_admins(client: TestClient, accounts: dict[str, str], path: str) -> None:
    log_in(client, "cole")
    reply = client.get(path)
    assert reply.status_code == 403 and "INBOX-004" in reply.text
    client.cookies.clear()
    log_in(client, "ada")
    assert client.get(path).status_code == 200


def test_a_coordinator_cannot_create_accounts(client: TestClient, accounts: dict[str, str], engine: Engine) -> None:
    log_in(client, "cole")
    token = csrf(client)
    data = {"csrf": token, "username": "mallory", "password": "a long password 1", "role": "admin"}
    assert client.post("/accounts", data=data).status_code == 403
    client.cookies.clear()
    log_in(client, "ada")
    reply = client.post("/accounts", data={**data, "csrf": csrf(client)})
    assert reply.status_code == 303
    with session_scope(engine) as session:
        assert (
            session.execute(select(Coordinator.role).where(Coordinator.username == "mallory")).scalar_one() == "admin"
        )


def test_a_short_password_is_refused(client: TestClient, accounts: dict[str, str]) -> None:
    log_in(client, "ada")
    reply = client.post(
        "/accounts", data={"csrf": csrf(client), "username": "newbie", "password": "short", "role": "coordinator"}
    )
    assert reply.status_code == 400 and "12 characters" in reply.text


def test_signing_out_ends_the_session_for_good(client: TestClient, accounts: dict[str, str]) -> None:
    log_in(client, "cole")
    token = client.cookies[auth.COOKIE]
    assert client.post("/logout", data={"csrf": csrf(client)}).status_code == 303
    client.cookies.set(auth.COOKIE, token)  # a copy of the old cookie
    assert client.get("/").status_code == 303


def test_an_idle_session_ends(client: TestClient, accounts: dict[str, str], engine: Engine) -> None:
    log_in(client, "cole")
    with session_scope(engine) as session:
        for login in session.execute(select(LoginSession)).scalars():
            login.last_seen_at = utcnow() - timedelta(minutes=61)  # the default idle limit is 60
    assert client.get("/").status_code == 303
    with session_scope(engine) as session:
        assert session.execute(select(LoginSession)).scalars().all() == []  # and is deleted


def test_cookies_are_https_only_when_configured(settings: Settings, accounts: dict[str, str]) -> None:
    secure = settings.copy(update={"inbox_secure_cookies": True})
    with TestClient(create_app(secure), base_url="https://inbox.test", follow_redirects=False) as client:
        page = client.get("/login")
        assert "secure" in page.headers["set-cookie"].lower()
    assert Settings(inbox_host="0.0.0.0").inbox_cookies_secure  # listening beyond this machine: on by default
    assert not Settings(inbox_host="127.0.0.1").inbox_cookies_secure


def test_pages_carry_security_headers(client: TestClient) -> None:
    reply = client.get("/login")
    assert "script-src 'self'" in reply.headers["content-security-policy"]
    assert "unsafe-inline" not in reply.headers["content-security-policy"]
    assert reply.headers["x-frame-options"] == "DENY"
    assert reply.headers["cache-control"] == "no-store"


def test_the_command_line_makes_accounts_and_resets_passwords(settings: Settings, engine: Engine) -> None:
    env = {**os.environ, "DATABASE_URL": settings.db_url, "PRESCREEN_DATA_DIR": str(settings.data_dir)}

    def run(*args: str, password: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "inbox", *args, "--password-stdin"],
            input=password + "\n", env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip

    assert run("create-user", "root", "--role", "admin", password="short").returncode == 1  # too short
    assert run("create-user", "root", "--role", "admin", password=PASSWORD).returncode == 0
    assert run("create-user", "root", password=PASSWORD).returncode == 1  # the name is taken
    with TestClient(create_app(settings), base_url="http://inbox.test", follow_redirects=False) as client:
        assert log_in(client, "root")[0] == 303
        with session_scope(engine) as session:
            root = session.execute(select(Coordinator).where(Coordinator.username == "root")).scalar_one()
            root.locked_until = utcnow() + timedelta(minutes=10)  # locked out
        assert run("set-password", "root", password="a brand new long password").returncode == 0
        assert client.get("/").status_code == 303  # the old session is signed out
        assert log_in(client, "root", "a brand new long password")[0] == 303  # and the lock lifted
    assert run("set-password", "nobody", password=PASSWORD).returncode == 1
