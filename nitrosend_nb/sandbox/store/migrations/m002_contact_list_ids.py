"""Each contact's list ids, kept beside it (``contact_list_ids``) since pages of contacts are read in one query:
made and filled from the membership table for a file from before (the schema's triggers keep it from then on)."""

from __future__ import annotations

import sqlite3

from ..schema import FILL_LIST_IDS, TABLES


def migrate(conn: sqlite3.Connection) -> None:
    """Create ``contact_list_ids`` (and the membership table it is read from) and list every member contact."""
    for statement in TABLES.split(";"):
        if "list_members" in statement or "contact_list_ids" in statement:
            conn.execute(statement)
    conn.execute("DELETE FROM contact_list_ids")
    conn.execute(FILL_LIST_IDS)
