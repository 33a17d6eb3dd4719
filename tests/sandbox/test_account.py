"""Account: today's shape, PATCH /account and GET /account/reach."""

from __future__ import annotations

import pytest
from sandbox_helpers import assert_error


def test_patch_changes_only_the_fields_sent(fresh_api):
    before = fresh_api.get("/account").json()
    updated = fresh_api.patch(
        "/account", json={"name": "Acme Coffee Co", "safe_mode_enabled": True, "avatar": "blob-avatar"}
    )
    assert updated.status_code == 200, updated.text
    after = updated.json()
    assert (after["name"], after["safe_mode_enabled"], after["avatar"]) == ("Acme Coffee Co", True, "blob-avatar")
    assert after["banner"] == before["banner"] and after["billing"] == before["billing"]
    assert after["updated_at"] > before["updated_at"] and fresh_api.get("/account").json() == after


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"safe_mode_enabled": "maybe"}, "safe_mode_enabled"),
        ({"safe_mode_enabled": None}, "safe_mode_enabled"),
        ({"avatar": 5}, "avatar"),
    ],
)
def test_invalid_patch_is_422_and_changes_nothing(fresh_api, payload, field):
    before = fresh_api.get("/account").json()
    assert field in assert_error(fresh_api.patch("/account", json=payload), 422)["validation_errors"]
    assert fresh_api.get("/account").json() == before


def test_sends_count_against_the_email_allowance(fresh_api):
    email = fresh_api.get("/account").json()["billing"]["resources"]["email"]
    fresh_api.send("usage-1", channel="email", to="a@example.com", subject="s", body="b")
    after = fresh_api.get("/account").json()["billing"]["resources"]["email"]
    assert (after["used"], after["remaining"]) == (email["used"] + 1, email["remaining"] - 1)


def test_reach_within_the_remaining_allowance_is_covered(api):
    email = api.get("/account").json()["billing"]["resources"]["email"]
    reach = api.get("/account/reach", params={"audience": email["remaining"]}).json()
    assert reach["covered"] is True and reach["recommended"] == "pro" and reach["cohort"] == "pro"
    assert reach["current"] == {
        "plan": "pro",
        "plan_name": "Pro",
        "allowance": email["allowance"],
        "used": email["used"],
        "remaining": email["remaining"],
    }
    assert f"{email['remaining']:,}" in reach["summary"]
    small = api.get("/account/reach", params={"audience": 0}).json()
    assert small["covered"] is True and small["cohort"] == "free"


@pytest.mark.parametrize("extra,recommended,cohort", [(1, "ultra", "pro"), (300_000, "enterprise", "enterprise")])
def test_reach_beyond_the_allowance_recommends_a_bigger_plan(api, extra, recommended, cohort):
    # one email more than is left this month needs the next plan (this month's usage plus the audience > 50,000)
    audience = api.get("/account").json()["billing"]["resources"]["email"]["remaining"] + extra
    reach = api.get("/account/reach", params={"audience": audience}).json()
    assert (reach["audience"], reach["covered"], reach["recommended"], reach["cohort"]) == (
        audience,
        False,
        recommended,
        cohort,
    )
    assert "overage" in reach["summary"]


@pytest.mark.parametrize(
    "params", [{}, {"audience": "many"}, {"audience": "-1"}, {"audience": "1.5"}, {"audience": str(10**20)}]
)
def test_reach_needs_a_whole_audience(api, params):
    assert "audience" in assert_error(api.get("/account/reach", params=params), 422)["validation_errors"]
