"""Plans and reach: which plan covers sending one email to an audience of N contacts; the brands allowance.

The rule behind ``GET /account/reach?audience=N`` (the sandbox's own, documented here):

- ``cohort``: the audience's size band, named after the smallest plan whose monthly email allowance is at least N
  (free: 1,000; pro: 50,000; ultra: 250,000; enterprise: unlimited).
- ``current``: the account's plan with its email ``allowance``, ``used`` and ``remaining`` this month.
- ``covered``: the send fits in what is left this month (N <= remaining, or the allowance is unlimited).
- ``recommended``: the current plan when covered; otherwise the smallest plan whose allowance holds this month's
  usage plus N (never a smaller plan than the current one).
- ``summary``: one sentence saying the above, with the overage the send would cost when it is not covered.
"""

from __future__ import annotations

PLANS: tuple[tuple[str, int | None], ...] = (("free", 1_000), ("pro", 50_000), ("ultra", 250_000), ("enterprise", None))
PLAN_NAMES = [name for name, _ in PLANS]


def smallest_plan(emails: int, at_least: str = "free") -> str:
    """The smallest plan (not below ``at_least``) whose monthly email allowance holds ``emails``."""
    for name, allowance in PLANS[PLAN_NAMES.index(at_least) :]:
        if allowance is None or emails <= allowance:
            return name
    return PLANS[-1][0]


def reach(account: dict, audience: int) -> dict:
    """The reach document for sending one email to ``audience`` contacts from ``account``."""
    billing = account["billing"]
    email = billing["resources"]["email"]
    plan = billing["plan"] if billing["plan"] in PLAN_NAMES else PLAN_NAMES[0]
    covered = email["allowance"] is None or audience <= email["remaining"]
    recommended = plan if covered else smallest_plan(email["used"] + audience, at_least=plan)
    if covered:
        left = "an unlimited allowance" if email["allowance"] is None else f"{email['remaining']:,} emails left"
        summary = f"Sending to {audience:,} recipients fits in the {billing['plan_name']} plan ({left} this month)."
    else:
        extra = audience - email["remaining"]
        summary = (
            f"Sending to {audience:,} recipients exceeds the {email['remaining']:,} emails left on the "
            f"{billing['plan_name']} plan this month by {extra:,} (about {extra * email['overage_rate']:.2f} "
            f"in overage); the {recommended} plan covers it."
        )
    return {
        "audience": audience,
        "cohort": smallest_plan(audience),
        "current": {
            "plan": plan,
            "plan_name": billing["plan_name"],
            "allowance": email["allowance"],
            "used": email["used"],
            "remaining": email["remaining"],
        },
        "recommended": recommended,
        "covered": covered,
        "summary": summary,
    }


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
