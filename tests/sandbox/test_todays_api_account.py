"""Account, billing, brands, contacts, channels and lists carry every field and enum value of "Today's API"."""

from __future__ import annotations

import pytest
from todays_api import ACCOUNT, BILLING_RESOURCE, BRAND, CHANNEL, CONTACT, LIST, REACH, assert_today


def brand_headers(api) -> list[dict]:
    """X-Brand-SID headers for every brand of the account."""
    return [{"X-Brand-SID": brand["sid"]} for brand in api.get("/brands").json()]


def test_account_billing_team_and_resources(api):
    account = api.get("/account").json()
    assert_today(account, ACCOUNT, "Account")  # team, access, billing (brands, resources, lifetime) nested
    assert set(account["billing"]["resources"]) == {"email", "sms", "ai"}
    assert "brands" not in account and "account_tier" not in account


def test_reach(api):
    assert_today(api.get("/account/reach", params={"audience": 10}).json(), REACH, "Reach")


def test_every_brand(api):
    brands = api.get("/brands").json()
    assert len(brands) == 2
    assert_today(brands, BRAND, "Brand")


@pytest.mark.parametrize("brand", [0, 1])
def test_contacts_channels_and_lists_of_each_brand(api, brand):
    headers = brand_headers(api)[brand]
    contacts = api.get("/contacts", params={"limit": 100}, headers=headers).json()
    assert contacts
    assert_today(contacts, CONTACT, "Contact")  # each channel too
    for contact in contacts:
        for channel in contact["channels"]:
            assert channel["contact_id"] == contact["id"]
    assert {c["kind"] for contact in contacts for c in contact["channels"]} == {"email", "phone"}
    assert_today(api.get("/lists", headers=headers).json(), LIST, "List")


def test_usage_resources_carry_mode_and_budget(api):
    resources = api.get("/account").json()["billing"]["resources"]
    assert_today(list(resources.values()), BILLING_RESOURCE, "BillingResource")


@pytest.mark.parametrize(
    "shape,doc",
    [
        (CHANNEL, {**dict.fromkeys(CHANNEL), "kind": "fax"}),
        (ACCOUNT, {**dict.fromkeys(ACCOUNT), "commercial_tier": "paid"}),
        (BRAND, {k: None for k in BRAND if k != "sid"}),
    ],
)
def test_the_checker_rejects_a_missing_field_or_an_unknown_enum_value(shape, doc):
    with pytest.raises(AssertionError):
        assert_today(doc, shape, "doc")


def test_the_checker_allows_a_null_access_but_judges_a_present_one(api):
    account = api.get("/account").json()
    assert_today({**account, "access": None}, ACCOUNT, "Account")
    with pytest.raises(AssertionError, match=r"access\.source"):
        assert_today({**account, "access": {"source": "robot", "delegated": False}}, ACCOUNT, "Account")
