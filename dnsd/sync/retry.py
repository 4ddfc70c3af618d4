"""Pacing and retrying provider calls: a rate limit below the provider's, and backoff.

Kept apart from any SDK so the policy is ours: SDK retryers that re-send a write after it
succeeded (tencentcloud-sdk-python-common 3.1.195's ``StandardRetryer`` keeps its last error and
raises it after a later success) are never used.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


class Throttle:
    """At most ``rate`` calls per second (0 or less: no limit), shared by threads."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:  # fmt: skip
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._clock, self._sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until the next call may go out."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``attempts`` tries in all; waits grow as ``base * 2**n`` up to ``cap`` seconds, jittered."""

    attempts: int = 6
    base: float = 0.5
    cap: float = 20.0

    def delay(self, attempt: int) -> float:
        full = min(self.cap, self.base * 2.0**attempt)
        return full / 2 + random.uniform(0, full / 2)  # jitter spreads retries; not for secrets


class Retryable(Exception):
    """Raised by a call that may be tried again; wraps the error to raise if tries run out."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def call_with_retry(
    call: Callable[[int], T],
    policy: RetryPolicy,
    throttle: Throttle,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[int, Exception, float], None] | None = None,
) -> T:
    """Run ``call(attempt)`` paced by ``throttle``; on :class:`Retryable`, back off and try again.

    ``attempt`` counts from 0, so a call can tell a first try from a retry (a retried write may
    find its own earlier, unacknowledged effect). Raises the wrapped error when tries run out.
    """
    for attempt in range(policy.attempts):
        throttle.wait()
        try:
            return call(attempt)
        except Retryable as exc:
            if attempt + 1 >= policy.attempts:
                raise exc.error from None
            pause = policy.delay(attempt)
            if on_retry is not None:
                on_retry(attempt, exc.error, pause)
            sleep(pause)
    raise AssertionError("unreachable: attempts must be >= 1")
