"""The caching tracker store writes and reads exactly what Rasa's SQLTrackerStore does (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import EVENTS_INDEX, EnvSQLTrackerStore

DOMAIN = Domain.from_dict(
    {
        "intents": ["greet"],
        "slots": {"age": {"type": "any", "mappings": [{"type": "custom"}]}},
        "responses": {"utter_greet": [{"text": "hi"}]},
    }
)


@pytest.fixture
def stores(db_url: str) -> Iterator[tuple[EnvSQLTrackerStore, SQLTrackerStore]]:
    """Ours and Rasa's own, on the same empty database."""
    ours = EnvSQLTrackerStore(domain=DOMAIN, host=db_url, cache_size=10)
    rasas = SQLTrackerStore(domain=DOMAIN, host=db_url)
    yield ours, rasas
    ours.engine.dispose()
    rasas.engine.dispose()


@pytest.fixture
def rebuilds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The conversations rebuilt from stored events (each costs a replay)."""
    calls: list[str] = []
    original = DialogueStateTracker.from_dict

    def counting(sender_id: str, *args: Any, **kwargs: Any) -> DialogueStateTracker:
        calls.append(sender_id)
        return original(sender_id, *args, **kwargs)

    monkeypatch.setattr(DialogueStateTracker, "from_dict", staticmethod(counting))
    return calls


def turn(tracker: DialogueStateTracker, text: str, age: int) -> None:
    """One exchange: the patient says something, the bot sets a slot and answers."""
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
    tracker.update(SlotSet("age", age))
    tracker.update(BotUttered(f"you said {text}"))
    tracker.update(ActionExecuted("action_listen"))


def rows(store: SQLTrackerStore, sender_id: str) -> list[tuple[Any, ...]]:
    """The stored rows of one conversation, without ids and timestamps' storage details."""
    with store.session_scope() as session:
        query = sa.select(store.SQLEvent).where(store.SQLEvent.sender_id == sender_id).order_by(store.SQLEvent.id)
        return [
            (r.type_name, r.intent_name, r.action_name, r.timestamp, json.loads(r.data))
            for r in session.execute(query).scalars()
        ]


def same_conversation(a: DialogueStateTracker, b: DialogueStateTracker) -> bool:
    return [e.as_dict() for e in a.events] == [
        e.as_dict() for e in b.events
    ] and a.current_slot_values() == b.current_slot_values()


async def conversation(store: SQLTrackerStore, sender_id: str, turns: int) -> DialogueStateTracker:
    """A conversation of a few turns, each read from the store, updated and saved as Rasa does."""
    tracker = await store.get_or_create_tracker(sender_id)
    for n in range(turns):
        tracker = await store.get_or_create_tracker(sender_id)
        turn(tracker, f"message {n}", 30 + n)
        await store.save(tracker)
    return tracker


async def test_rows_are_written_exactly_as_rasa_writes_them(stores: tuple[EnvSQLTrackerStore, SQLTrackerStore]) -> None:
    ours, rasas = stores
    await conversation(ours, "ours", 3)
    await conversation(rasas, "rasas", 3)
    mine, theirs = rows(ours, "ours"), rows(rasas, "rasas")
    assert len(mine) == len(theirs) == 1 + 3 * 4  # the first action_listen, then four events a turn
    strip = [(t, i, a, {k: v for k, v in d.items() if k != "timestamp"}) for t, i, a, _, d in mine]
    assert strip == [(t, i, a, {k: v for k, v in d.items() if k != "timestamp"}) for t, i, a, _, d in theirs]


async def test_the_next_message_reuses_the_saved_tracker(
    stores: tuple[EnvSQLTrackerStore, SQLTrackerStore], rebuilds: list[str]
) -> None:
    ours, rasas = stores
    saved = await conversation(ours, "c1", 3)
    again = await ours.retrieve("c1")
    assert again is saved and rebuilds == []  # no replay of stored events
    # ... and it is what Rasa itself reads back from the database.
    from_db = await rasas.retrieve("c1")
    assert from_db is not None and same_conversation(again, from_db)


