"""Shared fixtures: real sandbox servers on 127.0.0.1 and the published OpenAPI description."""

from __future__ import annotations

from pathlib import Path

import pytest

from nitrosend_nb.sandbox import Sandbox

SPEC_PATH = Path(__file__).resolve().parents[1].parent / "shared" / "nitrosend-openapi.yaml"


@pytest.fixture(scope="session")
def sandbox():
    """A default seeded sandbox (seed=0, 250 contacts) shared by read-only tests."""
    with Sandbox(seed=0, contacts=250) as sb:
        yield sb


@pytest.fixture
def make_sandbox():
    """Factory ``make_sandbox(**kwargs)``: starts a Sandbox and stops it at teardown."""
    started: list[Sandbox] = []

    def factory(**kwargs) -> Sandbox:
        sb = Sandbox(**kwargs).start()
        started.append(sb)
        return sb

    yield factory
    for sb in started:
        sb.stop()


@pytest.fixture
def fresh_sandbox(make_sandbox):
    """A new seeded sandbox for a test that writes or changes knobs."""
    return make_sandbox(seed=0, contacts=250)


@pytest.fixture(scope="session")
def openapi_spec():
    """The parsed ../shared/nitrosend-openapi.yaml; skips the test when it is absent."""
    if not SPEC_PATH.is_file():
        pytest.skip(f"OpenAPI description not found at {SPEC_PATH}")
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(SPEC_PATH.read_text())
