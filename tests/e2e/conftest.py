"""End-to-end: the real action server and Rasa server on 127.0.0.1, a fresh SQLite database.

Starting Rasa takes about a minute, so the servers are shared by every test in this folder;
each test talks as its own patient (its own sender id).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import socketio

from handoff.rasa_api import api_token
from store.migrate import migrate
from tests.standin import StandIn
from tests.store.conftest import in_ci

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "prescreen.tar.gz"
RASA = Path(sys.executable).parent / "rasa"
START_TIMEOUT = 240
# The messaging apps as the servers are configured for them: Twilio and Telegram stood in for on
# 127.0.0.1 (tests/standin.py); the public webhook URL is what Twilio signs, as behind a proxy.
MESSAGING = {
    "TWILIO_ACCOUNT_SID": "AC" + "e2e0" * 8,
    "TWILIO_AUTH_TOKEN": "e2e-twilio-auth-token",
    "TWILIO_SMS_NUMBER": "+15005550006",
    "TWILIO_WHATSAPP_NUMBER": "+14155238886",
    "TWILIO_WEBHOOK_URL": "https://bot.example.org/webhooks/twilio/webhook",
    "TELEGRAM_TOKEN": "123456:e2e-telegram-token",
    "TELEGRAM_SECRET_TOKEN": "e2e-telegram-secret",
    "STUDY_CONTACT": "+44 20 7946 0000",
    "SEND_BACKOFF_SECONDS": "0.05",
    "CHANNEL_SECRET": "e2e-channel-secret",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Servers:
    rasa_url: str
    action_url: str
    rest_token: str  # the REST channel's bearer token
    jwt_secret: str  # signs HTTP API tokens
    database_url: str
    logs: Path
    provider: StandIn  # what the channels sent to Twilio and Telegram

    def _bearer(self, path: str, token: str | None) -> str:
        if token is not None:
            return token
        return self.rest_token if path.startswith("/webhooks/") else api_token(self.jwt_secret)

    def post(self, path: str, body: Any, *, token: str | None = None) -> tuple[int, Any]:
        request = urllib.request.Request(
            self.rasa_url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self._bearer(path, token)}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                return reply.status, json.loads(reply.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, None

    def get(self, path: str, *, token: str | None = None) -> tuple[int, Any]:
        request = urllib.request.Request(
            self.rasa_url + path, headers={"Authorization": f"Bearer {self._bearer(path, token)}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                return reply.status, json.loads(reply.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, None

    def say(self, sender: str, message: str) -> list[dict[str, Any]]:
        status, replies = self.post("/webhooks/rest/webhook", {"sender": sender, "message": message})
        assert status == 200, status
        return list(replies)

    def tracker(self, sender: str) -> dict[str, Any]:
        status, body = self.get(f"/conversations/{sender}/tracker")
        assert status == 200
        return dict(body)

    def socket_patient(self, session_id: str | None = None, *, token: str | None = None) -> SocketPatient:
        """A new patient on the socket.io channel (close it when done, or use the ``socket_patients`` fixture)."""
        return SocketPatient(self.rasa_url, session_id, token=token)


def new_chat_session(rasa_url: str) -> dict[str, str]:
    """A session id and its token from the widget's session endpoint, as the widget gets them."""
    request = urllib.request.Request(f"{rasa_url}/webhooks/widget/session", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=30) as reply:
        return dict(json.loads(reply.read()))


class SocketPatient:
    """A patient's browser on the socket.io channel, speaking Rasa's widget protocol (synchronous).

    Gets a session token from the widget's endpoint (unless given one), connects to
    ``/socket.io`` with it (polling: websocket-client is not installed), asks for a session id
    with ``session_request`` (the token's, unless told otherwise) and waits for
    ``session_confirm``; ``session_id`` is the id the server confirmed, which is also the
    conversation (tracker) id. Every ``bot_uttered`` message is collected in ``messages``, in
    arrival order.
    """

    def __init__(
        self, rasa_url: str, session_id: str | None = None, *, token: str | None = None, timeout: float = 30
    ) -> None:
        issued = new_chat_session(rasa_url) if token is None else {"session_id": session_id, "token": token}
        self.token = str(issued["token"])
        self.asked = session_id if session_id is not None else issued["session_id"]
        self.timeout = timeout
        self.messages: list[dict[str, Any]] = []
        self._confirmed: list[str] = []
        self._turn = 0  # index in messages where the latest turn's replies start
        self._changed = threading.Condition()
        self.client = socketio.Client(reconnection=False, handle_sigint=False)
        self.client.on("session_confirm", self._on_confirm)
        self.client.on("bot_uttered", self._on_bot)
        self.client.connect(
            rasa_url,
            socketio_path="/socket.io",
            transports=["polling"],
            wait_timeout=timeout,
            auth={"token": self.token},
        )
        self.client.emit("session_request", {"session_id": self.asked})
        with self._changed:
            if not self._changed.wait_for(lambda: self._confirmed, timeout):
                raise AssertionError(f"no session_confirm for {self.asked!r} within {timeout}s")
        self.session_id = self._confirmed[0]

    def _on_confirm(self, session_id: str) -> None:
        with self._changed:
            self._confirmed.append(session_id)
            self._changed.notify_all()

    def _on_bot(self, message: dict[str, Any]) -> None:
        with self._changed:
            self.messages.append(message)
            self._changed.notify_all()

    def say(self, text: str) -> None:
        """Emit ``user_uttered``; returns once the server has handled it (its acknowledgement).

        Bot messages are emitted before the acknowledgement but handled on their own client
        threads, so read them with ``wait_for``.
        """
        with self._changed:
            self._turn = len(self.messages)
        self.client.call("user_uttered", {"message": text, "session_id": self.session_id}, timeout=self.timeout)

    def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float | None = None, *, since: int | None = None
    ) -> dict[str, Any]:
        """The first bot message matching ``predicate`` since the last ``say`` (or index ``since``)."""
        start = self._turn if since is None else since

        def found() -> dict[str, Any] | None:
            return next((m for m in self.messages[start:] if predicate(m)), None)

        with self._changed:
            if self._changed.wait_for(lambda: found() is not None, self.timeout if timeout is None else timeout):
                return found() or {}
            raise AssertionError(f"no matching bot message; got {self.messages[start:]}")

    def texts(self) -> list[str]:
        """Every bot text received so far."""
        with self._changed:
            return [m["text"] for m in self.messages if "text" in m]

    def close(self) -> None:
        """Disconnect (the conversation stays in the tracker store)."""
        self.client.disconnect()


