"""The lock store follows the settings; the Redis one really locks, on the local Redis."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
import redis
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore

from bot.lock_store import EnvLockStore, lock_store_for
from settings import Settings

REDIS_URL = os.environ.get("PRESCREEN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_without_redis_the_lock_is_in_memory() -> None:
    assert isinstance(lock_store_for(Settings(redis_url="")), InMemoryLockStore)  # type: ignore[call-arg]


def test_the_endpoint_class_builds_a_rasa_lock_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.lock_store.get_settings", lambda: Settings(redis_url=""))  # type: ignore[call-arg]
    assert isinstance(EnvLockStore(endpoint_config=None), LockStore)


@pytest.fixture
def redis_lock_store() -> LockStore:
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI: {error}")
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    return lock_store_for(Settings(redis_url=REDIS_URL))  # type: ignore[call-arg]


async def test_redis_locks_are_shared_between_stores(redis_lock_store: LockStore) -> None:
    assert isinstance(redis_lock_store, RedisLockStore)
    other = lock_store_for(Settings(redis_url=REDIS_URL))  # type: ignore[call-arg]  # another worker
    conversation = f"test-{uuid.uuid4().hex}"
    order: list[str] = []

    async def turn(store: LockStore, name: str) -> None:
        async with store.lock(conversation, wait_time_in_seconds=0.01):
            order.append(f"{name} in")
            await asyncio.sleep(0.05)
            order.append(f"{name} out")

    await asyncio.gather(turn(redis_lock_store, "a"), turn(other, "b"))
    # One turn at a time per conversation, across stores: never interleaved.
    assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])
    assert redis_lock_store.get_lock(conversation) is None  # released and cleaned up
