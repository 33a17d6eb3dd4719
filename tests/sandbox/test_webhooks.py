"""Webhooks over HTTP: CRUD rules, masked secrets, events really delivered and signed (checked with the
``standardwebhooks`` package on every request), retries on the compressed schedule, disabling, test events."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from sandbox_helpers import EMAIL_EVENTS, Api, assert_error, create_webhook, eventually, send, verified

from nitrosend_nb.sandbox import Sandbox


@pytest.fixture
def api(make_sandbox) -> Api:
    """A small sandbox whose webhook schedule runs 600x faster (a 1-minute retry after 0.1 s)."""
    return Api(make_sandbox(contacts=10, webhook_time_scale=600))


def test_crud_rules_and_masked_secrets(api):
    hook = create_webhook(api, "http://127.0.0.1:9/hook", ["email.sent", "email.sent", "email.opened"])
    secret = hook["secret"]
    assert secret.startswith("whsec_") and len(secret) > 30 and hook["events"] == ["email.sent", "email.opened"]
    assert (hook["status"], hook["enabled"], hook["failing_since"], hook["last_delivery"]) == (
        "active",
        True,
        None,
        None,
    )
    shown = api.get(f"/webhooks/{hook['id']}").json()
    assert shown["secret"] == "whsec_****" + secret[-4:] and secret not in json.dumps(api.get("/webhooks").json())
    assert api.get(f"/webhooks/{hook['id']}", params={"reveal": "true"}).json()["secret"] == secret
    patched = api.patch(f"/webhooks/{hook['id']}", json={"enabled": False, "events": ["email.clicked"]}).json()
    assert (patched["enabled"], patched["status"], patched["events"]) == (False, "disabled", ["email.clicked"])
    assert api.patch(f"/webhooks/{hook['id']}", json={"enabled": True}).json()["status"] == "active"
    for url, message in (
        ("http://example.com/hook", "HTTPS"),
        ("https://10.0.0.7/hook", "public"),
        ("https://printer.local/hook", "public"),
        ("ftp://example.com", "https"),
    ):
        body = assert_error(api.post("/webhooks", json={"url": url, "events": ["email.sent"]}), 422)
        assert message in body["validation_errors"]["url"][0], url
    assert (
        "events"
        in assert_error(api.post("/webhooks", json={"url": "https://example.com/h", "events": []}), 422)[
            "validation_errors"
        ]
    )
    assert assert_error(api.post("/webhooks", json={"url": "https://example.com/h", "events": ["email.nope"]}), 422)
    assert create_webhook(api, "https://hooks.example.com/nitrosend", ["email.sent"])["url"].startswith("https://")
    for index in range(7):  # the seeded endpoint (hooks.acme.test) is the tenth
        create_webhook(api, f"http://localhost:9/hook{index}", ["email.sent"])
    body = assert_error(api.post("/webhooks", json={"url": "https://example.com/h", "events": ["email.sent"]}), 422)
    assert "at most 10" in body["validation_errors"]["base"][0]
    deleted = api.delete(f"/webhooks/{hook['id']}")
    assert deleted.status_code == 200 and deleted.json()["secret"].startswith("whsec_****")
    assert_error(api.get(f"/webhooks/{hook['id']}"), 404)


@pytest.fixture
def dns(monkeypatch) -> dict:
    """A resolver the test controls: ``dns[name] = [addresses]`` (or a callable giving them, called per lookup)
    answers getaddrinfo for ``name`` in this process (sandbox and HTTP clients alike); other names resolve as
    usual. There is no outside DNS here, and a test must not depend on one."""
    names: dict = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host not in names:
            return real(host, port, family, type, proto, flags)
        found = names[host]() if callable(names[host]) else names[host]
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, int(port), 0, 0))
            if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, int(port)))
            for a in found
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


@pytest.fixture
def trap():
    """A TCP port on 127.0.0.1 that counts the connections made to it (nothing should reach it)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.5)
    yield server
    server.close()


def reached(trap: socket.socket) -> bool:
    try:
        trap.accept()[0].close()
    except TimeoutError:
        return False
    return True


@pytest.mark.parametrize(
    "url",
    [
        "https://127.1:8443/h",
        "https://0177.0.0.1:8443/h",
        "https://localhost.:8443/h",
        "https://10.1/h",
        "https://169.254.169.254/latest/meta-data",
        "https://[::ffff:127.0.0.1]/h",
        "https://0.0.0.0/h",
        "https://shop.localhost/h",
    ],
)
def test_a_url_naming_this_machine_or_a_private_network_in_disguise_is_refused(api, url):
    body = assert_error(api.post("/webhooks", json={"url": url, "events": ["email.sent"]}), 422)
    assert "must be a public address" in body["validation_errors"]["url"][0], url


