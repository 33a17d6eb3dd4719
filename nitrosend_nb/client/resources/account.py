"""Account: ``GET /account`` and its usage table."""

from __future__ import annotations

import pandas as pd

from nitrosend_nb.client.frames import USAGE, to_frame
from nitrosend_nb.client.resources.base import ApiGroup


class Account(ApiGroup):
    """The account behind the API key: tier, billing, brands."""

    path = "/account"

    def get(self) -> dict:
        """The account record (``id``, ``name``, ``account_tier``, ``billing``, ``brands``...)."""
        return self._call("GET")

    def usage(self) -> pd.DataFrame:
        """Usage per resource (index ``resource``: email, sms, ai) with ``used``, ``allowance``,
        ``remaining`` and ``overage_rate``."""
        resources = ((self.get().get("billing") or {}).get("resources") or {})
        return to_frame([{"resource": name, **(values or {})} for name, values in resources.items()], USAGE)
