"""Fixtures for the messaging channels: a migrated SQLite store, the provider stand-in, quick retries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rasa.core.channels.channel import UserMessage

from settings import get_settings
from store.migrate import migrate
from tests.standin import StandIn


@pytest.fixture
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite store of its own."""
    url = f"sqlite:///{tmp_path_factory.mktemp('channels') / 'store.db'}"
    migrate(url)
    return url


@pytest.fixture
def api() -> Iterator[StandIn]:
    """Twilio's and Telegram's APIs, stood in for on 127.0.0.1."""
    with StandIn() as standin:
        yield standin


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Retries without the production back-off, so failure tests take milliseconds."""
    monkeypatch.setenv("SEND_BACKOFF_SECONDS", "0")
    monkeypatch.setenv("SEND_ATTEMPTS", "3")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


class Bot:
    """Rasa's side of a channel: records what reaches it and answers like the screening bot would."""

    def __init__(self) -> None:
        self.heard: list[UserMessage] = []
        self.answer: dict[str, object] = {
            "text": "Has a doctor ever told you that you have lupus?",
            "buttons": [
                {"title": "Yes", "payload": "yes"},
                {"title": "No", "payload": "no"},
                {"title": "Not sure", "payload": "not sure"},
            ],
        }

    async def __call__(self, message: UserMessage) -> None:
        self.heard.append(message)
        if self.answer:
            await message.output_channel.send_response(message.sender_id, dict(self.answer))

    def texts(self) -> list[str]:
        """What the patient's messages said by the time they reached Rasa."""
        return [str(m.text) for m in self.heard]


@pytest.fixture
def bot() -> Bot:
    """A stand-in for Rasa's ``on_new_message``."""
    return Bot()
