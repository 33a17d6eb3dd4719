"""Brands (/brands by sid) and X-Brand-SID scoping: each brand sees only its own records, creates are stamped with
the request's brand, an unknown SID is a JSON 404 everywhere, and brand-dependent content uses the request's brand."""

from __future__ import annotations

import pytest
from sandbox_helpers import Api, assert_error

LISTED = [
    "/contacts",
    "/lists",
    "/segments",
    "/templates",
    "/campaigns",
    "/flows",
    "/messages?source_type=all",
    "/contacts/search?q=a",
]


def sids(api) -> tuple[str, str]:
    """(roastery sid, cafe sid): the default brand first."""
    roastery, cafe = api.get("/brands").json()
    return roastery["sid"], cafe["sid"]


def ids(api, path: str, sid: str | None) -> set[int]:
    """Every id ``path`` lists for the brand (all pages)."""
    headers = {"X-Brand-SID": sid} if sid else {}
    found, page = set(), 1
    while page:
        response = api.get(path, params={"page": page, "limit": 100}, headers=headers)
        assert response.status_code == 200, response.text
        found |= {doc["id"] for doc in response.json()}
        page = int(response.headers.get("X-Next-Page", 0))
    return found


@pytest.mark.parametrize("path", LISTED)
def test_each_brand_lists_only_its_own_records(api, path):
    roastery, cafe = sids(api)
    mine, theirs = ids(api, path, roastery), ids(api, path, cafe)
    assert mine and theirs and not mine & theirs
    assert ids(api, path, None) == mine  # no header: the default brand


@pytest.mark.parametrize(
    "path", ["/contacts", "/lists", "/segments", "/templates", "/campaigns", "/flows", "/messages"]
)
def test_a_record_of_the_other_brand_is_a_404(api, path):
    roastery, cafe = sids(api)
    other = min(ids(api, path + ("?source_type=all" if path == "/messages" else ""), cafe))
    assert api.get(f"{path}/{other}", headers={"X-Brand-SID": cafe}).status_code == 200
    assert_error(api.get(f"{path}/{other}"), 404)
    assert_error(api.get(f"{path}/{other}", headers={"X-Brand-SID": roastery}), 404)


def test_records_carry_their_brand_id(api):
    for brand in api.get("/brands").json():
        headers = {"X-Brand-SID": brand["sid"]}
        for path in ("/contacts", "/lists", "/segments", "/campaigns", "/flows"):
            assert {doc["brand_id"] for doc in api.get(path, headers=headers).json()} == {brand["id"]}


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/account"),
        ("GET", "/brands"),
        ("GET", "/contacts"),
        ("GET", "/contacts/1"),
        ("POST", "/contacts"),
        ("PATCH", "/lists/1"),
        ("DELETE", "/campaigns/1"),
        ("GET", "/templates"),
        ("POST", "/segments/count"),
        ("GET", "/account/reach?audience=1"),
        ("POST", "/lists/1/contacts/bulk"),
    ],
)
def test_an_unknown_sid_is_a_json_404_for_every_route(api, method, path):
    body = assert_error(api.request(method, path, json={}, headers={"X-Brand-SID": "brd_nope"}), 404)
    assert "brd_nope" in body["message"]


def test_creates_are_stamped_with_the_request_brand_and_stay_there(fresh_api):
    _, cafe = sids(fresh_api)
    cafe_id = fresh_api.get(f"/brands/{cafe}").json()["id"]
    headers = {"X-Brand-SID": cafe}
    contact = fresh_api.post("/contacts", json={"email": "ada@cafe.test"}, headers=headers).json()
    listed = fresh_api.post("/lists", json={"name": "Cafe VIP", "contact_ids": [contact["id"]]}, headers=headers)
    assert contact["brand_id"] == cafe_id and listed.json()["brand_id"] == cafe_id
    assert_error(fresh_api.get(f"/contacts/{contact['id']}"), 404)
    # the same address may exist once per brand; a roastery list cannot take a cafe contact
    assert fresh_api.post("/contacts", json={"email": "ada@cafe.test"}).status_code == 201
    assert_error(fresh_api.post("/contacts", json={"email": "ADA@cafe.test"}, headers=headers), 422)
    refused = fresh_api.post("/lists", json={"name": "Mixed", "contact_ids": [contact["id"]]})
    assert "contact_ids" in assert_error(refused, 422)["validation_errors"]


