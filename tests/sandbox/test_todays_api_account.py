"""Account, billing, reach, brands, contacts, channels and lists carry every field and enum value of "Today's API"
(the SDK's types: Account, AccountBilling, AudienceReach/AudienceReachFit, Brand...) and none it retired."""

from __future__ import annotations

import pytest
from todays_api import (
    ACCOUNT,
    BILLING,
    BILLING_RESOURCE,
    BILLING_RETIRED,
    BRAND,
    BRAND_RETIRED,
    CHANNEL,
    CONTACT,
    LIST,
    PLAN_FIT,
    REACH,
    assert_today,
)


def brand_headers(api) -> list[dict]:
    """X-Brand-SID headers for every brand of the account."""
    return [{"X-Brand-SID": brand["sid"]} for brand in api.get("/brands").json()]


def test_account_billing_team_and_resources(api):
    account = api.get("/account").json()
    assert_today(account, ACCOUNT, "Account")  # team, access, billing (brands, resources, lifetime) nested
    assert_today(account["billing"], BILLING, "AccountBilling", exact=True)
    assert set(account["billing"]["resources"]) == {"email", "sms", "ai"}
    assert "brands" not in account and "account_tier" not in account
    assert not set(BILLING_RETIRED) & set(account["billing"])


def test_billing_plan_is_the_plan_object_and_its_name(api, fresh_api):
    billing = api.get("/account").json()["billing"]
    plan = billing["plan"]
    assert isinstance(plan, dict) and (plan["slug"], plan["name"], billing["plan_name"]) == ("pro", "Pro", "Pro")
    assert plan["emails_per_month"] == billing["resources"]["email"]["allowance"]  # one source: the plan
    patched = fresh_api.patch("/account", json={"name": "Renamed"}).json()
    assert_today(patched["billing"], BILLING, "AccountBilling", exact=True)
    assert patched["billing"]["plan"] == plan


@pytest.mark.parametrize("audience", [0, 10, 49_000, 120_000, 10**7])
def test_reach_and_its_plan_fits(api, audience):
    reach = api.get("/account/reach", params={"audience": audience}).json()
    assert_today(reach, REACH, "AudienceReach", exact=True)
    for role in ("current", "recommended"):
        if reach[role] is not None:
            assert_today(reach[role], PLAN_FIT, f"AudienceReach.{role}", exact=True)
    assert (reach["summary"] is None) == reach["covered"]


def test_every_brand(api):
    brands = api.get("/brands").json()
    assert len(brands) == 2
    assert_today(brands, BRAND, "Brand", exact=True)
    assert not {field for brand in brands for field in brand} & set(BRAND_RETIRED)


def test_a_new_brand_and_every_change_keep_the_shape(fresh_api):
    created = fresh_api.post("/brands", json={"company_name": "Acme Kiosk", "email_from_email": "hi@kiosk.test"})
    assert created.status_code == 201, created.text
    assert_today(created.json(), BRAND, "Brand", exact=True)
    sid = created.json()["sid"]
    updated = fresh_api.patch(f"/brands/{sid}", json={"radius": 12, "tone": "brisk", "style_notes": "x"})
    assert_today(updated.json(), BRAND, "Brand", exact=True)  # retired fields sent are ignored, never served
    assert_today(fresh_api.get(f"/brands/{sid}").json(), BRAND, "Brand", exact=True)


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
        (PLAN_FIT, {**dict.fromkeys(PLAN_FIT), "covers": "yes"}),
    ],
)
def test_the_checker_rejects_a_missing_field_or_an_unknown_enum_value(shape, doc):
    with pytest.raises(AssertionError):
        assert_today(doc, shape, "doc")


def test_the_exact_checker_rejects_a_retired_field(api):
    brand = api.get("/brands").json()[0]
    with pytest.raises(AssertionError, match=r"tone: not declared"):
        assert_today({**brand, "tone": "warm"}, BRAND, "Brand", exact=True)
    billing = api.get("/account").json()["billing"]
    with pytest.raises(AssertionError, match=r"wallet_balance_cents: not declared"):
        assert_today({**billing, "wallet_balance_cents": 1}, BILLING, "AccountBilling", exact=True)
    with pytest.raises(AssertionError, match=r"plan: expected an object"):
        assert_today({**billing, "plan": "pro"}, BILLING, "AccountBilling", exact=True)


def test_the_checker_allows_a_null_access_but_judges_a_present_one(api):
    account = api.get("/account").json()
    assert_today({**account, "access": None}, ACCOUNT, "Account")
    with pytest.raises(AssertionError, match=r"access\.source"):
        assert_today({**account, "access": {"source": "robot", "delegated": False}}, ACCOUNT, "Account")
