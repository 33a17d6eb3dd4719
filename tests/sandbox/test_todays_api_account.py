"""Account, billing, brands, contacts, channels and lists carry every field and enum value of "Today's API"."""

from __future__ import annotations

import pytest
from todays_api import OBJECTS, assert_conforms


def brand_headers(api) -> list[dict]:
    """X-Brand-SID headers for every brand of the account."""
    return [{"X-Brand-SID": brand["sid"]} for brand in api.get("/brands").json()]


def test_account_billing_team_and_resources(api):
    account = api.get("/account").json()
    assert_conforms("Account", account)
    assert_conforms("Team", account["team"])
    assert_conforms("Billing", account["billing"])
    assert_conforms("BillingBrands", account["billing"]["brands"])
    assert_conforms("Lifetime", account["billing"]["lifetime"])
    assert set(account["billing"]["resources"]) == {"email", "sms", "ai"}
    for usage in account["billing"]["resources"].values():
        assert_conforms("BillingResource", usage)
    assert "brands" not in account and "account_tier" not in account


def test_reach(api):
    assert_conforms("Reach", api.get("/account/reach", params={"audience": 10}).json())


def test_every_brand(api):
    brands = api.get("/brands").json()
    assert len(brands) == 2
    for brand in brands:
        assert_conforms("Brand", brand)


@pytest.mark.parametrize("brand", [0, 1])
def test_contacts_channels_and_lists_of_each_brand(api, brand):
    headers = brand_headers(api)[brand]
    contacts = api.get("/contacts", params={"limit": 100}, headers=headers).json()
    assert contacts
    for contact in contacts:
        assert_conforms("Contact", contact)
        for channel in contact["channels"]:
            assert_conforms("Channel", channel)
            assert channel["contact_id"] == contact["id"]
    assert {c["kind"] for contact in contacts for c in contact["channels"]} == {"email", "phone"}
    for item in api.get("/lists", headers=headers).json():
        assert_conforms("List", item)


@pytest.mark.parametrize("name,doc", [
    ("Channel", {**dict.fromkeys(OBJECTS["Channel"]["fields"]), "kind": "fax"}),
    ("Account", {**dict.fromkeys(OBJECTS["Account"]["fields"]), "commercial_tier": "paid"}),
    ("Brand", {k: None for k in OBJECTS["Brand"]["fields"] if k != "sid"}),
])
def test_the_checker_rejects_a_missing_field_or_an_unknown_enum_value(name, doc):
    with pytest.raises(AssertionError):
        assert_conforms(name, doc)
