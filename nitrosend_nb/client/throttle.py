"""429 handling: one adaptive limiter shared by every request thread of a client.

The limiter is AIMD (additive increase, multiplicative decrease) on the number of requests in flight:
a 429 halves the allowed concurrency and pauses *all* workers until the server's Retry-After has passed;
each success afterwards adds ``1/limit``, so the full concurrency comes back after about one round of
successful requests per lost slot. Several 429s answered for one burst count as one congestion event.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

__all__ = ["AdaptiveLimiter", "retry_after_seconds", "backoff_delay"]


class AdaptiveLimiter:
    """Bound the requests in flight to an adaptive limit between 1 and ``max_concurrency``.

    ``slot()`` is a context manager around one request; ``throttled(delay)`` reports a 429 (lowers the
    limit, pauses everyone for ``delay`` seconds); ``succeeded()`` reports a success (raises the limit).
    ``clock`` (monotonic seconds) is injectable for tests.
    """

    def __init__(self, max_concurrency: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.max_concurrency = max_concurrency
        self._limit = float(max_concurrency)
        self._in_flight = 0
        self._resume_at = 0.0
        self._clock = clock
        self._cond = threading.Condition()

    @property
    def limit(self) -> int:
        """How many requests may be in flight right now."""
        return max(1, int(self._limit))

    @property
    def in_flight(self) -> int:
        """How many requests hold a slot right now."""
        return self._in_flight

    def paused_for(self) -> float:
        """Seconds left in the shared pause (0 when requests may go)."""
        return max(0.0, self._resume_at - self._clock())

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Wait for the shared pause to end and for a free slot, hold it for the duration of one request."""
        with self._cond:
            while True:
                pause = self._resume_at - self._clock()
                if pause <= 0 and self._in_flight < self.limit:
                    break
                self._cond.wait(timeout=pause if pause > 0 else None)
            self._in_flight += 1
        try:
            yield
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify_all()

    def throttled(self, delay: float) -> None:
        """Record a 429: halve the limit (once per congestion event) and pause every worker ``delay`` s."""
        with self._cond:
            now = self._clock()
            if now >= self._resume_at:  # a new congestion event, not an echo of the one being waited out
                self._limit = max(1.0, self._limit / 2)
            self._resume_at = max(self._resume_at, now + delay)
            self._cond.notify_all()

    def succeeded(self) -> None:
        """Record a success: grow the limit by ``1/limit`` up to ``max_concurrency``."""
        with self._cond:
            if self._limit < self.max_concurrency:
                self._limit = min(float(self.max_concurrency), self._limit + 1.0 / self._limit)
                self._cond.notify_all()


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Parse a Retry-After header (delta seconds or an HTTP date) into seconds to wait; None if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def backoff_delay(
    attempt: int, *, base: float = 0.25, cap: float = 10.0, rng: Callable[[], float] = random.random
) -> float:
    """Exponential backoff with jitter: a random delay in ``[d/2, d)`` where ``d = min(cap, base * 2**attempt)``."""
    ceiling = min(cap, base * (2**attempt))
    return ceiling * (0.5 + rng() / 2)
