"""Contacts: ``/contacts`` plus search."""

from __future__ import annotations

import pandas as pd

from nitrosend_nb.client.frames import CONTACTS
from nitrosend_nb.client.resources.base import Resource


class Contacts(Resource):
    """Contacts (list filters: ``search``, ``list_id``, ``tag``, ``sort``, ``direction``)."""

    path = "/contacts"
    label = "contacts"
    schema = CONTACTS

    def search(self, q: str) -> pd.DataFrame:
        """Every contact whose name, email or phone matches ``q``, as a DataFrame."""
        return self.df(search=q)
