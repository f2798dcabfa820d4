"""Rasa's SQL tracker store on our database, with the live conversations kept in memory.

Rasa's ``SQLTrackerStore`` rebuilds a conversation from every stored event on each message
(query, JSON decode, replay) and counts the stored events again on every save: about a
quarter of the server's time in a screening (DEVELOPERS.md). This store writes exactly the
same rows, but keeps the tracker it last saved, per conversation, and on the next message
reads only the rows from the last one it wrote onwards (one indexed query). Nothing newer:
the kept tracker is handed back as it is. Newer rows (another Rasa worker took a turn, or
the coordinator API added events through another process): they are applied to the kept
tracker in order, exactly as Rasa's rebuild would apply them. The last written row gone,
or a new session among the newer rows: the tracker is rebuilt from the database as Rasa
would. This relies, as Rasa's own store does, on one writer per conversation at a time
(Rasa's lock store: Redis when there are several workers).

A tracker is handed out at most once: the processor that holds the conversation's lock owns
it until it saves it. A tracker handed out and not saved (a failed turn, a read-only API
call) is simply dropped, and the next message rebuilds it from the database. A tracker that
has just started a new session is not kept either, so what Rasa reads back (the latest
session only) is always what it would have read without the cache.
"""

from __future__ import annotations

import itertools
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import sessionmaker

from settings import get_settings
from store.db import engine_for

EVENTS_INDEX = "ix_events_sender_id_id"


@dataclass(frozen=True)
class _Kept:
    """A tracker as last saved: how many of its events are stored, and the last row's id."""

    tracker: DialogueStateTracker
    stored: int
    last_id: int

    def unchanged(self) -> bool:
        """True while nobody has added events to the tracker since it was saved."""
        return len(self.tracker.events) == self.stored


