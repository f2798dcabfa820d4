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
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from handoff.rasa_api import api_token
from store.migrate import migrate

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "prescreen.tar.gz"
RASA = Path(sys.executable).parent / "rasa"
START_TIMEOUT = 240


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
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run ./scripts/test (it trains when bot data changed)")
    data = tmp_path_factory.mktemp("e2e")
    rest_token, jwt_secret = uuid.uuid4().hex, uuid.uuid4().hex
    rasa_port, action_port = free_port(), free_port()
    database_url = f"sqlite:///{data / 'e2e.db'}"
    migrate(database_url)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PRESCREEN_DATA_DIR": str(data),
        "REST_TOKEN": rest_token,
        "RASA_JWT_SECRET": jwt_secret,
        "ACTION_PORT": str(action_port),
        "SANIC_HOST": "127.0.0.1",
        "RASA_TELEMETRY_ENABLED": "false",
    }
    action_log, rasa_log = data / "actions.log", data / "rasa.log"
    actions = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port)],
        cwd=ROOT, env=env, stdout=action_log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    rasa = subprocess.Popen(
        [sys.executable, "-m", "bot.serve", "run", "--model", str(MODEL), "--endpoints", "bot/endpoints.yml",
         "--credentials", "bot/credentials.yml", "--enable-api", "--jwt-secret", jwt_secret, "--jwt-method", "HS256",
         "--interface", "127.0.0.1", "--port", str(rasa_port)],
        cwd=ROOT, env=env, stdout=rasa_log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait(f"http://127.0.0.1:{action_port}/health", None, actions, action_log)
        _wait(f"http://127.0.0.1:{rasa_port}/status", api_token(jwt_secret), rasa, rasa_log)
        rasa_url, action_url = f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}"
        yield Servers(rasa_url, action_url, rest_token, jwt_secret, database_url, data)
    finally:
        for process in (rasa, actions):
            process.terminate()
        for process in (rasa, actions):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