def test_names_resolving_to_private_or_link_local_addresses_are_refused(api, dns):
    dns.update(
        {
            "169.254.169.254.nip.io": ["169.254.169.254"],
            "intranet.example.com": ["10.1.2.3"],
            "loop.example.com": ["127.0.0.1"],
            "half.example.com": ["93.184.216.34", "192.168.1.9"],
            "v6.example.com": ["fe80::1"],
            "public.example.com": ["93.184.216.34", "2606:2800:220:1::1"],
        }
    )
    for name, address in (
        ("169.254.169.254.nip.io", "169.254.169.254"),
        ("intranet.example.com", "10.1.2.3"),
        ("loop.example.com", "127.0.0.1"),
        ("half.example.com", "192.168.1.9"),
        ("v6.example.com", "fe80::1"),
    ):
        body = assert_error(api.post("/webhooks", json={"url": f"https://{name}/h", "events": ["email.sent"]}), 422)
        assert body["validation_errors"]["url"] == [
            f"must be a public address ({name} resolves to {address}, which is not a public address)"
        ]
    hook = create_webhook(api, "https://public.example.com/h", ["email.sent"])
    patched = api.patch(f"/webhooks/{hook['id']}", json={"url": "https://intranet.example.com/h"})
    assert "10.1.2.3" in assert_error(patched, 422)["validation_errors"]["url"][0]


@pytest.fixture
def slow_api(make_sandbox) -> Api:
    """A sandbox whose first retry comes a second after a failed attempt: time to read that attempt's record."""
    return Api(make_sandbox(contacts=10, webhook_time_scale=60))


def test_a_name_re_pointed_at_this_machine_after_registration_gets_nothing(slow_api, dns, trap):
    api = slow_api
    port = trap.getsockname()[1]
    dns["rebind.example.com"] = ["93.184.216.34"]
    hook = create_webhook(api, f"https://rebind.example.com:{port}/hook", ["email.sent"])
    dns["rebind.example.com"] = ["127.0.0.1"]
    send(api, "ada@example.com", "k1")
    delivery = eventually(
        lambda: (rows := api.get(f"/webhooks/{hook['id']}/deliveries").json())[0]["attempts"] and rows[0]
    )
    assert delivery["status"] == "pending" and delivery["last_error"] == (
        "not delivered: the URL must be a public address (rebind.example.com resolves to 127.0.0.1, "
        "which is not a public address)"
    )
    assert not reached(trap)  # the sandbox really connected to it


def test_the_connection_goes_only_to_an_address_it_has_just_checked(slow_api, dns, trap):
    api = slow_api
    port, lookups = trap.getsockname()[1], []

    def flipping() -> list[str]:  # public for the registration and the delivery's check, then this machine
        lookups.append(1)
        return ["93.184.216.34"] if len(lookups) <= 2 else ["127.0.0.1"]

    dns["flip.example.com"] = flipping
    hook = create_webhook(api, f"https://flip.example.com:{port}/hook", ["email.sent"])
    send(api, "ada@example.com", "k1")
    delivery = eventually(
        lambda: (rows := api.get(f"/webhooks/{hook['id']}/deliveries").json())[0]["attempts"] and rows[0]
    )
    assert delivery["status"] == "pending" and len(lookups) == 3
    assert (
        delivery["last_error"] == "not delivered: flip.example.com resolves to 127.0.0.1, which is not a public address"
    )
    assert not reached(trap)


def test_after_a_restart_a_pending_retry_waits_for_its_moment(tmp_path, scripted_server):
    scripted_server.script = [(500, {}, {}), (200, {}, {})]
    db, scale = str(tmp_path / "sandbox.db"), 30  # the 1-minute retry comes 2 s after the first attempt
    with Sandbox(db=db, contacts=10, webhook_time_scale=scale) as first:
        api = Api(first)
        hook = create_webhook(api, scripted_server.root + "/hook", ["email.sent"])
        send(api, "ada@example.com", "k1")
        eventually(lambda: api.get(f"/webhooks/{hook['id']}/deliveries").json()[0]["attempts"] == 1)
        failed = time.monotonic()
    with Sandbox(db=db, contacts=10, webhook_time_scale=scale) as second:
        eventually(lambda: len(scripted_server.requests) == 2)
        waited = time.monotonic() - failed
        assert 1.5 < waited < 5  # it fired as soon as the sandbox restarted
        delivery = eventually(
            lambda: (
                (row := Api(second).get(f"/webhooks/{hook['id']}/deliveries").json()[0])["status"] == "delivered"
                and row
            )
        )
        assert delivery["attempts"] == 2


