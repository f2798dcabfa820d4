"""The REST channel at ``/webhooks/rest/webhook``, closed: a bearer token, no commands, a length cap.

It replaces Rasa's built-in ``rest`` channel (same URL and JSON) for server-side clients,
the tests and the benchmarks. Patients' browsers use the socket.io widget instead.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.guard import TOO_LONG_REPLY, check_message
from settings import get_settings

MAX_SENDER_CHARS = 128


class GuardedRestInput(InputChannel):
    """Rasa's REST channel with the doors closed."""

    @classmethod
    def name(cls) -> str:
        """Served at /webhooks/rest/."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Read the token from credentials.yml (``${RASA_TOKEN}``), else the settings."""
        token = (credentials or {}).get("token") or get_settings().rest_secret
        return cls(token=str(token))

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("the REST channel needs a token")
        self.token = token

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        given = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        return bool(given) and hmac.compare_digest(given.encode(), self.token.encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The health and webhook routes."""
        hook = Blueprint(f"guarded_rest_{id(self)}", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._authorised(request):
                return response.json({"error": "unauthorised"}, status=401)
            body = request.json if isinstance(request.json, dict) else {}
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not 0 < len(sender) <= MAX_SENDER_CHARS or not isinstance(text, str):
                return response.json({"error": "expected {sender, message} strings"}, status=400)
            checked = check_message(text, max_chars=get_settings().max_message_chars)
            if checked.too_long:
                return response.json([{"recipient_id": sender, "text": TOO_LONG_REPLY}])
            collector = CollectingOutputChannel()
            await on_new_message(UserMessage(checked.text, collector, sender, input_channel=self.name()))
            return response.json(collector.messages)

        return hook