def test_segment_counts_follow_the_brand(api):
    _, cafe = sids(api)
    everyone = {"filters": []}
    assert api.post("/segments/count", json=everyone).json() == {"count": 250}
    assert api.post("/segments/count", json=everyone, headers={"X-Brand-SID": cafe}).json() == {"count": 50}


def test_sends_use_the_request_brand(fresh_sandbox, fresh_api):
    _, cafe = sids(fresh_api)
    brand = fresh_api.get(f"/brands/{cafe}").json()
    headers = {"X-Brand-SID": cafe, "Idempotency-Key": "cafe-1"}
    sent = fresh_api.post(
        "/messages",
        json={"channel": "email", "to": "guest@example.com", "subject": "Hi", "body": "Table for two"},
        headers=headers,
    )
    assert sent.status_code == 201 and sent.json()["id"] in ids(fresh_api, "/messages", cafe)
    test = fresh_api.post(
        f"/templates/{max(ids(fresh_api, '/templates', cafe))}/send_test",  # has a button
        headers={"X-Brand-SID": cafe, "Idempotency-Key": "cafe-2"},
    ).json()
    assert [r["email"] for r in test["results"]] == brand["test_email_recipients"]
    emails = fresh_sandbox.outbox()
    assert {e["from"] for e in emails} == {f"{brand['email_from_name']} <{brand['email_from_email']}>"}
    designed = [e for e in emails if e["kind"] == "test"]
    assert designed and all(brand["brand_color"] in e["html"] and "Acme Cafe" in e["html"] for e in designed)


def test_brand_crud_and_onboarding(fresh_api):
    created = fresh_api.post(
        "/brands", json={"company_name": "Acme Kiosk", "brand_color": "#112233", "email_from_email": "hi@kiosk.test"}
    )
    assert created.status_code == 201, created.text
    brand = created.json()
    assert brand["sid"].startswith("brd_") and brand["subscribed_contacts_count"] == 0
    assert brand["from_email_domain_status"] == "unverified" and brand["domain_verified"] is False
    assert (brand["sender_configured"], brand["effective_from_email"]) == (False, "sandbox@send.nitrosend.test")
    assert brand["brand_subdomain"]["suggested_subdomain"] == "acme-kiosk"
    assert fresh_api.get(f"/brands/{brand['sid']}").json() == brand
    assert fresh_api.get("/account").json()["billing"]["brands"] == {
        "used": 3,
        "limit": 3,
        "remaining": 0,
        "unlimited": False,
        "can_create": False,
    }
    assert_error(fresh_api.post("/brands", json={"company_name": "One too many"}), 402)
    updated = fresh_api.patch(f"/brands/{brand['sid']}", json={"email_track_opens": False, "radius": 10}).json()
    assert (updated["email_track_opens"], updated["radius"]) == (False, 10)
    assert updated["updated_at"] > brand["updated_at"]
    onboarding = fresh_api.get(f"/brands/{brand['sid']}/onboarding").json()
    assert onboarding == {
        "steps": {
            "brand": "complete",
            "sender": "complete",
            "domain": "pending",
            "contacts": "pending",
            "first_campaign": "pending",
        },
        "progress": {"completed": 2, "total": 5},
    }
    assert fresh_api.get(f"/brands/{brand['sid']}/onboarding").json() == updated["onboarding"]
    # the new brand starts empty and its records are its own
    headers = {"X-Brand-SID": brand["sid"]}
    assert fresh_api.get("/contacts", headers=headers).json() == []
    assert fresh_api.post("/contacts", json={"email": "k@kiosk.test"}, headers=headers).status_code == 201
    deleted = fresh_api.delete(f"/brands/{brand['sid']}")
    assert deleted.status_code == 200 and deleted.json()["sid"] == brand["sid"]
    assert_error(fresh_api.get(f"/brands/{brand['sid']}"), 404)
    assert_error(fresh_api.get("/contacts", headers=headers), 404)
    assert fresh_api.post("/segments/count", json={"filters": []}).json() == {"count": 250}