def test_transactional_sends_are_delivered_signed_with_the_events_the_rules_give(api, scripted_server):
    hook = create_webhook(api, scripted_server.root + "/hook")
    messages = {
        to: send(api, to, f"k-{to}")
        for to in ("bounce@example.com", "click+1@example.com", "complaint@example.com", "open@example.com")
    }
    api.send("k-sms", channel="sms", to="+447700900123", body="Hi")  # SMS: no email events
    api.post("/templates/1/send_test", json={"email": "qa@example.com"}, headers={"Idempotency-Key": "t1"})
    events = eventually(lambda: (got := verified(scripted_server, hook["secret"])) and len(got) >= 12 and got)
    time.sleep(0.1)
    assert len(scripted_server.requests) == 12  # nothing for the SMS or the test send
    by_message = {}
    for event in events:
        by_message.setdefault(event["data"]["message_id"], []).append(event["type"])
    expected = {
        "bounce@example.com": ["email.sent", "email.bounced"],
        "click+1@example.com": ["email.sent", "email.delivered", "email.opened", "email.clicked"],
        "complaint@example.com": ["email.sent", "email.delivered", "email.complained"],
        "open@example.com": ["email.sent", "email.delivered", "email.opened"],
    }
    for to, types in expected.items():
        assert sorted(by_message[messages[to]["id"]]) == sorted(types), to
    clicked = next(e for e in events if e["type"] == "email.clicked")
    assert clicked["data"]["url"] == "https://acme.test/offer" and clicked["data"]["to"] == "click+1@example.com"
    assert clicked["data"]["idempotency_key"] == "k-click+1@example.com" and clicked["data"]["subject"] == "Hi "
    bounced = next(e for e in events if e["type"] == "email.bounced")
    assert bounced["data"]["bounce"]["type"] == "hard"
    log = eventually(
        lambda: (
            (rows := api.get(f"/webhooks/{hook['id']}/deliveries", params={"limit": 100}).json())
            and all(r["status"] == "delivered" for r in rows)
            and rows
        )
    )
    assert sorted(r["event_id"] for r in log) == sorted(e["id"] for e in events)
    assert all(r["attempts"] == 1 and r["last_response_status"] == 200 for r in log)
    assert api.get(f"/webhooks/{hook['id']}").json()["last_delivery"]["status"] == "delivered"


def test_unsubscribed_and_disabled_endpoints_get_nothing(api, scripted_server):
    only_sent = create_webhook(api, scripted_server.root + "/only-sent", ["email.sent"])
    create_webhook(api, scripted_server.root + "/off", EMAIL_EVENTS, enabled=False)
    send(api, "ada@example.com", "k1")
    eventually(lambda: scripted_server.requests)
    time.sleep(0.2)
    assert [r["path"] for r in scripted_server.requests] == ["/only-sent"]
    assert verified(scripted_server, only_sent["secret"])[0]["type"] == "email.sent"


def test_engagement_knob_and_hash_rules_are_deterministic(make_sandbox, scripted_server):
    sb = make_sandbox(contacts=10, webhook_time_scale=600)
    api = Api(sb)
    sb.configure(engagement={"bounce": 0.0, "open": 1.0, "click": 1.0})
    create_webhook(api, scripted_server.root + "/hook", ["email.clicked"])
    for index in range(3):
        send(api, f"person{index}@example.com", f"k{index}")
    eventually(lambda: len(scripted_server.requests) == 3)
    sb.configure(engagement={"open": 0.0})
    send(api, "person9@example.com", "k9")
    time.sleep(0.2)
    assert len(scripted_server.requests) == 3


def test_a_failed_attempt_is_retried_on_the_schedule_until_acknowledged(api, scripted_server):
    scripted_server.script = [(500, {}, {}), (503, {}, {}), (200, {}, {})]
    hook = create_webhook(api, scripted_server.root + "/hook", ["email.sent"])
    started = time.monotonic()
    message = send(api, "ada@example.com", "k1")
    assert time.monotonic() - started < 1  # the send never waits for delivery
    delivery = eventually(
        lambda: (
            (rows := api.get(f"/webhooks/{hook['id']}/deliveries").json())
            and rows[0]["status"] == "delivered"
            and rows[0]
        )
    )
    assert (delivery["attempts"], delivery["last_response_status"], delivery["last_error"]) == (3, 200, None)
    ids = {r["headers"]["webhook-id"] for r in scripted_server.requests}
    assert len(scripted_server.requests) == 3 and ids == {delivery["event_id"]}  # one event id across retries
    verified(scripted_server, hook["secret"])  # each attempt freshly signed
    sent_at = message["created_at"]
    assert delivery["created_at"] == sent_at and delivery["next_attempt_at"] is None
    assert delivery["updated_at"] == sent_at.replace("12:00:02", "12:06:02")  # third attempt: 1 min + 5 min later
    assert api.get(f"/webhooks/{hook['id']}").json()["status"] == "active"