class EnvSQLTrackerStore(SQLTrackerStore):
    """The conversation events live in the same database as screenings and handoffs.

    ``TRACKER_CACHE_SIZE`` (settings) bounds how many conversations are kept in memory;
    0 turns the cache off and leaves Rasa's own behaviour.
    """

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        cache_size: int | None = None,
        **kwargs: Any,
    ) -> None:
        settings = get_settings()
        self._cache_size = settings.tracker_cache_size if cache_size is None else cache_size
        self._kept: OrderedDict[str, _Kept] = OrderedDict()  # saved, waiting for the next message
        self._lent: OrderedDict[str, _Kept] = OrderedDict()  # handed out, not saved yet
        url = host or settings.db_url
        # A URL with a scheme is used as is by SQLTrackerStore (it also creates the events table).
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
        # SQLAlchemy 1.4 opens a new SQLite connection for every query of Rasa's own engine
        # (NullPool); ours is pooled, in WAL mode and waits on a busy database.
        rasas = self.engine
        self.engine = engine_for(url)
        self.sessionmaker = sessionmaker(bind=self.engine)
        rasas.dispose()
        self._index_events()

    @property  # type: ignore[override]
    def domain(self) -> Domain:
        """The domain the trackers are built with."""
        return self._domain

    @domain.setter
    def domain(self, domain: Domain | None) -> None:
        # A new model may bring other slots: trackers built with the old ones are dropped.
        self._domain = domain or Domain.empty()
        if hasattr(self, "_kept"):
            self._kept.clear()
            self._lent.clear()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session of a conversation: the kept tracker if still current, else from the database."""
        kept = self._kept.pop(sender_id, None)
        if kept is not None and kept.unchanged():
            tracker = self._catch_up(sender_id, kept)
            if tracker is not None:
                return tracker
        return self._load(sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the events added since the tracker was read; keep it for the next message."""
        sender_id = tracker.sender_id
        known = self._known(tracker)
        with self.session_scope() as session:
            stored = known.stored if known else self._count_stored(session, sender_id)
            new_events = list(itertools.islice(tracker.events, stored, None))
            if self.event_broker is not None:
                await self._stream_new_events(self.event_broker, new_events, sender_id)
            last_id = self._insert(session, sender_id, new_events) if new_events else None
            if last_id is None:
                last_id = known.last_id if known and not new_events else self._last_id(session, sender_id)
            session.commit()
        if self._cache_size > 0 and not any(isinstance(event, SessionStarted) for event in new_events):
            self._keep(sender_id, _Kept(tracker, len(tracker.events), last_id))

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Events reach the broker from ``save``, which knows which ones are new."""

    # -- helpers ------------------------------------------------------------------------

    def _known(self, tracker: DialogueStateTracker) -> _Kept | None:
        """What is known about this very tracker object (lent out, or kept and reused)."""
        for pool in (self._lent, self._kept):
            entry = pool.pop(tracker.sender_id, None)
            if entry is not None and entry.tracker is tracker and entry.stored <= len(tracker.events):
                return entry
        return None

    def _catch_up(self, sender_id: str, kept: _Kept) -> DialogueStateTracker | None:
        """The kept tracker with any newer rows applied, or None when it must be rebuilt."""
        event = self.SQLEvent
        query = (
            sa.select(event.id, event.type_name, event.timestamp, event.data)
            .where(event.sender_id == sender_id, event.id >= kept.last_id)
            .order_by(event.id)
        )
        with self.session_scope() as session:
            rows = session.execute(query).all()
        if not rows or not self._is_last_kept(rows[0], kept):
            return None  # the conversation was deleted or rewritten meanwhile
        newer = rows[1:]
        if any(row.type_name == SessionStarted.type_name for row in newer):
            return None  # Rasa reads a new session from its start: rebuild
        tracker = kept.tracker
        for new_event in deserialise_events([json.loads(row.data) for row in newer]):
            tracker.update(new_event)  # what DialogueStateTracker.from_events does, event by event
        self._lend(sender_id, _Kept(tracker, len(tracker.events), rows[-1].id))
        return tracker

    @staticmethod
    def _is_last_kept(row: Any, kept: _Kept) -> bool:
        """True if the row is the kept tracker's last stored event (SQLite may reuse an erased row's id)."""
        last = kept.tracker.events[kept.stored - 1] if kept.stored else None
        return (
            last is not None
            and row.id == kept.last_id
            and row.type_name == last.type_name
            and row.timestamp == last.timestamp
        )

    def _index_events(self) -> None:
        """Index the events by (conversation, id): each turn asks for a conversation's newest rows.

        Rasa indexes ``sender_id`` alone; PostgreSQL then answers "the newest row of this
        conversation" by walking the whole table backwards from the newest row of any.
        """
        table = self.SQLEvent.__table__
        ddl = f"CREATE INDEX IF NOT EXISTS {EVENTS_INDEX} ON {table.name} (sender_id, id)"
        try:
            with self.engine.begin() as connection:
                connection.exec_driver_sql(ddl)
        except sa.exc.DBAPIError:
            # Another worker created it at the same moment; anything else would show here.
            if EVENTS_INDEX not in {index["name"] for index in sa.inspect(self.engine).get_indexes(table.name)}:
                raise

    def _load(self, sender_id: str) -> DialogueStateTracker | None:
        """Rasa's own rebuild from the database (latest session), noting the last row's id."""
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
            if not rows or not self.domain:
                return None
            tracker = DialogueStateTracker.from_dict(
                sender_id, [json.loads(row.data) for row in rows], self.domain.slots
            )
            last_id = rows[-1].id
        if self._cache_size > 0:
            self._lend(sender_id, _Kept(tracker, len(tracker.events), last_id))
        return tracker

    def _lend(self, sender_id: str, entry: _Kept) -> None:
        self._lent[sender_id] = entry
        self._lent.move_to_end(sender_id)
        while len(self._lent) > self._cache_size:
            self._lent.popitem(last=False)

    def _keep(self, sender_id: str, entry: _Kept) -> None:
        self._kept[sender_id] = entry
        self._kept.move_to_end(sender_id)
        while len(self._kept) > self._cache_size:
            self._kept.popitem(last=False)

    def _insert(self, session: Any, sender_id: str, events: list[Event]) -> int | None:
        """One multi-row INSERT (not the ORM's one per event); the newest id when the database returns ids."""
        table = self.SQLEvent.__table__
        rows = [self._row(sender_id, event) for event in events]
        if self.engine.dialect.name == "postgresql":
            ids = session.execute(sa.insert(table).values(rows).returning(table.c.id)).scalars().all()
            return int(max(ids))
        session.execute(table.insert(), rows)  # SQLAlchemy 1.4 has no RETURNING for SQLite
        return None

    def _last_id(self, session: Any, sender_id: str) -> int:
        query = sa.select(sa.func.max(self.SQLEvent.id)).where(self.SQLEvent.sender_id == sender_id)
        return int(session.execute(query).scalar() or 0)

    def _count_stored(self, session: Any, sender_id: str) -> int:
        # Rasa's own measure: the events stored since the latest session start.
        return int(self._event_query(session, sender_id, fetch_events_from_all_sessions=False).count())

    @staticmethod
    def _row(sender_id: str, event: Event) -> dict[str, Any]:
        # The same columns as SQLTrackerStore.save writes.
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }
