"""Lists (live contacts_count, static or segment-populated) and segments (filters evaluated for real)."""

from __future__ import annotations

import pytest
from sandbox_helpers import assert_error, email_of


@pytest.fixture(scope="module")
def all_contacts(api) -> list[dict]:
    """Every contact of the shared sandbox."""
    return [c for page in (1, 2, 3) for c in api.get("/contacts", params={"page": page, "limit": 100}).json()]


def field(contact: dict, name: str):
    """Reference reading of a filter field, independent of the server's SQL."""
    phone = next((c["value"] for c in contact["channels"] if c["kind"] == "phone"), None)
    return {
        "contact_email": email_of(contact),
        "contact_first_name": contact["first_name"],
        "contact_country": contact["country_code"],
        "contact_created_at": contact["created_at"],
        "contact_subscribed_email": contact["subscribed_email"],
        "contact_phone_number": phone,
        "contact_tag": contact["data"]["tags"],
    }[name]


def matches(contact: dict, name: str, predicate: str, value) -> bool:
    """Reference semantics of each predicate (text compared case-insensitively)."""
    actual = field(contact, name)
    if name == "contact_tag":
        tags = [t.lower() for t in actual]
        tag_checks = {
            "eq": lambda: value in tags,
            "not_eq": lambda: value not in tags,
            "in": lambda: bool(set(value) & set(tags)),
            "not_in": lambda: not set(value) & set(tags),
            "cont": lambda: any(value in t for t in tags),
            "present": lambda: bool(tags),
            "blank": lambda: not tags,
        }
        return tag_checks[predicate]()
    low = actual.lower() if isinstance(actual, str) else actual
    checks = {
        "eq": lambda: low == str(value).lower(),
        "not_eq": lambda: low != str(value).lower(),
        "cont": lambda: value.lower() in (low or ""),
        "not_cont": lambda: value.lower() not in (low or ""),
        "start": lambda: (low or "").startswith(value.lower()),
        "end": lambda: (low or "").endswith(value.lower()),
        "gt": lambda: actual > value,
        "lt": lambda: actual < value,
        "gteq": lambda: actual >= value,
        "lteq": lambda: actual <= value,
        "present": lambda: bool(actual),
        "blank": lambda: not actual,
        "true": lambda: actual is True,
        "false": lambda: actual is not True,
        "in": lambda: low in [v.lower() for v in value],
        "not_in": lambda: low not in [v.lower() for v in value],
    }
    return checks[predicate]()


CASES = [
    ("contact_email", "eq", "ADA.LOVELACE.1@EXAMPLE.ORG"),
    ("contact_email", "end", "@gmail.com"),
    ("contact_email", "not_cont", "gmail"),
    ("contact_first_name", "cont", "an"),
    ("contact_first_name", "start", "a"),
    ("contact_first_name", "not_eq", "Ada"),
    ("contact_first_name", "blank", True),
    ("contact_first_name", "present", True),
    ("contact_phone_number", "present", True),
    ("contact_phone_number", "blank", True),
    ("contact_created_at", "gt", "2026-06-01T00:00:00Z"),
    ("contact_created_at", "lt", "2026-03-01T00:00:00Z"),
    ("contact_created_at", "gteq", "2026-08-01T00:00:00Z"),
    ("contact_created_at", "lteq", "2026-01-15T00:00:00Z"),
    ("contact_subscribed_email", "true", True),
    ("contact_subscribed_email", "false", True),
    ("contact_country", "in", ["GB", "us"]),
    ("contact_country", "not_in", ["GB", "US"]),
    ("contact_country", "eq", "de"),
    ("contact_tag", "eq", "vip"),
    ("contact_tag", "not_eq", "vip"),
    ("contact_tag", "in", ["beta", "trial"]),
    ("contact_tag", "not_in", ["beta", "trial"]),
    ("contact_tag", "cont", "ta"),
    ("contact_tag", "present", True),
    ("contact_tag", "blank", True),
]


@pytest.mark.parametrize("name,predicate,value", CASES)
def test_count_matches_reference_semantics(api, all_contacts, name, predicate, value):
    expected = sum(matches(c, name, predicate, value) for c in all_contacts)
    count = api.post("/segments/count", json={"filters": [{"name": name, "predicate": predicate, "value": value}]})
    assert count.json() == {"count": expected}