def test_an_endpoint_failing_for_three_days_is_disabled(make_sandbox, scripted_server):
    api = Api(make_sandbox(contacts=10, webhook_time_scale=400_000))  # retries over 0.3 s, 3 days in 0.65 s
    scripted_server.script = [(500, {}, {})]
    hook = create_webhook(api, scripted_server.root + "/hook", ["email.sent"])
    send(api, "ada@example.com", "k1")
    delivery = eventually(
        lambda: (
            (rows := api.get(f"/webhooks/{hook['id']}/deliveries").json()) and rows[0]["status"] == "failed" and rows[0]
        )
    )
    assert delivery["attempts"] == 7 and delivery["last_error"] == "HTTP 500" and delivery["next_attempt_at"] is None
    disabled = eventually(lambda: (h := api.get(f"/webhooks/{hook['id']}").json())["status"] == "disabled" and h)
    assert disabled["enabled"] is False and disabled["failing_since"]
    count = len(scripted_server.requests)
    send(api, "bob@example.com", "k2")
    time.sleep(0.2)
    assert len(scripted_server.requests) == count == 7
    assert api.get(f"/webhooks/{hook['id']}/deliveries").headers["X-Total-Count"] == "1"


def test_an_unreachable_endpoint_never_fails_a_send(api):
    hook = create_webhook(api, "http://127.0.0.1:9/nothing-listens-here", ["email.sent"])
    assert send(api, "ada@example.com", "k1")["status"] == "queued"
    delivery = eventually(
        lambda: (rows := api.get(f"/webhooks/{hook['id']}/deliveries").json()) and rows[0]["attempts"] and rows[0]
    )
    assert delivery["status"] == "pending" and delivery["last_error"] == "connection refused"
    assert delivery["next_attempt_at"] > delivery["created_at"]
    assert api.get(f"/webhooks/{hook['id']}").json()["status"] == "failing"


def test_test_events_reach_even_a_disabled_endpoint(api, scripted_server):
    hook = create_webhook(api, scripted_server.root + "/hook", ["email.sent"], enabled=False)
    response = api.post(f"/webhooks/{hook['id']}/test", json={"type": "email.bounced"})
    assert response.status_code == 201 and response.json()["status"] == "pending"
    event = eventually(lambda: verified(scripted_server, hook["secret"]))[0]
    assert event["type"] == "email.bounced" and event["data"]["test"] is True
    assert event["data"]["message_id"] is None and event["data"]["bounce"]["type"] == "hard"
    assert api.post(f"/webhooks/{hook['id']}/test").status_code == 201  # type defaults to email.delivered
    assert (
        "type"
        in assert_error(api.post(f"/webhooks/{hook['id']}/test", json={"type": "sms.sent"}), 422)["validation_errors"]
    )
    assert_error(api.post("/webhooks/999/test"), 404)
    assert_error(api.get("/webhooks/999/deliveries"), 404)


def test_deliveries_are_paginated_25_a_page_and_filtered(api, scripted_server):
    api.sb.configure(engagement={"bounce": 0.0})  # every one delivered
    hook = create_webhook(api, scripted_server.root + "/hook", ["email.sent", "email.delivered"])
    for index in range(13):
        send(api, f"person{index}@example.com", f"k{index}")
    eventually(lambda: len(scripted_server.requests) == 26)
    page = api.get(f"/webhooks/{hook['id']}/deliveries")
    assert page.headers["X-Total-Count"] == "26" and len(page.json()) == 25 and page.headers["X-Next-Page"] == "2"
    sent = api.get(f"/webhooks/{hook['id']}/deliveries", params={"event_type": "email.sent"})
    assert sent.headers["X-Total-Count"] == "13"
    assert (
        "status"
        in assert_error(api.get(f"/webhooks/{hook['id']}/deliveries", params={"status": "x"}), 422)["validation_errors"]
    )