@pytest.mark.parametrize(
    "payload,field",
    [
        ({}, "company_name"),
        ({"company_name": "x", "brand_color": "blue"}, "brand_color"),
        ({"company_name": "x", "email_from_email": "nope"}, "email_from_email"),
        ({"company_name": "x", "test_email_recipients": ["a@b.co"] * 6}, "test_email_recipients"),
        ({"company_name": "x", "links": [{"url": "javascript:alert(1)"}]}, "links.0.url"),
    ],
)
def test_invalid_brands_are_422_per_field(fresh_api, payload, field):
    assert field in assert_error(fresh_api.post("/brands", json=payload), 422)["validation_errors"]


def test_the_default_brand_cannot_be_deleted(fresh_api):
    roastery, _ = sids(fresh_api)
    body = assert_error(fresh_api.delete(f"/brands/{roastery}"), 409)
    assert "default brand" in body["message"]
    assert fresh_api.get(f"/brands/{roastery}").status_code == 200


def test_deleting_a_brand_removes_what_it_owns(fresh_api):
    roastery, cafe = sids(fresh_api)
    before = {path: ids(fresh_api, path, roastery) for path in LISTED}
    assert fresh_api.delete(f"/brands/{cafe}").status_code == 200
    assert [b["sid"] for b in fresh_api.get("/brands").json()] == [roastery]
    assert {path: ids(fresh_api, path, None) for path in LISTED} == before
    assert fresh_api.get("/account").json()["billing"]["brands"]["used"] == 1


def _walk(api, sid: str, limit: int, **params) -> list[int]:
    """The contact ids of brand ``sid``, page by page at ``limit`` (deep pages are found by the store's id seek)."""
    found, page = [], 1
    while page:
        response = api.get("/contacts", params={"page": page, "limit": limit, **params}, headers={"X-Brand-SID": sid})
        assert response.status_code == 200, response.text
        found += [doc["id"] for doc in response.json()]
        page = int(response.headers.get("X-Next-Page", 0))
    return found


def test_deep_pages_of_two_brands_interleaved_stay_in_their_brand_and_follow_writes(make_sandbox):
    api = Api(make_sandbox(contacts=90))
    brands = sids(api)

    def whole(sid: str, **params) -> list[int]:  # one page from offset 0: a plain query, no seek, no cache
        response = api.get("/contacts", params={"limit": 100, **params}, headers={"X-Brand-SID": sid})
        assert int(response.headers["X-Total-Count"]) <= 100
        return [doc["id"] for doc in response.json()]

    expected = {sid: whole(sid) for sid in brands}
    assert len(expected[brands[0]]) == 90 and len(expected[brands[1]]) == 18
    assert expected[brands[0]] == sorted(expected[brands[0]], reverse=True)
    for limit in (7, 5, 7):  # the same listing walked again reuses the boundaries it remembered
        for sid in (*brands, *reversed(brands)):
            assert _walk(api, sid, limit) == expected[sid]
            assert _walk(api, sid, limit, direction="asc") == expected[sid][::-1]
            assert _walk(api, sid, limit, search="@") == whole(sid, search="@")
    newest = api.post("/contacts", json={"email": "late@example.test"}, headers={"X-Brand-SID": brands[1]}).json()
    gone = expected[brands[0]][40]
    assert api.delete(f"/contacts/{gone}", headers={"X-Brand-SID": brands[0]}).status_code == 200
    assert _walk(api, brands[1], 7) == [newest["id"], *expected[brands[1]]]
    assert _walk(api, brands[0], 7) == [cid for cid in expected[brands[0]] if cid != gone]
    assert _walk(api, brands[0], 7, direction="asc") == [cid for cid in expected[brands[0]][::-1] if cid != gone]
