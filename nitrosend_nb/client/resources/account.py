"""Account: ``GET/PATCH /account``, ``GET /account/reach`` and the usage table."""

from __future__ import annotations

import pandas as pd

from nitrosend_nb.client.backends import DEFAULT_BACKEND, records_frame
from nitrosend_nb.client.frames import ACCOUNT, USAGE
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
        """Whether the plan covers sending one email to ``audience`` recipients: ``audience``, ``cohort``,
        ``current`` (plan, allowance, used, remaining), ``recommended``, ``covered`` and a ``summary`` sentence."""
        if isinstance(audience, bool) or not isinstance(audience, int) or audience < 0:
            raise ValueError(f"audience must be a whole number of recipients (0 or more), got {audience!r}")
        return self._call("GET", "/reach", params={"audience": audience})

    def df(self, *, dtype_backend: str = DEFAULT_BACKEND) -> pd.DataFrame:
        """The account as a one-row DataFrame (index ``id``) with ``access``, ``team`` and ``billing`` flattened
        to dotted columns (``team.seat_count``, ``billing.plan_name``, ``billing.brands.remaining``,
        ``billing.lifetime.email_sent``...); ``dtype_backend`` ``"pyarrow"`` makes every column an ``ArrowDtype``."""
        return records_frame([self.get()], ACCOUNT, dtype_backend)

    def usage(self, *, dtype_backend: str = DEFAULT_BACKEND) -> pd.DataFrame:
        """Usage per resource (index ``resource``: email, sms, ai) with ``used``, ``allowance`` (<NA>: unlimited),
        ``remaining``, ``overage_rate``, ``mode`` (budget|monthly|unlimited), ``budget`` and ``budget_used``
        (``dtype_backend`` as for :meth:`df`)."""
        resources = (self.get().get("billing") or {}).get("resources") or {}
        rows = [{"resource": name, **(values or {})} for name, values in resources.items()]
        return records_frame(rows, USAGE, dtype_backend)
