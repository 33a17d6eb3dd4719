"""Fixtures for the sandbox tests: authenticated clients bound to running sandboxes."""

from __future__ import annotations

import pytest
from sandbox_helpers import Api


@pytest.fixture(scope="session")
def api(sandbox) -> Api:
    """Client for the shared read-only sandbox."""
    return Api(sandbox)


@pytest.fixture
def fresh_api(fresh_sandbox) -> Api:
    """Client for a new sandbox the test may change."""
    return Api(fresh_sandbox)