def test_stopping_the_sandbox_stops_delivery_threads(make_sandbox):
    sb = make_sandbox(contacts=10, webhook_time_scale=1)  # a retry in a real minute: still pending at stop
    api = Api(sb)
    create_webhook(api, "http://127.0.0.1:9/nothing", ["email.sent"])
    send(api, "ada@example.com", "k1")
    eventually(lambda: api.get("/webhooks/1/deliveries").json()[0]["attempts"])
    started = time.monotonic()
    sb.stop()
    assert time.monotonic() - started < 3
    assert not [t for t in threading.enumerate() if t.name == "nitrosend-webhooks" and t.is_alive()]


def test_webhooks_and_their_events_belong_to_one_brand(api, scripted_server):
    roastery, cafe = (brand["sid"] for brand in api.get("/brands").json())
    mine = create_webhook(api, scripted_server.root + "/roastery", ["email.sent"])
    response = api.post(
        "/webhooks",
        json={"url": scripted_server.root + "/cafe", "events": ["email.sent"]},
        headers={"X-Brand-SID": cafe},
    )
    assert response.status_code == 201, response.text
    theirs = response.json()
    seeded = [h["id"] for h in api.get("/webhooks").json() if h["url"] == "https://hooks.acme.test/nitrosend"]
    assert sorted(h["id"] for h in api.get("/webhooks").json()) == sorted([mine["id"], *seeded]) and len(seeded) == 1
    assert [h["id"] for h in api.get("/webhooks", headers={"X-Brand-SID": cafe}).json()] == [theirs["id"]]
    assert_error(api.get(f"/webhooks/{theirs['id']}"), 404)
    assert_error(api.get(f"/webhooks/{theirs['id']}/deliveries"), 404)
    for index in range(8):  # the limit of 10 counts the cafe's webhook only for the cafe (and the seeded one)
        create_webhook(api, f"http://localhost:9/hook{index}", ["email.delivered"])
    assert_error(api.post("/webhooks", json={"url": "http://localhost:9/x", "events": ["email.sent"]}), 422)
    sent = api.post(
        "/messages",
        json={"channel": "email", "to": "guest@example.com", "subject": "Hi", "html": "<p>Hi</p>"},
        headers={"Idempotency-Key": "cafe-1", "X-Brand-SID": cafe},
    )
    assert sent.status_code == 201, sent.text
    eventually(lambda: scripted_server.requests)
    time.sleep(0.2)
    assert [r["path"] for r in scripted_server.requests] == ["/cafe"]
    assert verified(scripted_server, theirs["secret"])[0]["data"]["message_id"] == sent.json()["id"]
    assert api.get(f"/webhooks/{mine['id']}/deliveries", headers={"X-Brand-SID": roastery}).json() == []


def test_a_refused_send_gives_email_failed_with_the_message_reason(api, scripted_server):
    hook = create_webhook(api, scripted_server.root + "/hook")
    message = send(api, "nobody@bounce.invalid", "k-invalid")
    assert message["status"] == "failed"
    event = eventually(lambda: verified(scripted_server, hook["secret"]))[0]
    time.sleep(0.1)
    assert len(scripted_server.requests) == 1 and event["type"] == "email.failed"
    assert (
        event["data"]["failure"]
        == {
            "code": message["failure_code"],
            "reason": message["failure_reason"],
            "category": message["failure_category"],
        }
        and message["failure_code"]
    )


def test_a_bounced_send_gives_sent_then_bounced_and_a_suppressed_one_failed(api, scripted_server):
    hook = create_webhook(api, scripted_server.root + "/hook")
    bounced = send(api, "gone@bounce.test", "k-bounce")  # hard-bounces: failed, and the address is suppressed
    again = send(api, "gone@bounce.test", "k-bounce-again")  # never leaves: the address is suppressed
    events = eventually(lambda: (got := verified(scripted_server, hook["secret"])) and len(got) >= 3 and got)
    time.sleep(0.1)
    by_message = {}
    for event in events:
        by_message.setdefault(event["data"]["message_id"], []).append(event)
    first = api.get(f"/messages/{bounced['id']}").json()
    assert (first["status"], first["failure_code"]) == ("failed", "hard_bounce")
    sent, bounce = sorted(by_message[bounced["id"]], key=lambda e: e["timestamp"])  # delivered in any order
    assert (sent["type"], bounce["type"], bounce["data"]["bounce"]["type"]) == ("email.sent", "email.bounced", "hard")
    second = api.get(f"/messages/{again['id']}").json()
    assert (second["status"], second["failure_code"]) == ("failed", "suppressed")
    (failed,) = by_message[again["id"]]
    assert failed["type"] == "email.failed" and failed["data"]["failure"]["code"] == "suppressed"
    assert len(scripted_server.requests) == 3
