"""Rasa's SQL tracker store, pointed at our database by the settings (``DATABASE_URL``)."""

from __future__ import annotations

from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain

from settings import get_settings


class EnvSQLTrackerStore(SQLTrackerStore):
    """The conversation events live in the same database as screenings and handoffs."""

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> None:
        # A URL with a scheme is used as is by SQLTrackerStore.
        super().__init__(domain=domain, host=host or get_settings().db_url, event_broker=event_broker, **kwargs)
