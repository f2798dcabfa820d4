"""The conversation lock store named in ``bot/endpoints.yml``: Redis when ``REDIS_URL`` is set.

Rasa locks a conversation while it handles a message. In one process an in-memory lock is
enough (the local default); several Rasa workers or servers must share the lock, in Redis.
Rasa refuses more than one worker with an in-memory lock store, and so does ``settings``.
"""

from __future__ import annotations

from typing import Any

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from redis.connection import parse_url

from settings import Settings, get_settings

KEY_PREFIX = "prescreen"


def lock_store_for(settings: Settings) -> LockStore:
    """A Redis lock store on ``REDIS_URL`` (``redis://`` or ``rediss://``), else one in memory."""
    if not settings.redis_url:
        return InMemoryLockStore()
    options = parse_url(settings.redis_url)
    return RedisLockStore(
        host=options.get("host", "localhost"),
        port=int(options.get("port", 6379)),
        db=int(options.get("db", 0)),
        username=options.get("username"),
        password=options.get("password"),
        use_ssl=settings.redis_url.startswith("rediss://"),
        key_prefix=KEY_PREFIX,
    )


class EnvLockStore:
    """Rasa builds the lock store from the class named in the endpoints; this one picks it by settings."""

    def __new__(cls, endpoint_config: Any = None) -> LockStore:  # type: ignore[misc]
        """The lock store for this process's settings (a Rasa ``LockStore``, not an ``EnvLockStore``)."""
        return lock_store_for(get_settings())
