"""``ns.webhooks``, ``nb.verify_webhook`` and ``nb.webhook_listener`` end to end against a real sandbox."""

from __future__ import annotations

import json
import socket
import threading
import time
import traceback
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest
import requests
from standardwebhooks.webhooks import Webhook

import nitrosend_nb as nb
from nitrosend_nb.client.columnar import from_numpy_frame
from nitrosend_nb.client.frames import WEBHOOK_EVENT_TYPES, WEBHOOK_EVENTS
from nitrosend_nb.sandbox.engine.webhook_delivery import EVENTS

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def signed(payload: dict, secret: str = SECRET, *, age: timedelta = timedelta(0), event_id: str = "evt_1"):
    body = json.dumps(payload)
    moment = datetime.now(timezone.utc) - age
    return body.encode(), {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, moment, body),
    }


def test_verify_webhook_accepts_a_good_event_and_refuses_bad_ones_clearly():
    event = {"type": "email.delivered", "timestamp": "2026-11-01T12:00:00Z", "data": {"message_id": 1}}
    body, headers = signed(event)
    assert nb.verify_webhook(body, {k.title(): v for k, v in headers.items()}, SECRET) == event
    cases = [
        (body.replace(b"1}", b"2}"), headers, SECRET, "signature does not match"),
        (body, headers, "whsec_" + "QUJD" * 8, "signature does not match"),
        (*signed(event, age=timedelta(minutes=6)), SECRET, "more than 5 minutes old"),
        (body, {"webhook-id": "evt_1"}, SECRET, "missing webhook-id"),
        (body, headers, "", "secret"),
    ]
    for raw, hdrs, secret, words in cases:
        with pytest.raises(nb.WebhookVerificationError) as caught:
            nb.verify_webhook(raw, hdrs, secret)
        assert words in str(caught.value) and isinstance(caught.value, nb.NitrosendError)
        assert SECRET not in str(caught.value)


def test_a_refused_webhook_leaves_no_path_to_its_secret():
    """A traceback printed with its frames' locals (IPython's verbose mode) shows neither the right secret nor a
    wrong one, and the error chains no library exception that could."""
    event = {"type": "email.delivered", "timestamp": "2026-11-01T12:00:00Z", "data": {"message_id": 1}}
    body, headers = signed(event)
    for raw, key in ((body + b" ", SECRET), (body, "whsec_" + "V3JvbmdTZWNyZXRWYWx1ZQ" * 2), (body, "whsec_!!")):
        with pytest.raises(nb.WebhookVerificationError) as caught:
            nb.verify_webhook(raw, headers, key)
        error = caught.value
        assert error.__cause__ is None and error.__context__ is None
        frames = traceback.StackSummary.extract(traceback.walk_tb(error.__traceback__.tb_next), capture_locals=True)
        printed = "".join(frames.format())  # every frame after this test's own (which holds the key, of course)
        assert "verify_webhook" in printed and key not in printed and key[6:] not in printed


def exchange(url: str, request: bytes, *, wait: float = 3.0) -> bytes:
    """Send raw ``request`` bytes to the listener at ``url`` and read until it closes the connection (what it
    answered: b"" when it closed without an answer); socket.timeout when it neither answers nor closes."""
    host, port = url.split("//")[1].split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


@pytest.mark.parametrize(
    ("length", "status"),
    [("-1", 400), ("abc", 400), ("9" * 5000, 400), (str(256 * 1024 * 1024), 413), ("+5", 400)],
    ids=["negative", "not a number", "5000 digits", "256 MiB", "signed"],
)
def test_a_bad_or_huge_content_length_is_refused_without_reading_the_body(length, status):
    with nb.webhook_listener(SECRET) as listener:
        head = f"POST /webhooks HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n".encode()
        answer = exchange(listener.url, head + b'{"type": "x"}')  # the sender keeps its end open
        assert answer.startswith(f"HTTP/1.0 {status} ".encode()), answer[:80]  # -1 read until the sender closed
        assert b'"error"' in answer  # abc and 5,000 digits raised ValueError: closed with no answer at all


def test_a_connection_left_half_open_is_closed_after_the_read_timeout(monkeypatch):
    monkeypatch.setattr("nitrosend_nb.webhooks.READ_TIMEOUT", 0.3, raising=False)  # 10 s by default
    with nb.webhook_listener(SECRET) as listener:
        started = time.monotonic()
        for partial in (
            b"POST /webhooks HTTP/1.1\r\nContent-Le",
            b"POST /webhooks HTTP/1.1\r\nContent-Length: 9\r\n\r\n{",
        ):
            assert exchange(listener.url, partial, wait=3) == b""  # headers or body half sent: dropped
        assert time.monotonic() - started < 2.5


