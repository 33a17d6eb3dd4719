"""POST /lists/{id}/contacts/bulk: add or remove the brand's contacts by email."""

from __future__ import annotations

import pytest
from sandbox_helpers import assert_error, email_of


def contacts_of(api, headers=None) -> list[dict]:
    return api.get("/contacts", params={"limit": 100}, headers=headers or {}).json()


def test_add_then_remove_by_email(fresh_api):
    listed = fresh_api.post("/lists", json={"name": "Bulk"}).json()
    first, second, third = (email_of(c) for c in contacts_of(fresh_api)[:3])
    added = fresh_api.post(
        f"/lists/{listed['id']}/contacts/bulk",
        json={"action": "add", "emails": [first, second.upper(), "nobody@nowhere.test", first]},
    )
    assert added.status_code == 200, added.text
    assert added.json() == {
        "list_id": listed["id"],
        "action": "add",
        "added": [first, second.upper()],
        "removed": [],
        "unchanged": [],
        "not_found": ["nobody@nowhere.test"],
        "contacts_count": 2,
    }
    again = fresh_api.post(
        f"/lists/{listed['id']}/contacts/bulk", json={"action": "add", "emails": [first, third]}
    ).json()
    assert again["added"] == [third] and again["unchanged"] == [first] and again["contacts_count"] == 3
    removed = fresh_api.post(
        f"/lists/{listed['id']}/contacts/bulk", json={"action": "remove", "emails": [second, "nobody@nowhere.test"]}
    ).json()
    assert removed["removed"] == [second] and removed["added"] == [] and removed["contacts_count"] == 2
    members = fresh_api.get("/contacts", params={"list_id": listed["id"]}).json()
    assert sorted(email_of(c) for c in members) == sorted([first, third])
    assert fresh_api.get(f"/lists/{listed['id']}").json()["contacts_count"] == 2


def test_only_the_request_brands_contacts_match(fresh_api):
    cafe = fresh_api.get("/brands").json()[1]["sid"]
    cafe_email = email_of(contacts_of(fresh_api, {"X-Brand-SID": cafe})[0])
    listed = fresh_api.post("/lists", json={"name": "Roastery only"}).json()
    result = fresh_api.post(f"/lists/{listed['id']}/contacts/bulk", json={"action": "add", "emails": [cafe_email]})
    assert result.json()["not_found"] == [cafe_email] and result.json()["contacts_count"] == 0
    assert_error(
        fresh_api.post(
            f"/lists/{listed['id']}/contacts/bulk",
            json={"action": "add", "emails": [cafe_email]},
            headers={"X-Brand-SID": cafe},
        ),
        404,
    )


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"action": "add", "emails": ["ok@example.com", "not-an-email"]}, "emails.1"),
        ({"action": "merge", "emails": ["ok@example.com"]}, "action"),
        ({"action": "add", "emails": []}, "emails"),
        ({"action": "add", "emails": ["a@example.com"] * 1001}, "emails"),
        ({"emails": ["ok@example.com"]}, "action"),
    ],
)
def test_bad_bodies_are_422_and_change_nothing(fresh_api, payload, field):
    before = fresh_api.get("/lists/1").json()
    assert field in assert_error(fresh_api.post("/lists/1/contacts/bulk", json=payload), 422)["validation_errors"]
    assert fresh_api.get("/lists/1").json() == before


def test_unknown_list_is_404(fresh_api):
    assert_error(fresh_api.post("/lists/999999/contacts/bulk", json={"action": "add", "emails": ["a@b.co"]}), 404)
