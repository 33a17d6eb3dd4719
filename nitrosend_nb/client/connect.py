"""``connect()``: find credentials (or a sandbox) and return a :class:`~nitrosend_nb.Nitrosend` client.

Resolution order, first match wins:

1. ``connect(sandbox=sb)``: that running Sandbox (sandbox mode).
2. Explicit ``api_key=`` (with ``base_url=``, else ``NITROSEND_BASE_URL``, else the production URL): live mode.
3. ``NITROSEND_API_KEY`` (with ``NITROSEND_BASE_URL``): live mode.
4. ``NITROSEND_SANDBOX_URL`` (with ``NITROSEND_SANDBOX_KEY``): a shared sandbox server, sandbox mode.
5. Otherwise a seeded in-process ``Sandbox(seed=0)`` on a free port, started once per process and stopped
   at exit, sandbox mode.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from typing import TYPE_CHECKING

from nitrosend_nb.client import defaults
from nitrosend_nb.client.client import Nitrosend
from nitrosend_nb.client.sandbox_urls import split_sandbox_url

if TYPE_CHECKING:
    from nitrosend_nb.sandbox import Sandbox

__all__ = ["connect"]

logger = logging.getLogger("nitrosend_nb")

_local_sandbox: Sandbox | None = None
_local_sandbox_lock = threading.Lock()


def _process_sandbox() -> Sandbox:
    """The in-process sandbox shared by every ``connect()`` of this process (started on first use)."""
    global _local_sandbox
    with _local_sandbox_lock:
        if _local_sandbox is None:
            from nitrosend_nb.sandbox import Sandbox

            _local_sandbox = Sandbox(seed=0).start()
            atexit.register(_local_sandbox.stop)
            logger.info("started an in-process sandbox at %s", _local_sandbox.url)
        return _local_sandbox


def connect(
    api_key: str | None = None,
    base_url: str | None = None,
    brand_sid: str | None = None,
    concurrency: int = defaults.CONCURRENCY,
    timeout: float = defaults.TIMEOUT,
    progress: bool = defaults.PROGRESS,
    sandbox: Sandbox | None = None,
    *,
    max_wait: float = defaults.MAX_WAIT,
    retries: int = defaults.RETRIES,
) -> Nitrosend:
    """Return a client for the live API or a sandbox (see the module docstring for the resolution order).

    ``brand_sid`` scopes requests to one brand (``X-Brand-SID``); ``concurrency`` bounds parallel page
    fetches; ``progress=False`` hides progress bars; ``max_wait`` is how many seconds one request may spend
    waiting out rate limits before RateLimitError.
    """
    options = dict(
        brand_sid=brand_sid,
        concurrency=concurrency,
        timeout=timeout,
        progress=progress,
        max_wait=max_wait,
        retries=retries,
    )
    env = os.environ
    if sandbox is not None:
        return Nitrosend(sandbox.api_key, sandbox.url, sandbox_root=sandbox.root_url, **options)
    api_key = api_key or env.get("NITROSEND_API_KEY")
    if api_key:
        return Nitrosend(api_key, base_url or env.get("NITROSEND_BASE_URL") or defaults.BASE_URL, **options)
    if base_url:
        raise ValueError("connect(base_url=...) needs api_key=... (or NITROSEND_API_KEY)")
    if env.get("NITROSEND_SANDBOX_URL"):
        api_url, root = split_sandbox_url(env["NITROSEND_SANDBOX_URL"])
        key = env.get("NITROSEND_SANDBOX_KEY") or defaults.SANDBOX_API_KEY
        return Nitrosend(key, api_url, sandbox_root=root, **options)
    local = _process_sandbox()
    return Nitrosend(local.api_key, local.url, sandbox_root=local.root_url, **options)
