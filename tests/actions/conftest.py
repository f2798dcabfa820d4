"""Action tests: golden trackers from JSON, a fresh SQLite database per test."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from nlu.pipeline import entities as nlu_entities
from settings import get_settings
from store.db import engine_for, session_scope
from store.migrate import migrate

TRACKERS = Path(__file__).parent / "trackers"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'actions.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("PRESCREEN_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    migrate(url)
    yield url
    get_settings.cache_clear()


@pytest.fixture
def session(database: str) -> Iterator[Any]:
    with session_scope(engine_for(database)) as s:
        yield s


def golden(name: str) -> dict[str, Any]:
    return json.loads((TRACKERS / f"{name}.json").read_text())


def tracker(
    name: str,
    *,
    text: str | None = None,
    intent: str | None = None,
    confidence: float = 0.95,
    entities: list[dict[str, Any]] | None = None,
    **slots: Any,
) -> Tracker:
    """A golden tracker with the patient's last message and some slots changed.

    The message's entities are what our NLU extractors add to ``text``, unless given.
    """
    data = copy.deepcopy(golden(name))
    if text is not None:
        data["latest_message"] = {
            "text": text,
            "intent": {"name": intent or "inform", "confidence": confidence},
            "entities": nlu_entities(text) if entities is None else entities,
        }
        last_user = max(i for i, e in enumerate(data["events"]) if e["event"] == "user")
        data["events"][last_user] = {"event": "user", "text": text, "parse_data": data["latest_message"]}
    data["slots"].update(slots)
    return Tracker.from_dict(data)


def answered(value: Any, said: str = "", confidence: float = 1.0) -> dict[str, Any]:
    return {"value": value, "said": said, "confidence": confidence, "conflicting": False, "set_by": "patient"}


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()