def test_the_case_table_exercises_non_trivial_counts(api, all_contacts):
    counts = [sum(matches(c, *case) for c in all_contacts) for case in CASES]
    assert sum(0 < n < len(all_contacts) for n in counts) >= len(CASES) - 3


def test_filters_are_anded(api, all_contacts):
    filters = [
        {"name": "contact_country", "predicate": "eq", "value": "GB"},
        {"name": "contact_subscribed_email", "predicate": "true", "value": True},
    ]
    expected = sum(c["country_code"] == "GB" and c["subscribed_email"] for c in all_contacts)
    assert api.post("/segments/count", json={"filters": filters}).json()["count"] == expected > 0


def test_no_filters_count_everyone(api):
    assert api.post("/segments/count", json={"filters": []}).json() == {"count": 250}


@pytest.mark.parametrize(
    "item,field_name",
    [
        ({"name": "contact_shoe_size", "predicate": "eq", "value": 1}, "filters.0.name"),
        ({"name": "contact_email", "predicate": "like", "value": "x"}, "filters.0.predicate"),
        ({"name": "contact_created_at", "predicate": "gt", "value": "last week"}, "filters.0.value"),
        ({"name": "contact_subscribed_email", "predicate": "eq", "value": "maybe"}, "filters.0.value"),
    ],
)
def test_bad_filters_are_422(api, item, field_name):
    body = assert_error(api.post("/segments/count", json={"filters": [item]}), 422)
    assert field_name in body["validation_errors"]


def test_segment_crud(fresh_api):
    filters = [{"name": "contact_tag", "predicate": "eq", "value": "beta"}]
    segment = fresh_api.post("/segments", json={"name": "Beta", "filters": filters})
    assert segment.status_code == 201 and segment.json()["filters"] == filters
    sid = segment.json()["id"]
    assert sid in [s["id"] for s in fresh_api.get("/segments").json()]
    renamed = fresh_api.patch(f"/segments/{sid}", json={"name": "Beta testers"}).json()
    assert renamed["name"] == "Beta testers" and renamed["filters"] == filters
    assert_error(
        fresh_api.patch(f"/segments/{sid}", json={"filters": [{"name": "x", "predicate": "eq", "value": 1}]}), 422
    )
    assert fresh_api.delete(f"/segments/{sid}").json()["name"] == "Beta testers"
    assert_error(fresh_api.get(f"/segments/{sid}"), 404)


def test_list_crud_with_contacts_count(fresh_api):
    created = fresh_api.post("/lists", json={"name": "Hand picked", "contact_ids": [1, 2, 3, 3]})
    assert created.status_code == 201 and created.json()["contacts_count"] == 3
    lid = created.json()["id"]
    assert lid in fresh_api.get("/contacts/2").json()["list_ids"]
    updated = fresh_api.patch(f"/lists/{lid}", json={"name": "Picked", "contact_ids": [4]}).json()
    assert updated["name"] == "Picked" and updated["contacts_count"] == 1
    fresh_api.patch("/contacts/5", json={"list_ids": [lid]})
    assert fresh_api.get(f"/lists/{lid}").json()["contacts_count"] == 2
    deleted = fresh_api.delete(f"/lists/{lid}").json()
    assert deleted["contacts_count"] == 2 and lid not in fresh_api.get("/contacts/4").json()["list_ids"]


def test_list_from_a_segment_is_populated(fresh_api):
    expected = fresh_api.post("/segments/count", json={"filters": fresh_api.get("/segments/3").json()["filters"]})
    created = fresh_api.post("/lists", json={"name": "VIPs", "segment_id": 3}).json()
    assert created["contacts_count"] == expected.json()["count"] > 0
    assert created["segment_id"] == 3 and created["last_populated_at"] == created["created_at"]


@pytest.mark.parametrize(
    "payload,field_name",
    [
        ({"name": "x", "contact_ids": [9999]}, "contact_ids"),
        ({"name": "x", "segment_id": 9999}, "segment_id"),
        ({"name": ""}, "name"),
    ],
)
def test_list_validation(fresh_api, payload, field_name):
    assert field_name in assert_error(fresh_api.post("/lists", json=payload), 422)["validation_errors"]


def test_seeded_lists_counts_agree_with_the_list_id_filter(api):
    for item in api.get("/lists").json():
        total = api.get("/contacts", params={"list_id": item["id"], "limit": 1}).headers["X-Total-Count"]
        assert int(total) == item["contacts_count"]
