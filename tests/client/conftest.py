"""Client fixtures: clients connected to the shared sandboxes of tests/conftest.py (whose scripted HTTP server
covers wire behaviour a faithful sandbox never shows: HTTP-date Retry-After, 429 without it, non-JSON errors)."""

from __future__ import annotations

import pytest

import nitrosend_nb as nb


@pytest.fixture(scope="session")
def ns(sandbox):
    """A quiet client on the shared read-only sandbox."""
    client = nb.connect(sandbox=sandbox, progress=False)
    yield client
    client.close()


@pytest.fixture
def fresh_ns(fresh_sandbox):
    """A quiet client on a fresh sandbox the test may write to."""
    client = nb.connect(sandbox=fresh_sandbox, progress=False)
    yield client
    client.close()
