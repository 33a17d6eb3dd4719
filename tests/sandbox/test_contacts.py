"""Contacts: filters, search, create/get/update/delete, channels, subscriptions and list memberships."""

from __future__ import annotations

from sandbox_helpers import assert_error, email_of, every


def test_contact_shape_and_email_channel(api):
    contact = api.get("/contacts/1").json()
    assert contact["id"] == 1 and contact["uuid"] and isinstance(contact["data"]["tags"], list)
    email = email_of(contact)
    assert email and "@" in email
    channel = next(c for c in contact["channels"] if c["kind"] == "email")
    assert channel["contact_id"] == 1 and channel["subscribed"] == contact["subscribed_email"]


def test_search_matches_name_email_and_phone(api):
    target = api.get("/contacts/7").json()
    for term in (target["last_name"], email_of(target).split("@")[0], f"{target['first_name']} {target['last_name']}"):
        found = api.get("/contacts", params={"search": term, "limit": 100}).json()
        assert 7 in [c["id"] for c in found]
        assert all(
            term.lower() in (f"{c['first_name']} {c['last_name']} " + (email_of(c) or "")).lower() for c in found
        )


def test_search_endpoint_of_the_seed_table_matches_search_param(api):
    via_q = api.get("/contacts/search", params={"q": "turing", "limit": 100})
    via_search = api.get("/contacts", params={"search": "turing", "limit": 100})
    assert via_q.json() == via_search.json() and via_q.headers["X-Total-Count"] == via_search.headers["X-Total-Count"]
    assert int(via_q.headers["X-Total-Count"]) > 0


def test_search_endpoint_requires_q(api):
    assert "q" in assert_error(api.get("/contacts/search"), 422)["validation_errors"]


def test_search_without_match_is_empty(api):
    response = api.get("/contacts", params={"search": "zzzz-nobody"})
    assert response.json() == [] and response.headers["X-Total-Count"] == "0"


def test_list_id_filter(api):
    vip = api.get("/lists/3").json()
    members = api.get("/contacts", params={"list_id": 3, "limit": 100}).json()
    assert len(members) == vip["contacts_count"] > 0
    assert all(3 in c["list_ids"] for c in members)


def test_tag_filter(api):
    tagged = api.get("/contacts", params={"tag": "vip", "limit": 100})
    assert int(tagged.headers["X-Total-Count"]) > 0
    assert all("vip" in c["data"]["tags"] for c in tagged.json())


def test_sort_and_direction(api):
    names = [
        c["last_name"]
        for c in api.get("/contacts", params={"sort": "last_name", "direction": "asc", "limit": 100}).json()
    ]
    assert names == sorted(names)
    stamps = [c["created_at"] for c in api.get("/contacts", params={"sort": "created_at"}).json()]
    assert stamps == sorted(stamps, reverse=True)


def test_bad_sort_is_422(api):
    assert "sort" in assert_error(api.get("/contacts", params={"sort": "shoe_size"}), 422)["validation_errors"]
    assert "direction" in assert_error(api.get("/contacts", params={"direction": "up"}), 422)["validation_errors"]


def test_create_get_update_delete(fresh_api):
    created = fresh_api.post(
        "/contacts",
        json={
            "email": "grace@navy.test",
            "first_name": "Grace",
            "last_name": "Hopper",
            "phone": "+15555550100",
            "country_code": "us",
            "source": "api",
            "list_ids": [1, 3],
            "data": {"tags": ["vip"], "rank": "admiral"},
            "opt_in": True,
        },
    )
    assert created.status_code == 201, created.text
    contact = created.json()
    assert contact["id"] == 301 and contact["country_code"] == "US" and contact["list_ids"] == [1, 3]
    assert contact["subscribed_email"] is True and contact["subscribed_phone"] is True
    assert {c["kind"]: c["value"] for c in contact["channels"]} == {"email": "grace@navy.test", "phone": "+15555550100"}
    assert fresh_api.get("/contacts/301").json() == contact

    updated = fresh_api.patch(
        "/contacts/301",
        json={"last_name": "Hopper-Murray", "subscribed_email": False, "list_ids": [2], "data": {"ship": "USS Hopper"}},
    ).json()
    assert updated["last_name"] == "Hopper-Murray" and updated["first_name"] == "Grace"
    assert updated["subscribed_email"] is False and updated["list_ids"] == [2]
    assert updated["data"] == {"tags": ["vip"], "rank": "admiral", "ship": "USS Hopper"}
    email_channel = next(c for c in updated["channels"] if c["kind"] == "email")
    assert email_channel["subscribed"] is False and email_channel["opt_out_at"] == updated["updated_at"]
    assert updated["updated_at"] > contact["updated_at"]

    deleted = fresh_api.delete("/contacts/301")
    assert deleted.status_code == 200 and deleted.json()["id"] == 301
    assert_error(fresh_api.get("/contacts/301"), 404)


