"""The shared machinery under every form: single-flight guard, idempotency keys, debounce, input checks."""

from __future__ import annotations

import ipywidgets as widgets
import pytest

from nitrosend_nb.widgets.debounce import Debouncer
from nitrosend_nb.widgets.guard import RequestGuard, idempotency_key
from nitrosend_nb.widgets.html import sandboxed_iframe
from nitrosend_nb.widgets.validation import parse_address, parse_address_list, parse_json_object


def test_idempotency_key_is_stable_and_follows_content_and_target():
    payload = {"to": "a@example.com", "subject": "Hi", "data": {"b": 1, "a": 2}}
    same_reordered = {"data": {"a": 2, "b": 1}, "subject": "Hi", "to": "a@example.com"}
    key = idempotency_key("POST /messages", payload)
    assert key == idempotency_key("POST /messages", same_reordered)
    assert key != idempotency_key("POST /messages", {**payload, "subject": "Hi!"})
    assert key != idempotency_key("POST /templates/1/send_test", payload)


def test_guard_ignores_a_reentrant_run_and_disables_buttons_while_in_flight():
    button = widgets.Button(description="Send")
    guard = RequestGuard([button])
    calls, seen = [], {}

    def action():
        calls.append("outer")
        seen["disabled"] = button.disabled
        seen["inner_ran"] = guard.run(lambda: calls.append("inner"))

    assert guard.run(action) is True
    assert calls == ["outer"]
    assert seen == {"disabled": True, "inner_ran": False}
    assert button.disabled is False and guard.in_flight is False


def test_guard_reenables_buttons_after_a_failure():
    button = widgets.Button(description="Send")
    guard = RequestGuard([button])

    def boom():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        guard.run(boom)
    assert button.disabled is False and guard.in_flight is False
    assert guard.run(lambda: None) is True


def test_guard_lets_settle_decide_the_buttons_afterwards():
    send, launch = widgets.Button(), widgets.Button()
    guard = RequestGuard([send, launch], settle=lambda: setattr(launch, "disabled", True))
    guard.run(lambda: None)
    assert send.disabled is True  # settle owns the buttons: it re-enabled nothing
    assert launch.disabled is True


def test_debouncer_runs_once_per_burst_and_flush_runs_now():
    calls = []
    debounce = Debouncer(lambda: calls.append(1), delay=60)
    for _ in range(5):
        debounce.trigger()
    assert debounce.pending and calls == []
    assert debounce.flush() is True
    assert calls == [1] and not debounce.pending
    assert debounce.flush() is False
    debounce.trigger()
    debounce.cancel()
    assert not debounce.pending and calls == [1]


def test_address_checks():
    assert parse_address(" ada@example.com ") == "ada@example.com"
    assert parse_address("", required=False) is None
    for bad in ("ada", "ada@", "ada@example", "a b@example.com", "a@b@example.com"):
        with pytest.raises(ValueError, match="not a valid e-mail address"):
            parse_address(bad)
    assert parse_address_list("a@example.com, b@example.com,a@example.com") == ["a@example.com", "b@example.com"]
    assert parse_address_list("  ") == []
    with pytest.raises(ValueError, match="'nope'"):
        parse_address_list("a@example.com, nope")
    with pytest.raises(ValueError, match="Empty entry"):
        parse_address_list("a@example.com,,b@example.com")


def test_json_object_check():
    assert parse_json_object("") == {}
    assert parse_json_object('{"order": 42}') == {"order": 42}
    with pytest.raises(ValueError, match=r"Invalid JSON: .* line 1, column"):
        parse_json_object('{"order": }')
    with pytest.raises(ValueError, match="JSON object"):
        parse_json_object("[1, 2]")


def test_iframe_is_sandboxed_and_keeps_markup_inside_srcdoc():
    frame = sandboxed_iframe('<p onclick="x()">Hi</p><script>alert("x")</script>')
    assert frame.startswith('<iframe sandbox="" ')
    assert "allow-scripts" not in frame
    assert "<script>" not in frame and '"x()"' not in frame
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in frame


def test_guard_sends_an_idempotent_send_once_and_forgets_failures():
    guard, calls = RequestGuard([]), []

    def send():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("lost")
        return {"sent": 1}

    with pytest.raises(RuntimeError):
        guard.once("k", send)
    assert guard.once("k", send) == ({"sent": 1}, False)
    assert guard.once("k", send) == ({"sent": 1}, True) and len(calls) == 2
