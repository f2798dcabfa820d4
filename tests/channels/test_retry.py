"""Outbound sends: retried while the provider is busy or away, not when it refuses."""

from __future__ import annotations

import pytest

from channels.retry import MAX_DELAY, backoff, with_retries


class Busy(Exception):
    """A provider's 429/5xx."""


class Refused(Exception):
    """A provider's 4xx: bad number, opted out."""


def wait(error: BaseException, attempt: int) -> float | None:
    return 0.0 if isinstance(error, Busy) else None


def flaky(failures: list[Exception]) -> tuple[list[int], object]:
    calls: list[int] = []

    async def send() -> str:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return "sent"

    return calls, send


async def test_a_busy_provider_is_tried_again_until_it_takes_the_message() -> None:
    calls, send = flaky([Busy(), Busy()])
    assert await with_retries(send, attempts=4, wait=wait, what="t") == "sent"  # type: ignore[arg-type]
    assert len(calls) == 3


async def test_it_gives_up_after_the_last_attempt_with_the_last_error() -> None:
    calls, send = flaky([Busy(), Busy(), Busy("third")])
    with pytest.raises(Busy, match="third"):
        await with_retries(send, attempts=3, wait=wait, what="t")  # type: ignore[arg-type]
    assert len(calls) == 3


async def test_a_refusal_is_not_retried() -> None:
    calls, send = flaky([Refused()])
    with pytest.raises(Refused):
        await with_retries(send, attempts=5, wait=wait, what="t")  # type: ignore[arg-type]
    assert len(calls) == 1


@pytest.mark.parametrize(("attempt", "low", "high"), [(1, 0.8, 1.2), (2, 1.6, 2.4), (3, 3.2, 4.8), (20, 0, MAX_DELAY)])
def test_the_wait_doubles_with_jitter_and_is_capped(attempt: int, low: float, high: float) -> None:
    for _ in range(50):
        assert low <= backoff(attempt, 1.0) <= high
