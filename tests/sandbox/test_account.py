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
    assert (reach["covered"], reach["recommended"], reach["summary"], reach["cohort"]) == (True, None, None, "pro")
    assert reach["current"] == {
        "plan_id": 2,
        "slug": "pro",
        "name": "Pro",
        "tier_group": "self_serve",
        "daily_cap": 10_000,
        "capacity": email["remaining"],
        "days_to_reach": -(-email["remaining"] // 10_000),  # whole days at the daily cap
        "covers": True,
    }
    nobody = api.get("/account/reach", params={"audience": 0}).json()
    assert (nobody["covered"], nobody["cohort"], nobody["current"]["days_to_reach"]) == (True, "free", 0)


def test_reach_beyond_the_allowance_recommends_the_next_listed_plan(api):
    remaining = api.get("/account").json()["billing"]["resources"]["email"]["remaining"]
    reach = api.get("/account/reach", params={"audience": remaining + 1}).json()
    assert (reach["covered"], reach["cohort"]) == (False, "ultra" if remaining + 1 > 50_000 else "pro")
    assert (reach["current"]["covers"], reach["current"]["days_to_reach"]) == (False, None)
    assert reach["recommended"] == {
        "plan_id": 3,
        "slug": "ultra",
        "name": "Ultra",
        "tier_group": "self_serve",
        "daily_cap": 50_000,
        "capacity": 250_000,
        "days_to_reach": -(-(remaining + 1) // 50_000),
        "covers": True,
    }
    assert reach["summary"] == (
        f"Sending to {remaining + 1:,} recipients needs 1 more emails than the Pro plan has left this month "
        f"({remaining:,}). The Ultra plan covers it (250,000 emails a month, over "
        f"{reach['recommended']['days_to_reach']} day{'s' * (reach['recommended']['days_to_reach'] != 1)} at "
        "50,000 a day)."
    )


def test_reach_past_every_listed_plan_points_to_sales(api):
    reach = api.get("/account/reach", params={"audience": 300_000}).json()
    assert (reach["covered"], reach["recommended"], reach["cohort"]) == (False, None, "enterprise")
    assert reach["summary"].endswith("No listed plan covers it: talk to sales about Enterprise.")


@pytest.mark.parametrize(
    "params", [{}, {"audience": "many"}, {"audience": "-1"}, {"audience": "1.5"}, {"audience": str(10**20)}]
)
def test_reach_needs_a_whole_audience(api, params):
    assert "audience" in assert_error(api.get("/account/reach", params=params), 422)["validation_errors"]
