"""Events over HTTP: tracking with the Idempotency-Key rule, validation, every list filter and the time window,
get/delete, and flows started by events."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sandbox_helpers import Api, email_of

from nitrosend_nb.sandbox.store import iso, parse_iso

EVENT_FIELDS = {
    "id",
    "event",
    "amount",
    "data",
    "resource_uid",
    "resource_name",
    "resource_url",
    "idempotency_key",
    "test",
    "ip",
    "user_agent",
    "browser",
    "os",
    "device_type",
    "referrer",
    "utm_source",
    "utm_medium",
    "utm_term",
    "utm_content",
    "utm_campaign",
    "chain_depth",
    "generated",
    "contact_id",
    "account_id",
    "created_at",
    "updated_at",
}
TEXT_FILTERS = (
    "event",
    "resource_uid",
    "resource_name",
    "resource_url",
    "utm_source",
    "utm_medium",
    "utm_term",
    "utm_content",
    "utm_campaign",
    "browser",
    "os",
    "device_type",
)


def all_events(api: Api, **params) -> list[dict]:
    """Every event matching ``params`` (pages of 100)."""
    found, page = [], 1
    while True:
        response = api.get("/events", params={**params, "page": page, "limit": 100})
        assert response.status_code == 200, response.text
        found += response.json()
        if "X-Next-Page" not in response.headers:
            return found
        page += 1


def track(api: Api, key: str | None = None, **body):
    """POST /events with ``key`` as the Idempotency-Key header (when given)."""
    return api.post("/events", json=body, headers={"Idempotency-Key": key} if key else {})


def validation_errors(response) -> dict:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] is True and body["message"]
    return body["validation_errors"]


@pytest.fixture(scope="module")
def seeded(api) -> list[dict]:
    return all_events(api)


# -- the seeded events and the list ---------------------------------------------------------------------------
def test_seeded_events_are_orders_sign_ups_and_page_views_with_every_field(seeded, api):
    kinds = Counter(e["event"] for e in seeded)
    assert {"order_placed", "signed_up", "page_viewed"} <= set(kinds)
    assert all(set(e) == EVENT_FIELDS for e in seeded)
    orders = [e for e in seeded if e["event"] == "order_placed"]
    assert all(isinstance(e["amount"], float) and e["amount"] > 0 for e in orders)
    campaigns = {c["name"] for c in api.get("/campaigns", params={"limit": 100}).json()}
    slugs = {name.lower().replace(" ", "-") for name in campaigns}
    attributed = {e["utm_campaign"] for e in orders if e["utm_campaign"]}
    assert attributed and attributed <= slugs  # utm_campaign names real campaigns


def test_list_is_newest_first_25_per_page_by_default(api, seeded):
    response = api.get("/events")
    assert len(response.json()) == 25 and response.headers["X-Total-Count"] == str(len(seeded))
    ids = [e["id"] for e in response.json()]
    assert ids == sorted(ids, reverse=True)


@pytest.mark.parametrize("name", TEXT_FILTERS)
def test_every_text_filter_keeps_exactly_the_matching_events(api, seeded, name):
    values = Counter(e[name] for e in seeded if e[name] is not None)
    assert values, f"the seed has no event with a {name}"
    value, count = values.most_common(1)[0]
    found = all_events(api, **{name: value})
    assert len(found) == count and all(e[name] == value for e in found)


def test_contact_amount_and_test_filters(api, seeded):
    contact_id = Counter(e["contact_id"] for e in seeded).most_common(1)[0][0]
    assert {e["id"] for e in all_events(api, contact_id=contact_id)} == {
        e["id"] for e in seeded if e["contact_id"] == contact_id
    }
    amount = next(e["amount"] for e in seeded if e["amount"] is not None)
    assert {e["id"] for e in all_events(api, amount=amount)} == {e["id"] for e in seeded if e["amount"] == amount}
    tests = [e["id"] for e in seeded if e["test"]]
    assert tests and [e["id"] for e in all_events(api, test="true")] == tests
    assert len(all_events(api, test="false")) == len(seeded) - len(tests)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"contact_id": "x"}, "contact_id"),
        ({"amount": "lots"}, "amount"),
        ({"test": "maybe"}, "test"),
        ({"created_after": "yesterday"}, "created_after"),
        ({"created_before": "2026-13-01"}, "created_before"),
    ],
)
def test_a_malformed_filter_is_a_422_naming_it(api, params, field):
    assert field in validation_errors(api.get("/events", params=params))


def test_created_after_is_inclusive_and_created_before_exclusive(api, seeded):
    stamp = seeded[len(seeded) // 2]["created_at"]
    after = {e["id"] for e in all_events(api, created_after=stamp)}
    before = {e["id"] for e in all_events(api, created_before=stamp)}
    assert after == {e["id"] for e in seeded if e["created_at"] >= stamp}
    assert before == {e["id"] for e in seeded if e["created_at"] < stamp}
    assert after.isdisjoint(before) and len(after | before) == len(seeded)  # windows tile without gap or overlap
    half = iso(parse_iso(stamp)).replace("Z", ".5Z")  # half a second later
    assert {e["id"] for e in all_events(api, created_after=half)} == {
        e["id"] for e in seeded if e["created_at"] > stamp
    }
    assert {e["id"] for e in all_events(api, created_before=half)} == {
        e["id"] for e in seeded if e["created_at"] <= stamp
    }
    offset = (parse_iso(stamp) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+02:00")  # the same instant
    assert {e["id"] for e in all_events(api, created_after=offset)} == after


def test_a_window_combines_with_other_filters(api, seeded):
    orders = [e for e in seeded if e["event"] == "order_placed"]
    start, end = orders[5]["created_at"], orders[-5]["created_at"]
    found = all_events(api, event="order_placed", created_after=start, created_before=end)
    assert {e["id"] for e in found} == {e["id"] for e in orders if start <= e["created_at"] < end}


# -- tracking -------------------------------------------------------------------------------------------------
def test_tracking_needs_an_idempotency_key(fresh_api):
    before = fresh_api.get("/events").headers["X-Total-Count"]
    assert "idempotency_key" in validation_errors(track(fresh_api, event="order_placed", contact_id=1))
    assert fresh_api.get("/events").headers["X-Total-Count"] == before


def test_same_event_and_key_returns_the_stored_event(fresh_api):
    first = track(
        fresh_api,
        "order-1",
        event="order_placed",
        contact_id=1,
        amount=25.5,
        data={"order": {"id": 1}},
        utm_campaign="spring-sale",
    )
    assert first.status_code == 201, first.text
    event = first.json()
    assert set(event) == EVENT_FIELDS and event["idempotency_key"] == "order-1"
    assert event["amount"] == 25.5 and event["utm_campaign"] == "spring-sale" and event["contact_id"] == 1
    assert event["generated"] is False and event["chain_depth"] == 0 and event["test"] is False
    total = fresh_api.get("/events").headers["X-Total-Count"]
    again = track(fresh_api, "order-1", event="order_placed", contact_id=1, amount=99)  # a retry, even changed
    assert again.status_code == 200 and again.json() == event
    in_body = fresh_api.post("/events", json={"event": "order_placed", "contact_id": 1, "idempotency_key": "order-1"})
    assert in_body.status_code == 200 and in_body.json()["id"] == event["id"]
    assert fresh_api.get("/events").headers["X-Total-Count"] == total
    other_name = track(fresh_api, "order-1", event="order_refunded", contact_id=1)
    assert other_name.status_code == 201 and other_name.json()["id"] != event["id"]


def test_concurrent_duplicates_create_exactly_one_event(fresh_api):
    before = int(fresh_api.get("/events").headers["X-Total-Count"])
    results, barrier = [], threading.Barrier(12)

    def worker():
        api = Api(fresh_api.sb)
        barrier.wait()
        response = track(api, "checkout-42", event="order_placed", contact_id=3, amount=10)
        results.append((response.status_code, response.json()["id"]))

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in results) == [200] * 11 + [201]
    assert len({ident for _, ident in results}) == 1
    assert int(fresh_api.get("/events").headers["X-Total-Count"]) == before + 1


def test_contact_by_email_and_unknown_contacts(fresh_api):
    contact = fresh_api.get("/contacts/7").json()
    found = track(fresh_api, "k1", event="signed_up", contact_email=email_of(contact).upper())
    assert found.status_code == 201 and found.json()["contact_id"] == 7
    assert "contact_id" in validation_errors(track(fresh_api, "k2", event="signed_up", contact_id=999999))
    assert "contact_email" in validation_errors(
        track(fresh_api, "k3", event="signed_up", contact_email="nobody@nowhere.test")
    )
    assert "contact_id" in validation_errors(track(fresh_api, "k4", event="signed_up"))
    assert "contact_email" in validation_errors(track(fresh_api, "k5", event="signed_up", contact_email="not-an-email"))


@pytest.mark.parametrize("name", ["Order", "1st_order", "order-placed", "order placed", "", "a" * 65])
def test_event_names_follow_the_pattern(fresh_api, name):
    assert "event" in validation_errors(track(fresh_api, "k", event=name, contact_id=1))


def test_the_longest_name_and_data_of_32_kb_are_accepted_but_not_more(fresh_api):
    assert track(fresh_api, "long", event="a" * 64, contact_id=1).status_code == 201
    filler = "x" * (32 * 1024 - len('{"blob":""}'))
    assert track(fresh_api, "fits", event="big", contact_id=1, data={"blob": filler}).status_code == 201
    assert "data" in validation_errors(
        track(fresh_api, "too-big", event="big", contact_id=1, data={"blob": filler + "x"})
    )
    assert "Idempotency-Key" in validation_errors(track(fresh_api, "k" * 129, event="big", contact_id=1))


def test_get_and_delete_one_event(fresh_api):
    event = track(fresh_api, "del", event="page_viewed", contact_id=2, resource_url="https://acme.test/").json()
    assert fresh_api.get(f"/events/{event['id']}").json() == event
    deleted = fresh_api.delete(f"/events/{event['id']}")
    assert deleted.status_code == 200 and deleted.json() == event
    assert fresh_api.get(f"/events/{event['id']}").status_code == 404
    assert fresh_api.delete(f"/events/{event['id']}").status_code == 404


def test_a_tracked_event_is_listed_by_the_time_window_it_falls_in(fresh_api):
    event = track(fresh_api, "window", event="order_placed", contact_id=4, amount=12.0).json()
    ids = [e["id"] for e in all_events(fresh_api, created_after=event["created_at"])]
    assert event["id"] in ids
    assert event["id"] not in [e["id"] for e in all_events(fresh_api, created_before=event["created_at"])]


# -- flows started by events ----------------------------------------------------------------------------------
THANKS = {
    "name": "Order thanks",
    "status": "live",
    "trigger": {"event": "order_placed"},
    "steps": [
        {"type": "wait", "duration": 3600},
        {
            "type": "email",
            "subject": "Thanks for order {{ event.order.id }}",
            "body": "Hi {{ contact.first_name }}, your total is {{ event.order.total }}.",
        },
        {"type": "emit_event", "event_name": "thanks_sent", "forward_event_data": True},
    ],
}


def test_an_event_starts_matching_flows_and_their_emails_use_the_payload(fresh_sandbox, fresh_api):
    flow = fresh_api.post("/flows", json=THANKS).json()
    contact = fresh_api.get("/contacts", params={"limit": 100}).json()
    subscribed = next(c for c in contact if c["subscribed_email"])
    event = track(
        fresh_api,
        "o-9",
        event="order_placed",
        contact_id=subscribed["id"],
        data={"order": {"id": 9, "total": "£18.50"}},
    ).json()
    (email,) = fresh_sandbox.outbox()
    assert email["to"] == email_of(subscribed) and email["subject"] == "Thanks for order 9"
    assert email["text"] == f"Hi {subscribed['first_name']}, your total is £18.50."
    message = fresh_api.get(f"/messages/{email['message_id']}").json()
    assert message["source_type"] == "flow" and message["flow_id"] == flow["id"] and message["status"] == "sent"
    assert fresh_api.get(f"/flows/{flow['id']}").json()["sent_count"] == 1
    (follow_up,) = all_events(fresh_api, event="thanks_sent")
    assert follow_up["generated"] is True and follow_up["chain_depth"] == 1
    assert follow_up["contact_id"] == subscribed["id"] and follow_up["data"] == event["data"]
    again = track(fresh_api, "o-9", event="order_placed", contact_id=subscribed["id"])
    assert again.status_code == 200 and len(fresh_sandbox.outbox()) == 1  # a replay starts nothing


def test_flows_that_do_not_match_stay_quiet(fresh_sandbox, fresh_api):
    fresh_api.post("/flows", json={**THANKS, "status": "paused"})
    fresh_api.post("/flows", json={**THANKS, "trigger": {"event": "order_placed", "contact_list_ids": [3]}})
    fresh_api.post("/flows", json={**THANKS, "trigger": {"event": "cart_abandoned"}})
    outsider = next(
        c
        for c in fresh_api.get("/contacts", params={"limit": 100}).json()
        if 3 not in c["list_ids"] and c["subscribed_email"]
    )
    track(fresh_api, "quiet", event="order_placed", contact_id=outsider["id"], data={"order": {"id": 1}})
    track(fresh_api, "test-run", event="order_placed", contact_id=outsider["id"], test=True)
    assert fresh_sandbox.outbox() == []


def test_a_split_sends_the_branch_the_contact_matches(fresh_sandbox, fresh_api):
    fresh_api.post(
        "/flows",
        json={
            "name": "Split",
            "status": "live",
            "trigger": {"event": "signed_up"},
            "steps": [
                {
                    "type": "split",
                    "filters": [{"name": "contact_country", "predicate": "eq", "value": "GB"}],
                    "yes": [{"type": "email", "subject": "Hello UK"}],
                    "no": [{"type": "email", "subject": "Hello world"}],
                }
            ],
        },
    )
    contacts = [c for c in fresh_api.get("/contacts", params={"limit": 100}).json() if c["subscribed_email"]]
    uk = next(c for c in contacts if c["country_code"] == "GB")
    other = next(c for c in contacts if c["country_code"] != "GB")
    track(fresh_api, "s1", event="signed_up", contact_id=uk["id"])
    track(fresh_api, "s2", event="signed_up", contact_id=other["id"])
    assert [(e["to"], e["subject"]) for e in fresh_sandbox.outbox()] == [
        (email_of(uk), "Hello UK"),
        (email_of(other), "Hello world"),
    ]
