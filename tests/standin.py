"""A stand-in for Twilio's and Telegram's APIs on 127.0.0.1 that records what would have been sent.

The channels' real clients (twilio's async client, aiogram's ``Bot``) are pointed at it with
``TWILIO_API_URL`` / ``TELEGRAM_API_URL``; nothing leaves the machine. It answers like the
providers do (a message resource, ``{"ok": true, "result": …}``) and can be told to fail the
next requests (busy, down, the patient opted out) to test retries and refusals.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TWILIO_MESSAGES = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages\.json$")
TELEGRAM_METHOD = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)$")


@dataclass(frozen=True)
class Sent:
    """One request the stand-in answered with success."""

    provider: str  # "twilio" / "telegram"
    method: str  # "Messages" for Twilio, the Bot API method for Telegram
    to: str  # the phone number or chat id
    text: str
    fields: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


@dataclass
class Failure:
    """How to answer the next matching requests instead of succeeding."""

    status: int
    body: dict[str, Any]
    times: int


class StandIn:
    """The stand-in server (``with StandIn() as api: ...``); ``url`` is its base URL."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.attempts = 0  # every request, failed ones included
        self._failures: list[Failure] = []
        self._lock = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, times: int, status: int, body: dict[str, Any] | None = None) -> None:
        """Answer the next ``times`` requests with ``status`` and ``body`` (a provider's error)."""
        with self._lock:
            self._failures.append(Failure(status, body or {}, times))

    def to(self, address: str, *, since: int = 0) -> list[Sent]:
        """What was sent to one phone number or chat id (from index ``since``)."""
        with self._lock:
            return [s for s in self.sent[since:] if s.to == address and s.method in ("Messages", "sendMessage")]

    def mark(self) -> int:
        """The index of the next recorded send (for ``to(..., since=...)``)."""
        with self._lock:
            return len(self.sent)

    def wait_for(self, predicate: Callable[[Sent], bool], *, since: int = 0, timeout: float = 30) -> Sent:
        """The first recorded send from ``since`` that matches, waiting for it."""

        def found() -> Sent | None:
            return next((s for s in self.sent[since:] if predicate(s)), None)

        with self._lock:
            if not self._lock.wait_for(lambda: found() is not None, timeout):
                raise AssertionError(f"nothing matching was sent; sent: {self.sent[since:]}")
            result = found()
            assert result is not None
            return result

    # -- the HTTP side ----------------------------------------------------------------------

    def _answer(self, path: str, fields: dict[str, Any]) -> tuple[int, dict[str, Any] | bool]:
        with self._lock:
            self.attempts += 1
            if self._failures:
                failure = self._failures[0]
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.pop(0)
                return failure.status, failure.body
        twilio = TWILIO_MESSAGES.match(path)
        telegram = TELEGRAM_METHOD.match(path)
        if twilio:
            sent = Sent("twilio", "Messages", str(fields.get("To", "")), str(fields.get("Body", "")), fields)
            result: dict[str, Any] | bool = {
                "sid": f"SM{len(self.sent):032x}",
                "account_sid": twilio["sid"],
                "to": sent.to,
                "from": fields.get("From"),
                "body": sent.text,
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
            }
            status = 201
        elif telegram:
            method = telegram["method"]
            sent = Sent("telegram", method, str(fields.get("chat_id", "")), str(fields.get("text", "")), fields)
            status = 200
            if method == "sendMessage":
                message = {
                    "message_id": len(self.sent) + 1,
                    "date": int(time.time()),
                    "chat": {"id": int(sent.to) if sent.to.lstrip("-").isdigit() else 0, "type": "private"},
                    "text": sent.text,
                }
                result = {"ok": True, "result": message}
            else:
                result = {"ok": True, "result": True}
        else:
            return 404, {"error": f"no such endpoint: {path}"}
        with self._lock:
            self.sent.append(sent)
            self._lock.notify_all()
        return status, result

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                fields = _fields(self.headers.get("Content-Type", ""), body)
                status, answer = standin._answer(urllib.parse.urlsplit(self.path).path, fields)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: Any) -> None:
                pass

        return Handler


def _fields(content_type: str, body: bytes) -> dict[str, Any]:
    """The posted fields: form-encoded (Twilio, aiogram without files), multipart or JSON."""
    if content_type.startswith("application/json"):
        loaded = json.loads(body or b"{}")
        return dict(loaded) if isinstance(loaded, dict) else {}
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        return {
            str(part.get_param("name", header="content-disposition")): part.get_content()
            for part in message.iter_parts()
        }
    return {key: value for key, value in urllib.parse.parse_qsl(body.decode(), keep_blank_values=True)}
