"""The plans the sandbox knows, the account's plan and sending standing, reach, and the brands allowance.

Plans (:data:`PLANS`): Free, Pro and Ultra are listed (self-serve); Enterprise is sold by the sales team
(``tier_group`` ``sales``) and has no email allowance or daily cap. The account's plan is the one its
``commercial_tier`` names (none while ``unsubscribed``); ``billing.plan`` presents it (:func:`plan_record`).

Standing (:data:`STANDING`): how much the account may send a day and import at once follows its deliverability
standing. The sandbox's account has a year of clean sending behind it, so it always stands ``established``: the
plans' daily caps apply as listed, and the import policy allows :data:`IMPORT_MAX_ROWS` rows.

The rule behind ``GET /account/reach?audience=N`` (one email to each of N recipients):

- a plan's fit: ``daily_cap`` (recipients per 24 hours; null: unlimited), ``capacity`` (emails left this month on
  the current plan, a candidate's whole first month; null: unlimited), ``covers`` (N <= capacity) and
  ``days_to_reach`` (days at the daily cap until everyone has had the email once; null when the month cannot hold
  the send; 0 for nobody).
- ``cohort``: the audience's size band, named after the smallest plan whose monthly allowance holds N.
- ``current``: the fit of the account's plan (null without a plan); ``covered``: it covers.
- ``recommended``: null when covered; otherwise the smallest listed plan above the current one that covers N
  (null when none does: Enterprise is a conversation with sales).
- ``summary``: null when covered; otherwise one sentence saying how far the send falls short and what covers it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

STANDING = "established"  # the sandbox account's sending standing (see the module docstring)
IMPORT_MAX_ROWS = 50_000  # rows one import may hold at the established standing


@dataclass(frozen=True)
class Plan:
    """One plan: id, slug, display name, tier group, price (cents a month, None: quoted by sales), emails a month
    and recipients a day (None: unlimited)."""

    id: int
    slug: str
    name: str
    tier_group: str
    price_cents: int | None
    emails_per_month: int | None
    daily_cap: int | None

    @property
    def listed(self) -> bool:
        """Whether the plan can be bought without talking to sales."""
        return self.tier_group != "sales"


PLANS = (
    Plan(1, "free", "Free", "free", 0, 1_000, 200),
    Plan(2, "pro", "Pro", "self_serve", 4_900, 50_000, 10_000),
    Plan(3, "ultra", "Ultra", "self_serve", 14_900, 250_000, 50_000),
    Plan(4, "enterprise", "Enterprise", "sales", None, None, None),
)
BY_SLUG = {plan.slug: plan for plan in PLANS}


def account_plan(account: dict) -> Plan | None:
    """The account's plan: the one its ``commercial_tier`` names (None while unsubscribed)."""
    return BY_SLUG.get(account["commercial_tier"])


def plan_record(plan: Plan | None) -> dict | None:
    """``billing.plan``: the plan as the API presents it (None without one)."""
    if plan is None:
        return None
    return {
        "id": plan.id,
        "slug": plan.slug,
        "name": plan.name,
        "tier_group": plan.tier_group,
        "interval": "month",
        "price_cents": plan.price_cents,
        "emails_per_month": plan.emails_per_month,
        "daily_cap": plan.daily_cap,
    }


def smallest_plan(emails: int) -> Plan:
    """The smallest plan whose monthly email allowance holds ``emails``."""
    return next(plan for plan in PLANS if plan.emails_per_month is None or emails <= plan.emails_per_month)


def fit(plan: Plan, audience: int, capacity: int | None) -> dict:
    """How far one send to ``audience`` recipients gets on ``plan`` with ``capacity`` emails available this month
    (None: unlimited): an AudienceReachFit."""
    covers = capacity is None or audience <= capacity
    if not covers:
        days = None
    elif plan.daily_cap is None:
        days = 1 if audience else 0
    else:
        days = math.ceil(audience / plan.daily_cap)
    return {
        "plan_id": plan.id,
        "slug": plan.slug,
        "name": plan.name,
        "tier_group": plan.tier_group,
        "daily_cap": plan.daily_cap,
        "capacity": capacity,
        "days_to_reach": days,
        "covers": covers,
    }


def reach(account: dict, audience: int) -> dict:
    """The AudienceReach document for sending one email to ``audience`` recipients from ``account``."""
    plan = account_plan(account)
    email = account["billing"]["resources"]["email"]
    current = None if plan is None else fit(plan, audience, email["remaining"])
    covered = bool(current and current["covers"])
    recommended = None
    if not covered:
        above = PLANS[PLANS.index(plan) + 1 :] if plan else PLANS
        candidates = (fit(other, audience, other.emails_per_month) for other in above if other.listed)
        recommended = next((candidate for candidate in candidates if candidate["covers"]), None)
    return {
        "audience": audience,
        "cohort": smallest_plan(audience).slug,
        "current": current,
        "recommended": recommended,
        "covered": covered,
        "summary": None if covered else _summary(audience, current, recommended),
    }


def _summary(audience: int, current: dict | None, recommended: dict | None) -> str:
    """The sentence for a send the current plan does not cover."""
    if current is None:
        short = f"Sending to {audience:,} recipients needs a plan."
    else:
        short = (
            f"Sending to {audience:,} recipients needs {audience - current['capacity']:,} more emails than the "
            f"{current['name']} plan has left this month ({current['capacity']:,})."
        )
    if recommended is None:
        return f"{short} No listed plan covers it: talk to sales about Enterprise."
    pace = (
        "at once"
        if recommended["daily_cap"] is None
        else f"over {recommended['days_to_reach']:,} day{'s' * (recommended['days_to_reach'] != 1)} at "
        f"{recommended['daily_cap']:,} a day"
    )
    return f"{short} The {recommended['name']} plan covers it ({recommended['capacity']:,} emails a month, {pace})."


def import_policy() -> dict:
    """The import limits the account's standing sets (``guardrails`` of ``GET /imports/spec``, less the file
    limits the imports service adds)."""
    return {"standing": STANDING, "max_rows": IMPORT_MAX_ROWS}


def brand_allowance(account: dict, used: int) -> dict:
    """``billing.brands``: how many brands the account has (``used``) and may still create
    (``entitlements.brands``; None: unlimited)."""
    limit = account["billing"]["entitlements"].get("brands")
    remaining = None if limit is None else max(0, limit - used)
    return {
        "used": used,
        "limit": limit,
        "remaining": remaining,
        "unlimited": limit is None,
        "can_create": limit is None or used < limit,
    }
