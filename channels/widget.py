"""The web chat widget's side door on the Rasa server: its files, a demo trial page, session tokens.

Served under ``/webhooks/widget/`` (a Rasa input channel that takes no messages itself):

* ``GET /webhooks/widget/`` - the demo trial page, embedding the widget as a trial site would;
* ``GET /webhooks/widget/widget.js`` - the widget, built from ``widget/`` (``npm run build``);
* ``POST /webhooks/widget/session`` - a new chat session: ``{"session_id", "token"}``, the
  token signed with the socket.io channel's ``jwt_key`` for that one session. Browsers on
  this origin or on ``WIDGET_ORIGINS`` may call it (CORS); the socket then accepts only
  that token, for that session.
"""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.socketio import session_token
from settings import get_settings

WIDGET = Path(__file__).resolve().parent.parent / "widget"
BUNDLE = WIDGET / "dist" / "widget.js"
DEMO = WIDGET / "demo.html"
NOT_BUILT = "The chat widget is not built yet: run `npm ci && npm run build` in widget/ (scripts/run does).\n"


def _inline_script_hashes(html: str) -> str:
    """CSP hashes of the page's inline scripts (the widget's config object), so no other inline script runs."""
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    return " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts)


def page_headers(html: str) -> dict[str, str]:
    """Security headers for the demo page: its own scripts only, the socket on this origin."""
    return {
        "Content-Security-Policy": (
            f"default-src 'self'; script-src 'self' {_inline_script_hashes(html)}; "
            "style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; img-src 'self' data:; "
            "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    }


class WidgetInput(InputChannel):
    """Serves the widget and issues its session tokens; messages go through the socket.io channel."""

    @classmethod
    def name(cls) -> str:
        """Served at /webhooks/widget/."""
        return "widget"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """No credentials: the token key and allowed origins come from the settings."""
        return cls()

    def _origin_allowed(self, request: Request) -> tuple[bool, str | None]:
        """Whether a browser on the request's Origin may get a session, and the origin to echo back."""
        origin = request.headers.get("origin")
        if origin is None:
            return True, None  # not a cross-site browser request
        own = f"{request.scheme}://{request.host}"
        return origin == own or origin.rstrip("/") in get_settings().widget_allowed_origins, origin

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The page, the bundle and the session endpoint."""
        hook = Blueprint(f"widget_{id(self)}", __name__)

        @hook.route("/", methods=["GET"])
        async def demo(_: Request) -> HTTPResponse:
            html = DEMO.read_text(encoding="utf-8")
            return response.html(html, headers=page_headers(html))

        @hook.route("/widget.js", methods=["GET"])
        async def bundle(_: Request) -> HTTPResponse:
            if not BUNDLE.exists():
                return response.text(NOT_BUILT, status=503)
            return response.raw(
                BUNDLE.read_bytes(),
                content_type="application/javascript; charset=utf-8",
                headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
            )

        @hook.route("/session", methods=["POST", "OPTIONS"])
        async def session(request: Request) -> HTTPResponse:
            allowed, origin = self._origin_allowed(request)
            if not allowed:
                return response.json({"error": "this site may not start a chat"}, status=403)
            cors = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"} if origin else {}
            if request.method == "OPTIONS":
                return response.empty(headers={**cors, "Access-Control-Allow-Methods": "POST"})
            settings = get_settings()
            session_id = uuid.uuid4().hex
            token = session_token(session_id, settings.socket_secret, days=max(settings.resume_within_days, 1))
            return response.json(
                {"session_id": session_id, "token": token}, headers={**cors, "Cache-Control": "no-store"}
            )

        return hook