def _wait(url: str, token: str | None, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early; see {log}:\n{log.read_text()[-3000:]}")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    raise RuntimeError(f"{url} not up after {START_TIMEOUT}s; see {log}")


@pytest.fixture(scope="session")
def provider() -> Iterator[StandIn]:
    """Twilio's and Telegram's APIs, stood in for on 127.0.0.1 for the whole run."""
    with StandIn() as standin:
        yield standin


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory, provider: StandIn) -> Iterator[Servers]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run ./scripts/test (it trains when bot data changed)")
    data = tmp_path_factory.mktemp("e2e")
    rest_token, jwt_secret = uuid.uuid4().hex, uuid.uuid4().hex
    action_port = free_port()
    database_url = f"sqlite:///{data / 'e2e.db'}"
    migrate(database_url)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PRESCREEN_DATA_DIR": str(data),
        "REST_TOKEN": rest_token,
        "RASA_JWT_SECRET": jwt_secret,
        "SOCKET_JWT_SECRET": uuid.uuid4().hex,
        "ACTION_PORT": str(action_port),
        "SANIC_HOST": "127.0.0.1",
        "RASA_TELEMETRY_ENABLED": "false",
        **MESSAGING,
        "TWILIO_API_URL": provider.url,
        "TELEGRAM_API_URL": provider.url,
    }
    with started(env, data, jwt_secret) as ([rasa_url], action_url):
        yield Servers(rasa_url, action_url, rest_token, jwt_secret, database_url, data, provider)


@contextmanager
def started(env: dict[str, str], data: Path, jwt_secret: str, count: int = 1) -> Iterator[tuple[list[str], str]]:
    """One action server and ``count`` Rasa servers with this environment: their URLs, then they are stopped."""
    action_port = int(env["ACTION_PORT"])
    action_log = data / "actions.log"
    actions = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port)],
        cwd=ROOT, env=env, stdout=action_log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    processes = [actions]
    rasas: list[tuple[int, Path, subprocess.Popen[bytes]]] = []
    for number in range(count):
        port, log = free_port(), data / f"rasa{number or ''}.log"
        rasa = subprocess.Popen(
            [sys.executable, "-m", "bot.serve", "run", "--model", str(MODEL), "--endpoints", "bot/endpoints.yml",
             "--credentials", "bot/credentials.yml", "--enable-api", "--jwt-secret", jwt_secret,
             "--jwt-method", "HS256", "--interface", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        processes.append(rasa)
        rasas.append((port, log, rasa))
    try:
        _wait(f"http://127.0.0.1:{action_port}/health", None, processes[0], action_log)
        for port, log, rasa in rasas:
            _wait(f"http://127.0.0.1:{port}/status", api_token(jwt_secret), rasa, log)
        yield [f"http://127.0.0.1:{port}" for port, _, _ in rasas], f"http://127.0.0.1:{action_port}"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def socket_patients(servers: Servers) -> Iterator[Callable[..., SocketPatient]]:
    """Make socket.io patients (``socket_patients()`` or ``socket_patients(session_id)``); all closed after the test."""
    made: list[SocketPatient] = []

    def make(session_id: str | None = None, *, token: str | None = None) -> SocketPatient:
        made.append(servers.socket_patient(session_id, token=token))
        return made[-1]

    yield make
    for patient in made:
        patient.close()


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "data" / "test-artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian chromium through Playwright (no browser download); skipped locally without it, failed in CI.

    Per module, not per session: Playwright's sync API keeps an event loop running in this
    thread while it is open, and the async tests of other folders cannot start their own.
    """
    if not Path(CHROMIUM).exists():
        message = f"no chromium at {CHROMIUM}: apt-get install chromium (or set CHROMIUM)"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def shot(page: Any, name: str) -> None:
    """A full-page screenshot kept as a test artifact (data/test-artifacts/<name>.png)."""
    path = ARTIFACTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