def test_connections_and_their_threads_are_bounded(monkeypatch):
    monkeypatch.setattr("nitrosend_nb.webhooks.READ_TIMEOUT", 5, raising=False)
    with nb.webhook_listener(SECRET) as listener:
        host, port = listener.url.split("//")[1].split("/")[0].split(":")
        before = threading.active_count()
        idle = [socket.create_connection((host, int(port)), timeout=3) for _ in range(40)]
        try:
            for sock in idle[32:]:  # over the bound: closed as soon as they are accepted
                assert sock.recv(1) == b""
            assert threading.active_count() - before <= 32  # 200 half-open connections held 202 threads
        finally:
            for sock in idle:
                sock.close()
        body, headers = signed({"type": "email.sent", "timestamp": "2026-11-01T12:00:00Z", "data": {}})
        deadline = time.monotonic() + 5
        while not listener.events and time.monotonic() < deadline:  # slots free as the closes are seen
            try:
                requests.post(listener.url, data=body, headers=headers, timeout=2)
            except requests.ConnectionError:
                time.sleep(0.05)
        assert len(listener.events) == 1


def test_listener_verifies_collects_and_deduplicates():
    with nb.webhook_listener(SECRET) as listener:
        assert listener.url.startswith("http://127.0.0.1:") and listener.url.endswith("/webhooks")
        event = {
            "type": "email.opened",
            "timestamp": "2026-11-01T12:01:00Z",
            "data": {"message_id": 4, "to": "ada@example.com", "tags": {}},
        }
        body, headers = signed(event)
        assert requests.post(listener.url, data=body, headers=headers, timeout=5).status_code == 204
        assert requests.post(listener.url, data=body, headers=headers, timeout=5).status_code == 204  # a retry
        forged = requests.post(listener.url, data=body, headers={**headers, "webhook-signature": "v1,AAAA"}, timeout=5)
        assert forged.status_code == 401 and "signature" in forged.json()["error"]
        assert requests.post(listener.url + "/other", data=body, headers=headers, timeout=5).status_code == 404
        frame = listener.wait_for(1, timeout=2)
        assert list(frame.index) == ["evt_1"] and frame.loc["evt_1", "type"] == "email.opened"
        assert frame.loc["evt_1", "to"] == "ada@example.com" and len(listener.rejected) == 1
        arrow = listener.df(dtype_backend="pyarrow")  # every column an ArrowDtype, the same values
        pd.testing.assert_frame_equal(arrow, from_numpy_frame(frame, WEBHOOK_EVENTS))
        with pytest.raises(TimeoutError, match="received 1 of 2"):
            listener.wait_for(2, timeout=0.2)
    assert "stopped" in repr(listener) and SECRET not in repr(listener)
    with pytest.raises(requests.ConnectionError):
        requests.post(listener.url, data=body, headers=headers, timeout=2)


def test_sends_show_up_in_the_listener_and_in_the_deliveries_log(make_sandbox):
    sb = make_sandbox(contacts=10, webhook_time_scale=600)
    ns = nb.connect(sandbox=sb, progress=False)
    with nb.webhook_listener() as listener:
        hook = ns.webhooks.create(
            listener.url, ["email.sent", "email.delivered", "email.bounced", "email.opened", "email.clicked"]
        )
        assert ns.webhooks.df().loc[hook["id"], "secret"] == "whsec_****" + hook["secret"][-4:]
        assert ns.webhooks.get(hook["id"], reveal=True)["secret"] == hook["secret"]
        early = ns.webhooks.test(hook["id"])  # no secret set yet: refused, so retried later
        assert early["attempts"] == 1 and early["last_response_status"] == 401 and early["status"] == "pending"
        listener.secret = hook["secret"]
        for to in ("click@example.com", "bounce@example.com"):
            ns.messages.send(to=to, subject="Hi", html='<p><a href="https://acme.test/a">a</a></p>')
        frame = listener.wait_for(7, timeout=10)  # 4 + 2 events, and the test event on its retry
        real = frame[~frame["test"]]
        assert list(real["type"].astype(str)) == [
            "email.sent",
            "email.sent",
            "email.delivered",
            "email.bounced",
            "email.opened",
            "email.clicked",
        ]
        assert real.loc[real.type == "email.clicked", "url"].item() == "https://acme.test/a"
        assert real.loc[real.type == "email.bounced", "bounce_type"].item() == "hard"
        assert frame["test"].sum() == 1
        log = ns.webhooks.deliveries(hook["id"]).df()
        assert set(log.index) and set(real.index) <= set(log["event_id"])
        assert {"to", "url", "bounce_type", "message_id", "attempts", "status"} <= set(log.columns)
        assert str(log["event_type"].dtype) == "category" and "payload" not in log.columns
        delivered = eventually_delivered(ns, hook["id"], len(log))
        assert delivered
    key = sb.api_key
    for text in (repr(listener), listener.df().to_string(), repr(ns.webhooks), str(listener.rejected)):
        assert key not in text and hook["secret"] not in text


def eventually_delivered(ns, webhook_id: int, count: int, timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = ns.webhooks.deliveries(webhook_id).df()
        if len(log) == count and (log["status"] == "delivered").all():
            return True
        time.sleep(0.05)
    return False


def test_the_client_types_exactly_the_event_types_the_sandbox_sends():
    # Two sides of the wire, declared apart (the client never imports the sandbox): they must agree.
    assert tuple(WEBHOOK_EVENT_TYPES.categories) == EVENTS
