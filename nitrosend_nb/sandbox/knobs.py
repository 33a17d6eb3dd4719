"""Rehearsal knobs: per-request latency, a token-bucket rate limit (429 + Retry-After), a seeded random 5xx
rate, one-shot fault injection (fail the next N matching requests before or after processing), the share of sends
that hard-bounce or draw a complaint (see :mod:`nitrosend_nb.sandbox.engine.suppression_rules`), the share of
delivered transactional emails that get a reply (:mod:`nitrosend_nb.sandbox.engine.inbound`), and the pace of the
asynchronous flows: how fast imports process rows and how much faster than real time webhook retries run."""

from __future__ import annotations

import functools
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

UNCHANGED: Any = object()  # configure() default: leave that knob as it is
DEFAULT_ENGAGEMENT = {"bounce": 0.03, "open": 0.5, "click": 0.4}


@dataclass
class Fault:
    """Fail the next ``count`` matching requests with ``status``; ``when="after"`` processes them first."""

    count: int = 1
    status: int = 503
    when: str = "after"
    path: str | None = None
    method: str | None = None

    def matches(self, method: str, path: str, api_path: str) -> bool:
        """Whether a request (full path and path relative to /v1/my) is one this fault targets."""
        if self.method and self.method.upper() != method.upper():
            return False
        if self.path:
            wanted = self.path.rstrip("/") or "/"
            return any(p == wanted or p.startswith(wanted + "/") for p in (path, api_path))
        return True

    def as_dict(self) -> dict:
        """JSON view."""
        return {"count": self.count, "status": self.status, "when": self.when, "path": self.path, "method": self.method}


class TokenBucket:
    """``rate`` requests per second with a burst of ``max(1, rate)``."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.stamp = time.monotonic()

    def take(self) -> float:
        """Take a token; return 0 when granted, else the seconds until one is available."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class Knobs:
    """The runtime-configurable behaviour of a sandbox (thread-safe)."""

    latency_ms: float = 0
    rate_limit: float | None = None
    error_rate: float = 0.0
    bounce_rate: float = 0.0
    complaint_rate: float = 0.0
    reply_rate: float = 0.0
    seed: int = 0
    faults: list[Fault] = field(default_factory=list)
    #: rows an import processes per second (None: as fast as it can)
    import_rows_per_second: float | None = 2000.0
    #: webhook retry schedule and endpoint-disabling window run this many times faster than on the real service
    webhook_time_scale: float = 60.0
    #: share of other transactional emails that bounce, of delivered ones opened, and of opened ones clicked
    engagement: dict = field(default_factory=lambda: dict(DEFAULT_ENGAGEMENT))

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(self.seed)
        self._bucket = TokenBucket(self.rate_limit) if self.rate_limit else None

    def configure(
        self,
        latency_ms: float | None = None,
        rate_limit: float | None = UNCHANGED,
        error_rate: float | None = None,
        bounce_rate: float | None = None,
        complaint_rate: float | None = None,
        reply_rate: float | None = None,
        import_rows_per_second: float | None = UNCHANGED,
        webhook_time_scale: float | None = None,
        engagement: dict | None = None,
    ) -> None:
        """Change knobs at runtime (a knob left at its default stays as it is); ``rate_limit=None`` (or 0) switches
        rate limiting off. ``bounce_rate`` and ``complaint_rate`` are the shares of sends that hard-bounce or draw a
        complaint (decided per message from the seed, so a rerun behaves the same); ``reply_rate`` the share of
        delivered transactional emails answered by their recipient (an ``email.received`` event, drawn per
        message); ``import_rows_per_second=None`` (or 0) lets imports run at full speed; ``engagement`` sets some
        of the bounce/open/click rates of webhook events."""
        if engagement is not None and not set(engagement) <= set(DEFAULT_ENGAGEMENT):
            raise ValueError(f"engagement rates are {', '.join(DEFAULT_ENGAGEMENT)}")
        with self._lock:
            if engagement is not None:
                self.engagement.update({k: min(1.0, max(0.0, float(v))) for k, v in engagement.items()})
            if import_rows_per_second is not UNCHANGED:
                self.import_rows_per_second = float(import_rows_per_second) if import_rows_per_second else None
            if webhook_time_scale is not None:
                if webhook_time_scale <= 0:
                    raise ValueError("webhook_time_scale must be positive")
                self.webhook_time_scale = float(webhook_time_scale)
            if latency_ms is not None:
                self.latency_ms = max(0.0, float(latency_ms))
            if rate_limit is not UNCHANGED:
                self.rate_limit = float(rate_limit) if rate_limit else None
                self._bucket = TokenBucket(self.rate_limit) if self.rate_limit else None
            for name, value in (
                ("error_rate", error_rate),
                ("bounce_rate", bounce_rate),
                ("complaint_rate", complaint_rate),
                ("reply_rate", reply_rate),
            ):
                if value is not None:
                    setattr(self, name, min(1.0, max(0.0, float(value))))

    def as_dict(self) -> dict:
        """JSON view of the knobs and pending faults."""
        with self._lock:
            return {
                "latency_ms": self.latency_ms,
                "rate_limit": self.rate_limit,
                "error_rate": self.error_rate,
                "bounce_rate": self.bounce_rate,
                "complaint_rate": self.complaint_rate,
                "reply_rate": self.reply_rate,
                "import_rows_per_second": self.import_rows_per_second,
                "webhook_time_scale": self.webhook_time_scale,
                "engagement": dict(self.engagement),
                "faults": [f.as_dict() for f in self.faults],
            }

    def engagement_rates(self) -> dict:
        """A copy of the engagement rates (bounce, open, click) webhook events are drawn against."""
        with self._lock:
            return dict(self.engagement)

    def add_fault(self, fault: Fault) -> None:
        """Queue a fault."""
        with self._lock:
            self.faults.append(fault)

    def clear_faults(self) -> None:
        """Drop every pending fault."""
        with self._lock:
            self.faults.clear()

    def has_faults(self, when: str) -> bool:
        """Whether any fault of phase ``when`` is pending."""
        with self._lock:
            return any(f.when == when for f in self.faults)

    def take_fault(self, when: str, method: str, path: str, api_path: str) -> Fault | None:
        """Consume one use of the first pending fault of phase ``when`` matching the request."""
        with self._lock:
            for fault in self.faults:
                if fault.when == when and fault.matches(method, path, api_path):
                    fault.count -= 1
                    if fault.count <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def retry_after(self) -> int | None:
        """Whole seconds to wait when the rate limit refuses this request, else None."""
        with self._lock:
            if self._bucket is None:
                return None
            wait = self._bucket.take()
        return max(1, math.ceil(wait)) if wait else None

    def random_failure(self) -> bool:
        """Draw from the seeded generator: True when this request should fail with a 5xx."""
        with self._lock:
            return self.error_rate > 0 and self._rng.random() < self.error_rate


def configure_through(knobs_of: Callable[[Any], Knobs]) -> Callable[..., None]:
    """A ``configure`` method for a class holding :class:`Knobs` (``knobs_of(self)``) with
    :meth:`Knobs.configure`'s signature and documentation, so the two never drift apart."""

    @functools.wraps(Knobs.configure)
    def configure(holder: Any, *args: Any, **changes: Any) -> None:
        knobs_of(holder).configure(*args, **changes)

    return configure
