"""The scale-out configuration for web chat: two Rasa servers on PostgreSQL and Redis.

A coordinator's reply (like the bot's next question after a resume) goes out through
whichever Rasa process handles the API call. With ``REDIS_URL`` the processes share
socket.io messages through Redis, so it reaches a patient whose socket is on the other one:
the case of ``RASA_WORKERS`` > 1, or of several hosts behind a load balancer.
"""

from __future__ import annotations

import json
import os
import socket
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from handoff.rasa_api import api_token
from store.migrate import migrate
from tests.e2e.conftest import MODEL, SocketPatient, free_port, started
from tests.e2e.test_socketio import consent_question
from tests.store.conftest import PostgresServer, in_ci, postgres_server  # noqa: F401  # the fixture, for this module

pytestmark = pytest.mark.e2e

REDIS = os.environ.get("PRESCREEN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_reachable(url: str) -> bool:
    parsed = make_url(url.replace("redis://", "redis+x://", 1))
    try:
        with socket.create_connection((parsed.host or "127.0.0.1", parsed.port or 6379), timeout=2) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class Cluster:
    rasa_urls: list[str]
    jwt_secret: str

    def push(self, via: str, conversation: str, event: dict[str, Any]) -> None:
        """What the inbox does, through the Rasa server ``via``: an event executed on the patient's channel."""
        quoted = urllib.parse.quote(conversation, safe="")
        request = urllib.request.Request(
            f"{via}/conversations/{quoted}/tracker/events?execute_side_effects=true&output_channel=latest",
            data=json.dumps([event]).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {api_token(self.jwt_secret)}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as reply:
            assert reply.status == 200


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer) -> Iterator[Cluster]:  # noqa: F811
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run ./scripts/test (it trains when bot data changed)")
    if not redis_reachable(REDIS):
        message = f"Redis not reachable at {REDIS} (the scale-out tests need it)"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    data = tmp_path_factory.mktemp("scale-out")
    database_url = postgres_server.create_database()
    migrate(database_url)
    jwt_secret = uuid.uuid4().hex
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS,
        "PRESCREEN_DATA_DIR": str(data),
        "REST_TOKEN": uuid.uuid4().hex,
        "RASA_JWT_SECRET": jwt_secret,
        "SOCKET_JWT_SECRET": uuid.uuid4().hex,  # one key: a token from either server works on both
        "CHANNEL_SECRET": uuid.uuid4().hex,
        "ACTION_PORT": str(free_port()),
        "SANIC_HOST": "127.0.0.1",
        "RASA_TELEMETRY_ENABLED": "false",
    }
    try:
        with started(env, data, jwt_secret, count=2) as (rasa_urls, _):
            yield Cluster(rasa_urls, jwt_secret)
    finally:
        postgres_server.drop_database(str(make_url(database_url).database))


@pytest.fixture
def patients(cluster: Cluster) -> Iterator[list[SocketPatient]]:
    made: list[SocketPatient] = []
    yield made
    for patient in made:
        patient.close()


@pytest.mark.parametrize(("socket_on", "api_on"), [(0, 1), (1, 0)])
def test_a_coordinators_reply_reaches_a_socket_on_the_other_server(
    cluster: Cluster, patients: list[SocketPatient], socket_on: int, api_on: int
) -> None:
    patient = SocketPatient(cluster.rasa_urls[socket_on])
    patients.append(patient)
    patient.say("hello")
    patient.wait_for(consent_question)  # the bot's own answers still reach the socket
    text = f"Hello, this is Sam from the study team ({uuid.uuid4().hex[:6]})."
    cluster.push(
        cluster.rasa_urls[api_on],
        patient.session_id,
        {"event": "bot", "text": text, "metadata": {"coordinator": "sam"}},
    )
    message = patient.wait_for(lambda m: m.get("text") == text, timeout=15, since=0)
    assert message.get("from") == "coordinator"


def test_a_message_for_one_session_reaches_no_other(cluster: Cluster, patients: list[SocketPatient]) -> None:
    patient, bystander = SocketPatient(cluster.rasa_urls[0]), SocketPatient(cluster.rasa_urls[1])
    patients.extend([patient, bystander])
    patient.say("hello")
    patient.wait_for(consent_question)
    cluster.push(cluster.rasa_urls[1], patient.session_id, {"event": "bot", "text": "Only for you."})
    patient.wait_for(lambda m: m.get("text") == "Only for you.", timeout=15, since=0)
    bystander.say("hello")
    bystander.wait_for(consent_question)
    assert "Only for you." not in bystander.texts()
