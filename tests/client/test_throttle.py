"""The shared 429 limiter (AIMD concurrency + a pause every worker respects), Retry-After parsing, backoff."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from nitrosend_nb.client.throttle import AdaptiveLimiter, backoff_delay, retry_after_seconds


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_limit_halves_once_per_congestion_event_and_recovers_additively():
    clock = FakeClock()
    limiter = AdaptiveLimiter(8, clock=clock)
    assert limiter.limit == 8
    limiter.throttled(1.0)
    assert limiter.limit == 4
    limiter.throttled(1.0)  # another 429 from the same burst, during the pause: not a new event
    assert limiter.limit == 4
    assert limiter.paused_for() == pytest.approx(1.0)
    clock.now += 1.5
    assert limiter.paused_for() == 0
    limiter.throttled(1.0)  # a new event after the pause
    assert limiter.limit == 2
    successes = 0
    while limiter.limit < 8:
        limiter.succeeded()
        successes += 1
    assert 10 <= successes <= 40  # additive: back to full after a few rounds, not at once
    for _ in range(50):
        limiter.succeeded()
    assert limiter.limit == 8  # never above max_concurrency


def test_limit_never_drops_below_one():
    clock = FakeClock()
    limiter = AdaptiveLimiter(2, clock=clock)
    for _ in range(5):
        limiter.throttled(0.1)
        clock.now += 1
    assert limiter.limit == 1


def test_rejects_zero_concurrency():
    with pytest.raises(ValueError):
        AdaptiveLimiter(0)


def peak_in_flight(limiter: AdaptiveLimiter, workers: int) -> int:
    """Run ``workers`` threads through ``limiter.slot()`` at once; return the most seen in flight together."""
    peak = 0
    lock = threading.Lock()

    def work():
        nonlocal peak
        with limiter.slot():
            with lock:
                peak = max(peak, limiter.in_flight)
            time.sleep(0.01)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert limiter.in_flight == 0
    return peak


def test_slots_bound_requests_in_flight_to_the_limit():
    assert peak_in_flight(AdaptiveLimiter(3), workers=12) == 3


def test_a_429_pauses_every_worker_until_retry_after_has_passed():
    limiter = AdaptiveLimiter(4)
    limiter.throttled(0.3)
    started = []

    def work():
        with limiter.slot():
            started.append(time.monotonic())

    begin = time.monotonic()
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(started) == 4
    assert min(started) - begin >= 0.25


def test_lowered_limit_is_enforced_on_waiting_workers():
    limiter = AdaptiveLimiter(4)
    limiter.throttled(0.0)  # halve to 2 without pausing
    assert peak_in_flight(limiter, workers=8) == 2


@pytest.mark.parametrize("value, expected", [("3", 3.0), (" 0 ", 0.0), ("1.5", 1.5), ("-2", 0.0)])
def test_retry_after_in_seconds(value, expected):
    assert retry_after_seconds(value) == expected


def test_retry_after_as_http_date():
    now = datetime(2026, 11, 1, 12, 0, 0, tzinfo=timezone.utc)
    header = format_datetime(now + timedelta(seconds=7), usegmt=True)
    assert retry_after_seconds(header, now=now) == pytest.approx(7.0)
    past = format_datetime(now - timedelta(seconds=30), usegmt=True)
    assert retry_after_seconds(past, now=now) == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "Mon, 99 Foo 2026"])
def test_retry_after_absent_or_invalid(value):
    assert retry_after_seconds(value) is None


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    assert backoff_delay(0, base=0.25, rng=lambda: 0.0) == pytest.approx(0.125)
    assert backoff_delay(0, base=0.25, rng=lambda: 1.0) == pytest.approx(0.25)
    assert backoff_delay(3, base=0.25, rng=lambda: 1.0) == pytest.approx(2.0)
    assert backoff_delay(20, base=0.25, cap=10, rng=lambda: 1.0) == pytest.approx(10.0)
    delays = {backoff_delay(2) for _ in range(20)}
    assert len(delays) > 1 and all(0.5 <= d < 1.0 for d in delays)