async def turn_elsewhere(
    rasas: SQLTrackerStore, sender_id: str, text: str, age: int, *, new_session: bool = False
) -> DialogueStateTracker:
    """Another Rasa worker (here: Rasa's own store) takes the next turn of the same conversation."""
    elsewhere = await rasas.retrieve(sender_id)
    assert elsewhere is not None
    if new_session:
        elsewhere.update(ActionExecuted("action_session_start"))
        elsewhere.update(SessionStarted())
    turn(elsewhere, text, age)
    await rasas.save(elsewhere)
    return elsewhere


async def test_events_written_by_another_process_are_seen(
    stores: tuple[EnvSQLTrackerStore, SQLTrackerStore], rebuilds: list[str]
) -> None:
    ours, rasas = stores
    await conversation(ours, "c1", 2)
    elsewhere = await turn_elsewhere(rasas, "c1", "typed elsewhere", 99)
    rebuilds.clear()

    seen = await ours.retrieve("c1")
    assert seen is not None and rebuilds == []  # the newer rows were applied, no full replay
    assert seen.get_slot("age") == 99 and same_conversation(seen, elsewhere)
    # ... and the next turn here is stored after the other worker's rows.
    turn(seen, "back here", 100)
    await ours.save(seen)
    from_db = await rasas.retrieve("c1")
    assert from_db is not None and same_conversation(from_db, seen)


async def test_a_new_session_started_elsewhere_is_rebuilt(
    stores: tuple[EnvSQLTrackerStore, SQLTrackerStore], rebuilds: list[str]
) -> None:
    ours, rasas = stores
    await conversation(ours, "c1", 2)
    await turn_elsewhere(rasas, "c1", "a new day", 41, new_session=True)
    rebuilds.clear()

    seen, rasas_view = await ours.retrieve("c1"), await rasas.retrieve("c1")
    assert seen is not None and rasas_view is not None and "c1" in rebuilds
    assert same_conversation(seen, rasas_view)  # the latest session only, as Rasa reads it


def erase(store: SQLTrackerStore, sender_id: str) -> None:
    """Delete a conversation's rows behind the store's back."""
    with store.session_scope() as session:
        session.execute(sa.delete(store.SQLEvent).where(store.SQLEvent.sender_id == sender_id))
        session.commit()


async def test_a_conversation_deleted_meanwhile_is_not_served_from_memory(
    stores: tuple[EnvSQLTrackerStore, SQLTrackerStore],
) -> None:
    ours, rasas = stores
    await conversation(ours, "c1", 2)
    erase(ours, "c1")  # e.g. a patient's data erased on request
    assert await ours.retrieve("c1") is None
    # The same id starts afresh elsewhere: its rows are newer, but they are not a continuation.
    await conversation(ours, "c2", 1)
    kept_c1 = await conversation(ours, "c1", 2)
    erase(ours, "c1")
    fresh = await conversation(rasas, "c1", 1)
    seen = await ours.retrieve("c1")
    assert seen is not None and seen is not kept_c1 and same_conversation(seen, fresh)


async def test_an_erased_conversation_is_not_revived_by_a_reused_row_id(
    stores: tuple[EnvSQLTrackerStore, SQLTrackerStore],
) -> None:
    ours, rasas = stores
    kept = await conversation(ours, "c1", 2)  # the newest rows of the table
    erase(ours, "c1")
    # SQLite hands the erased ids out again: the same conversation id starts from scratch.
    fresh = await conversation(rasas, "c1", 3)
    seen = await ours.retrieve("c1")
    assert seen is not None and seen is not kept and same_conversation(seen, fresh)
    assert "message 0" in [getattr(e, "text", None) for e in seen.events]


def test_events_are_indexed_by_conversation_and_order(stores: tuple[EnvSQLTrackerStore, SQLTrackerStore]) -> None:
    ours, _ = stores
    indexes = {i["name"]: i["column_names"] for i in sa.inspect(ours.engine).get_indexes("events")}
    assert indexes[EVENTS_INDEX] == ["sender_id", "id"]
    ours._index_events()  # a second worker starting up: no error


