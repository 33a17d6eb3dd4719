"""Account: ``GET /account`` and its usage table."""

from __future__ import annotations

import pandas as pd

from nitrosend_nb.client.frames import ACCOUNT, USAGE, to_frame
from nitrosend_nb.client.resources.base import ApiGroup


class Account(ApiGroup):
    """The account behind the API key: tier, billing, brands."""

    path = "/account"

    def get(self) -> dict:
        """The account record (``id``, ``name``, ``account_tier``, ``billing``, ``brands``...)."""
        return self._call("GET")

    def df(self) -> pd.DataFrame:
        """The account as a one-row DataFrame (index ``id``) with billing flattened to dotted columns
        (``billing.plan_name``, ``billing.wallet_balance_cents``, ``billing.lifetime.email_sent``...)."""
        return to_frame([self.get()], ACCOUNT)

    def usage(self) -> pd.DataFrame:
        """Usage per resource (index ``resource``: email, sms, ai) with ``used``, ``allowance``,
        ``remaining`` and ``overage_rate``."""
        resources = ((self.get().get("billing") or {}).get("resources") or {})
        return to_frame([{"resource": name, **(values or {})} for name, values in resources.items()], USAGE)
