"""A small client for Rasa's HTTP API, signed with a short-lived JWT (never a token in the URL)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import jwt

from settings import get_settings

SERVICE_USER = {"username": "prescreen-service", "role": "admin"}
TOKEN_SECONDS = 300


class RasaApiError(Exception):
    """Rasa answered with an error status or could not be reached."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def api_token(secret: str | None = None, *, role: str = "admin") -> str:
    """A JWT Rasa accepts (``--jwt-secret``, HS256), valid for five minutes."""
    claims = {"user": {**SERVICE_USER, "role": role}, "exp": int(time.time()) + TOKEN_SECONDS}
    return jwt.encode(claims, secret or get_settings().api_secret, algorithm="HS256")


def call(
    method: str, path: str, body: Any | None = None, *, base_url: str | None = None, secret: str | None = None
) -> Any:
    """Call the API and return the decoded JSON reply."""
    url = (base_url or get_settings().rasa_url) + path
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {api_token(secret)}"},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return json.loads(reply.read() or b"null")
    except urllib.error.HTTPError as error:
        raise RasaApiError(
            f"Rasa answered {error.code} to {method} {path.split('?', maxsplit=1)[0]}", error.code
        ) from error
    except urllib.error.URLError as error:
        raise RasaApiError(f"Rasa is not reachable at {url.split('?')[0]}: {error.reason}") from error
