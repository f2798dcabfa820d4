"""The scale-out configuration for web chat: two Rasa servers on PostgreSQL and Redis.

A coordinator's reply (like the bot's next question after a resume) goes out through
whichever Rasa process handles the API call. With ``REDIS_URL`` the processes share
socket.io messages through Redis, so it reaches a patient whose socket is on the other one:
the case of ``RASA_WORKERS`` > 1, or of several hosts behind a load balancer.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis
from sqlalchemy.engine import make_url

from store.migrate import migrate
from tests.e2e.conftest import MODEL, Servers, SocketPatient, free_port, started
from tests.e2e.test_socketio import consent_question, push
from tests.standin import StandIn
from tests.store.conftest import PostgresServer, in_ci, postgres_server  # noqa: F401  # the fixture, for this module

pytestmark = pytest.mark.e2e

REDIS = os.environ.get("PRESCREEN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory,
    postgres_server: PostgresServer,  # noqa: F811
    provider: StandIn,
) -> Iterator[list[Servers]]:
    """Two Rasa servers (and one action server) on one PostgreSQL database and one Redis."""
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run ./scripts/test (it trains when bot data changed)")
    try:
        redis.Redis.from_url(REDIS, socket_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        if in_ci():
            pytest.fail(f"Redis is required in CI (the scale-out tests): {error}", pytrace=False)
        pytest.skip(f"no Redis at {REDIS}: {error}")
    data = tmp_path_factory.mktemp("scale-out")
    database_url = postgres_server.create_database()
    migrate(database_url)
    rest_token, jwt_secret = uuid.uuid4().hex, uuid.uuid4().hex
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS,
        "PRESCREEN_DATA_DIR": str(data),
        "REST_TOKEN": rest_token,
        "RASA_JWT_SECRET": jwt_secret,
        "SOCKET_JWT_SECRET": uuid.uuid4().hex,  # one key: a token from either server works on both
        "CHANNEL_SECRET": uuid.uuid4().hex,
        "ACTION_PORT": str(free_port()),
        "SANIC_HOST": "127.0.0.1",
        "RASA_TELEMETRY_ENABLED": "false",
    }
    try:
        with started(env, data, jwt_secret, count=2) as (rasa_urls, action_url):
            yield [Servers(url, action_url, rest_token, jwt_secret, database_url, data, provider) for url in rasa_urls]
    finally:
        postgres_server.drop_database(str(make_url(database_url).database))


@pytest.fixture
def patients(cluster: list[Servers]) -> Iterator[list[SocketPatient]]:
    made: list[SocketPatient] = []
    yield made
    for patient in made:
        patient.close()


@pytest.mark.parametrize(("socket_on", "api_on"), [(0, 1), (1, 0)])
def test_a_coordinators_reply_reaches_a_socket_on_the_other_server(
    cluster: list[Servers], patients: list[SocketPatient], socket_on: int, api_on: int
) -> None:
    patient = cluster[socket_on].socket_patient()
    patients.append(patient)
    patient.say("hello")
    patient.wait_for(consent_question)  # the bot's own answers still reach the socket
    text = f"Hello, this is Sam from the study team ({uuid.uuid4().hex[:6]})."
    push(cluster[api_on], patient.session_id, text)  # what the inbox does, through the other server
    message = patient.wait_for(lambda m: m.get("text") == text, timeout=15, since=0)
    assert message.get("from") == "coordinator"


def test_a_message_for_one_session_reaches_no_other(cluster: list[Servers], patients: list[SocketPatient]) -> None:
    patient, bystander = cluster[0].socket_patient(), cluster[1].socket_patient()
    patients.extend([patient, bystander])
    patient.say("hello")
    patient.wait_for(consent_question)
    push(cluster[1], patient.session_id, "Only for you.")
    patient.wait_for(lambda m: m.get("text") == "Only for you.", timeout=15, since=0)
    bystander.say("hello")
    bystander.wait_for(consent_question)
    assert "Only for you." not in bystander.texts()
