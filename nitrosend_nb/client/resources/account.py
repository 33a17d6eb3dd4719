"""Account: ``GET/PATCH /account``, ``GET /account/reach`` and the usage table."""

from __future__ import annotations

import pandas as pd

from nitrosend_nb.client.backends import DEFAULT_BACKEND, records_frame
from nitrosend_nb.client.frames import ACCOUNT, PLAN, PLAN_FITS, USAGE
from nitrosend_nb.client.resources.base import ApiGroup


class Account(ApiGroup):
    """The account behind the API key: commercial tier, team, access and billing (brands are ``ns.brands``)."""

    path = "/account"

    def get(self) -> dict:
        """The account record (``id``, ``name``, ``commercial_tier``, ``safe_mode_enabled``, ``access``, ``team``,
        ``billing``...)."""
        return self._call("GET")

    def update(self, **fields: object) -> dict:
        """PATCH the account's ``name``, ``avatar``, ``banner`` and/or ``safe_mode_enabled``; returns the account."""
        return self._call("PATCH", json=fields)

    def reach(self, audience: int) -> dict:
        """Whether the plan covers sending one email to ``audience`` recipients: ``audience``, ``cohort`` (the
        plan such an audience calls for), ``current`` and ``recommended`` (plan fits: ``plan_id``, ``slug``,
        ``name``, ``tier_group``, ``daily_cap``, ``capacity``, ``days_to_reach``, ``covers``; ``recommended`` is
        None when the current plan covers it or no listed plan does), ``covered`` and a ``summary`` sentence (None
        when covered)."""
        if isinstance(audience, bool) or not isinstance(audience, int) or audience < 0:
            raise ValueError(f"audience must be a whole number of recipients (0 or more), got {audience!r}")
        return self._call("GET", "/reach", params={"audience": audience})

    def reach_fits(self, audience: int, *, dtype_backend: str = DEFAULT_BACKEND) -> pd.DataFrame:
        """:meth:`reach`'s plan fits as a DataFrame (index ``role``: current, recommended; a role the answer
        leaves null has no row) with ``plan_id``, ``slug``, ``name``, ``tier_group``, ``daily_cap``, ``capacity``
        (emails the plan can send this month), ``days_to_reach`` (<NA>: it cannot) and ``covers``; the
        ``summary`` sentence is in ``.attrs["summary"]``."""
        reach = self.reach(audience)
        rows = [{"role": role, **reach[role]} for role in ("current", "recommended") if reach.get(role)]
        frame = records_frame(rows, PLAN_FITS, dtype_backend)
        frame.attrs["summary"] = reach.get("summary")
        return frame

    def plan(self, *, dtype_backend: str = DEFAULT_BACKEND) -> pd.DataFrame:
        """The account's plan (``billing.plan``) as a one-row DataFrame (index ``id``): ``slug``, ``name``,
        ``tier_group``, ``interval``, ``price_cents``, ``emails_per_month``, ``daily_cap``; no row on no plan."""
        plan = (self.get().get("billing") or {}).get("plan")
        return records_frame([plan] if plan else [], PLAN, dtype_backend)

    def df(self, *, dtype_backend: str = DEFAULT_BACKEND) -> pd.DataFrame:
        """The account as a one-row DataFrame (index ``id``) with ``access``, ``team`` and ``billing`` flattened
        to dotted columns (``team.seat_count``, ``billing.plan_name``, ``billing.plan.slug``,
        ``billing.brands.remaining``, ``billing.lifetime.email_sent``...); ``dtype_backend`` ``"pyarrow"`` makes
        every column an ``ArrowDtype``."""
        return records_frame([self.get()], ACCOUNT, dtype_backend)

    def usage(self, *, dtype_backend: str = DEFAULT_BACKEND) -> pd.DataFrame:
        """Usage per resource (index ``resource``: email, sms, ai) with ``used``, ``allowance`` (<NA>: unlimited),
        ``remaining``, ``overage_rate``, ``mode`` (budget|monthly|unlimited), ``budget`` and ``budget_used``
        (``dtype_backend`` as for :meth:`df`)."""
        resources = (self.get().get("billing") or {}).get("resources") or {}
        rows = [{"resource": name, **(values or {})} for name, values in resources.items()]
        return records_frame(rows, USAGE, dtype_backend)
