"""The widget's side door without a server: the demo page's CSP and who may start a chat."""

from __future__ import annotations

import base64
import hashlib
import json
from types import SimpleNamespace

import pytest

from channels.socketio import session_claims
from channels.widget import WidgetInput, page_headers
from settings import get_settings


def test_the_demo_page_runs_only_its_own_inline_config() -> None:
    config = "window.PrescreenChat = {serverUrl: window.location.origin};"
    html = f"<html><script>{config}</script><script src='widget.js' defer></script></html>"
    policy = page_headers(html)["Content-Security-Policy"]
    digest = base64.b64encode(hashlib.sha256(config.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy


def request(origin: str | None, host: str = "chat.example:5005", scheme: str = "https") -> SimpleNamespace:
    headers = {} if origin is None else {"origin": origin}
    return SimpleNamespace(headers=headers, host=host, scheme=scheme)


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        (None, True),  # not a browser on another site (curl, a server)
        ("https://chat.example:5005", True),  # the Rasa server's own pages (the demo)
        ("https://trial-site.example", True),  # listed in WIDGET_ORIGINS
        ("https://trial-site.example/", True),
        ("https://evil.example", False),
        ("http://trial-site.example", False),  # another scheme is another origin
        ("null", False),
    ],
)
def test_who_may_start_a_chat(monkeypatch: pytest.MonkeyPatch, origin: str | None, allowed: bool) -> None:
    monkeypatch.setenv("WIDGET_ORIGINS", "https://trial-site.example, https://other.example")
    get_settings.cache_clear()
    try:
        assert WidgetInput()._origin_allowed(request(origin))[0] is allowed  # type: ignore[arg-type]
    finally:
        get_settings.cache_clear()


async def test_a_session_comes_with_a_token_for_it_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCKET_JWT_SECRET", "s" * 32)
    get_settings.cache_clear()
    try:
        hook = WidgetInput().blueprint(lambda message: None)  # type: ignore[arg-type,return-value]
        [route] = [r for r in hook._future_routes if r.uri == "/session"]
        reply = await route.handler(SimpleNamespace(headers={}, host="h", scheme="http", method="POST"))
        body = json.loads(reply.body)
        claims = session_claims(body["token"], "s" * 32)
        assert claims is not None and claims["sub"] == body["session_id"]
        assert reply.headers["cache-control"] == "no-store"
    finally:
        get_settings.cache_clear()