def test_a_page_is_byte_for_byte_the_contacts_one_by_one_after_every_kind_of_write(fresh_api):
    created = fresh_api.post(
        "/contacts", json={"email": "ada@engine.test", "phone": "+15555550101", "list_ids": [2], "data": {"n": 1}}
    ).json()
    fresh_api.patch(f"/contacts/{created['id']}", json={"last_name": "Lovelace", "list_ids": [1, 3]})
    fresh_api.patch("/contacts/5", json={"channels_attributes": [{"kind": "phone", "value": "+33612345678"}]})
    six = email_of(fresh_api.get("/contacts/6").json())
    fresh_api.post("/lists/2/contacts/bulk", json={"action": "add", "emails": [six]}).raise_for_status()
    fresh_api.post("/lists/2/contacts/bulk", json={"action": "remove", "emails": ["ada@engine.test"]})
    fresh_api.delete("/lists/3").raise_for_status()  # its members lose it
    assert fresh_api.get(f"/contacts/{created['id']}").json()["list_ids"] == [1]
    seen = set()
    for direction in ("desc", "asc"):  # the newest contacts, then the oldest
        page = fresh_api.get("/contacts", params={"limit": 100, "direction": direction})
        ids = [c["id"] for c in page.json()]
        singles = [fresh_api.get(f"/contacts/{ident}").content for ident in ids]
        assert page.content == b"[" + b",".join(singles) + b"]"
        seen.update(ids)
    assert {created["id"], 5, 6} <= seen


def test_membership_is_dropped_with_the_contact(fresh_api):
    before = fresh_api.get("/lists/1").json()["contacts_count"]
    member = fresh_api.get("/contacts", params={"list_id": 1, "limit": 1}).json()[0]
    fresh_api.delete(f"/contacts/{member['id']}")
    assert fresh_api.get("/lists/1").json()["contacts_count"] == before - 1


def test_phone_only_contact(fresh_api):
    contact = fresh_api.post("/contacts", json={"phone": "+447700900123", "first_name": "Sam"}).json()
    assert contact["subscribed_phone"] is True and contact["subscribed_email"] is False
    assert [c["kind"] for c in contact["channels"]] == ["phone"]


def test_channels_attributes(fresh_api):
    contact = fresh_api.post(
        "/contacts", json={"channels_attributes": [{"kind": "email", "value": "chan@example.org", "subscribed": False}]}
    ).json()
    assert email_of(contact) == "chan@example.org" and contact["subscribed_email"] is False
    removed = fresh_api.patch(
        f"/contacts/{contact['id']}",
        json={"channels_attributes": [{"kind": "phone", "value": "+33612345678"}, {"kind": "email", "_destroy": True}]},
    ).json()
    assert [c["kind"] for c in removed["channels"]] == ["phone"] and removed["subscribed_phone"] is True


def test_contact_needs_an_email_or_phone(fresh_api):
    assert "email" in assert_error(fresh_api.post("/contacts", json={"first_name": "Nobody"}), 422)["validation_errors"]


def test_duplicate_email_is_422(fresh_api):
    existing = email_of(fresh_api.get("/contacts/3").json())
    body = assert_error(fresh_api.post("/contacts", json={"email": existing.upper()}), 422)
    assert body["validation_errors"]["email"] == ["has already been taken"]
    assert_error(fresh_api.patch("/contacts/4", json={"email": existing}), 422)


def test_unknown_list_ids_are_422_and_change_nothing(fresh_api):
    body = assert_error(fresh_api.post("/contacts", json={"email": "x@y.io", "list_ids": [1, 99]}), 422)
    assert body["validation_errors"]["list_ids"] == ["unknown list id 99"]
    assert fresh_api.get("/contacts", params={"search": "x@y.io"}).json() == []


def test_failed_update_changes_nothing(fresh_api):
    before = fresh_api.get("/contacts/5").json()
    assert_error(fresh_api.patch("/contacts/5", json={"first_name": "Changed", "list_ids": [42]}), 422)
    assert fresh_api.get("/contacts/5").json() == before


def test_an_address_taken_by_another_contact_is_refused_however_it_is_set(fresh_api):
    first, second = fresh_api.get("/contacts", params={"limit": 2}).json()
    taken = next(c["value"] for c in first["channels"] if c["kind"] == "email")
    via_email = fresh_api.patch(f"/contacts/{second['id']}", json={"email": taken.upper()})
    via_channels = fresh_api.patch(
        f"/contacts/{second['id']}", json={"channels_attributes": [{"kind": "email", "value": taken}]}
    )
    for response in (via_email, via_channels):
        assert response.status_code == 422 and "email" in response.json()["validation_errors"]
    assert fresh_api.get(f"/contacts/{second['id']}").json()["channels"] == second["channels"]


def test_created_after_and_before_tile_time_like_the_events_window(api):
    contacts = every(api, "/contacts")
    stamp = sorted(c["created_at"] for c in contacts)[len(contacts) // 2]
    after = {c["id"] for c in every(api, "/contacts", created_after=stamp)}
    before = {c["id"] for c in every(api, "/contacts", created_before=stamp)}
    assert after == {c["id"] for c in contacts if c["created_at"] >= stamp}  # inclusive, as /events
    assert before == {c["id"] for c in contacts if c["created_at"] < stamp}  # exclusive
    assert after.isdisjoint(before) and len(after | before) == len(contacts)
    assert_error(api.get("/contacts", params={"created_after": "yesterday"}), 422, "validation_error")
