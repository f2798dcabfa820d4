"""Fixtures for the inbox: the app on a migrated database (SQLite and PostgreSQL), accounts, handoffs.

Rasa's ``events`` table is created here as Rasa's tracker store would, so transcripts can
be written as Rasa writes them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from inbox import auth
from inbox.app import create_app
from settings import Settings
from store import records
from store.db import session_scope
from store.models import Handoff
from store.transcript import EVENTS
from tests.store.conftest import db_url, engine, postgres_server  # noqa: F401 - fixtures, both backends

PASSWORD = "correct horse battery"


@pytest.fixture
def settings(engine: Engine, db_url: str, tmp_path: Path) -> Settings:  # noqa: F811
    EVENTS.create(engine, checkfirst=True)
    return Settings(
        database_url=db_url,
        data_dir=tmp_path,
        inbox_max_failed_logins=3,
        inbox_lockout_minutes=15,
        rasa_port=1,  # nothing listens: the inbox must say Rasa is unreachable
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://inbox.test", follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def accounts(engine: Engine) -> dict[str, str]:  # noqa: F811
    """An admin (ada) and two coordinators (cole, cara), all with PASSWORD."""
    with session_scope(engine) as session:
        for name, role in (("ada", "admin"), ("cole", "coordinator"), ("cara", "coordinator")):
            auth.create_account(session=session, username=name, password=PASSWORD, role=role, actor="test")
    return {"ada": "admin", "cole": "coordinator", "cara": "coordinator"}


def form_value(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} in the page"
    return found.group(1)


def log_in(client: TestClient, username: str, password: str = PASSWORD) -> tuple[int, str]:
    """Sign in through the login form; returns the status and the page (or redirect target)."""
    page = client.get("/login")
    reply = client.post(
        "/login", data={"username": username, "password": password, "form_token": form_value(page.text, "form_token")}
    )
    return reply.status_code, reply.headers.get("location", reply.text)


def csrf(client: TestClient, path: str = "/") -> str:
    """The CSRF token of the signed-in session (from any page's form)."""
    return form_value(client.get(path).text, "csrf")


def make_handoff(
    engine: Engine,  # noqa: F811
    *,
    message: str = "I'm not sure if I had TB",
    reason: str = "unsure_answer",
    cohort: str | None = "sle",
    conversation: str = "conv-1",
    fact_id: str | None = "tuberculosis",
) -> str:
    """A screening handed off, as the bot records it; returns the handoff id."""
    with session_scope(engine) as session:
        screening = records.start_screening(
            session=session, conversation_id=conversation, channel="socketio", trial_id="NCT07193810"
        )
        screening.cohort = cohort
        records.record_answer(
            session=session,
            screening_id=screening.id,
            fact_id="age",
            value=42,
            raw_text="forty two",
            criteria=["inc_age"],
        )
        handoff = records.open_handoff(
            session=session, screening=screening, reason=reason, message=message, fact_id=fact_id, snapshot=[]
        )
        return str(handoff.id)


def say(engine: Engine, conversation: str, sender: str, text: str, **extra: object) -> None:  # noqa: F811
    """A message in Rasa's events table, as Rasa's SQL tracker store writes it."""
    now = datetime.now(timezone.utc).timestamp()
    event = {"event": "user" if sender == "patient" else "bot", "timestamp": now, "text": text, **extra}
    with engine.begin() as connection:
        connection.execute(
            EVENTS.insert().values(
                sender_id=conversation, type_name=event["event"], timestamp=now, data=json.dumps(event)
            )
        )


def handoff_row(engine: Engine, handoff_id: str) -> Handoff:  # noqa: F811
    with session_scope(engine) as session:
        found = session.get(Handoff, handoff_id)
        assert found is not None
        session.expunge(found)
        return found