async def test_a_turn_that_was_not_saved_is_not_reused(stores: tuple[EnvSQLTrackerStore, SQLTrackerStore]) -> None:
    ours, _ = stores
    await conversation(ours, "c1", 2)
    failed = await ours.retrieve("c1")
    assert failed is not None
    turn(failed, "this turn crashed before saving", 77)

    again = await ours.retrieve("c1")
    assert again is not None and again is not failed
    assert again.get_slot("age") == 31  # the last saved turn, not the failed one
    assert "this turn crashed before saving" not in [getattr(e, "text", None) for e in again.events]


async def test_a_tracker_is_handed_out_once(stores: tuple[EnvSQLTrackerStore, SQLTrackerStore]) -> None:
    ours, _ = stores
    await conversation(ours, "c1", 1)
    first, second = await ours.retrieve("c1"), await ours.retrieve("c1")
    assert first is not None and second is not None
    assert first is not second and same_conversation(first, second)


async def test_saving_a_rebuilt_tracker_adds_only_new_rows(stores: tuple[EnvSQLTrackerStore, SQLTrackerStore]) -> None:
    ours, _ = stores
    await conversation(ours, "c1", 1)
    first, second = await ours.retrieve("c1"), await ours.retrieve("c1")
    assert first is not None and second is not None
    turn(second, "from the second copy", 50)
    await ours.save(second)  # its bookkeeping was displaced: Rasa's count of stored rows decides
    assert len(rows(ours, "c1")) == 1 + 2 * 4
    assert (await ours.retrieve("c1")).get_slot("age") == 50  # type: ignore[union-attr]


async def test_a_new_session_is_read_back_as_rasa_reads_it(stores: tuple[EnvSQLTrackerStore, SQLTrackerStore]) -> None:
    ours, rasas = stores
    tracker = await conversation(ours, "c1", 2)
    tracker = await ours.retrieve("c1")
    assert tracker is not None
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    turn(tracker, "back the next day", 40)
    await ours.save(tracker)

    ours_view, rasas_view = await ours.retrieve("c1"), await rasas.retrieve("c1")
    assert ours_view is not None and rasas_view is not None
    assert ours_view is not tracker  # the old session's events are not carried in memory
    assert same_conversation(ours_view, rasas_view)
    assert ours_view.events[0].as_dict()["event"] == "session_started"


async def test_the_cache_is_bounded(db_url: str, rebuilds: list[str]) -> None:
    store = EnvSQLTrackerStore(domain=DOMAIN, host=db_url, cache_size=2)
    try:
        for sender in ("a", "b", "c"):
            await conversation(store, sender, 1)
        rebuilds.clear()
        for sender in ("a", "b", "c"):
            assert await store.retrieve(sender) is not None
        assert rebuilds == ["a"]  # the oldest conversation was let go
    finally:
        store.engine.dispose()


async def test_size_zero_is_rasas_behaviour(db_url: str, rebuilds: list[str]) -> None:
    store = EnvSQLTrackerStore(domain=DOMAIN, host=db_url, cache_size=0)
    try:
        await conversation(store, "a", 2)
        rebuilds.clear()
        assert await store.retrieve("a") is not None
        assert rebuilds == ["a"]
    finally:
        store.engine.dispose()


async def test_a_new_domain_drops_the_kept_trackers(
    stores: tuple[EnvSQLTrackerStore, SQLTrackerStore], rebuilds: list[str]
) -> None:
    ours, _ = stores
    await conversation(ours, "c1", 1)
    rebuilds.clear()
    ours.domain = DOMAIN.merge(Domain.from_dict({"slots": {"sex": {"type": "any", "mappings": [{"type": "custom"}]}}}))
    tracker = await ours.retrieve("c1")
    assert tracker is not None and rebuilds == ["c1"]
    assert "sex" in tracker.slots


async def test_a_new_conversation_that_failed_its_first_turn_is_read_from_the_database(
    stores: tuple[EnvSQLTrackerStore, SQLTrackerStore],
) -> None:
    ours, _ = stores
    created = await ours.get_or_create_tracker("new")  # saved at creation, and kept
    turn(created, "the first turn crashed", 20)  # ... then changed, never saved
    again = await ours.retrieve("new")
    assert again is not None and again is not created
    assert again.get_slot("age") is None and len(again.events) == 1
