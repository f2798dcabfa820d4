"""Outbound sends with retries: a busy or unreachable provider is tried again, a refusal is not."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAX_DELAY = 30.0
"""Longest wait between two attempts, even when the provider asks for more (the patient is waiting)."""


def backoff(attempt: int, base: float) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1, 2, …): doubling, with jitter, capped."""
    return min(MAX_DELAY, base * 2 ** (attempt - 1) * random.uniform(0.8, 1.2))  # jitter, not a secret


async def with_retries(
    send: Callable[[], Awaitable[T]],
    *,
    attempts: int,
    wait: Callable[[BaseException, int], float | None],
    what: str,
) -> T:
    """Call ``send`` until it succeeds, at most ``attempts`` times.

    Args:
        send: makes one attempt.
        attempts: how many attempts in all (at least 1).
        wait: for a failed attempt's error and its number, the seconds to wait before the
            next one, or None when trying again cannot help (a refusal: bad number, opt-out).
        what: names the send in the log (never a phone number or a message's text).

    Raises:
        The last attempt's error, or the first one ``wait`` says not to retry.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await send()
        except Exception as error:  # ``wait`` decides; the error is re-raised
            delay = wait(error, attempt)
            if delay is None or attempt == attempts:
                raise
            logger.warning("%s: attempt %d failed (%s); again in %.1fs", what, attempt, type(error).__name__, delay)
            await asyncio.sleep(min(delay, MAX_DELAY))
    raise AssertionError("unreachable: the last attempt returns or raises")
