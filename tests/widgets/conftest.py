"""Widget-test fixtures: clients on a fresh seeded sandbox, in sandbox mode and in LIVE mode."""

from __future__ import annotations

import pytest

import nitrosend_nb as nb


@pytest.fixture
def sb(fresh_sandbox):
    """A fresh seeded sandbox for one test (widgets write: templates, messages, campaign sends)."""
    return fresh_sandbox


@pytest.fixture
def ns(sb):
    """A client in sandbox mode."""
    client = nb.connect(sandbox=sb)
    assert client.mode == "sandbox"
    return client


@pytest.fixture
def live_ns(sb):
    """A client in LIVE mode (plain key + base URL) that happens to talk to the sandbox."""
    client = nb.connect(api_key=sb.api_key, base_url=sb.url)
    assert client.mode == "live"
    return client


def _visible_text(widget) -> str:
    parts = [str(getattr(widget, attr, "")) for attr in ("value", "description", "placeholder", "options", "tooltip")]
    parts += [_visible_text(child) for child in getattr(widget, "children", ())]
    return "\n".join(parts)


@pytest.fixture
def visible_text():
    """``visible_text(widget)``: everything a user can read in a widget tree (values, labels, HTML, options)."""
    return _visible_text
