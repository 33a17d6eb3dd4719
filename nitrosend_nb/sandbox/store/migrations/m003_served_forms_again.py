"""Served forms written before their ``cut`` counted characters (it counted UTF-8 bytes, so a contact with a
non-ASCII name was spliced at the wrong place) are dropped: opening the store makes them again from the documents
with the form it is given."""

from __future__ import annotations

import sqlite3

from ..schema import DOC_TABLES, SERVED_COLUMNS


def migrate(conn: sqlite3.Connection) -> None:
    """Drop the served-form columns of every document table that has them."""
    for table in DOC_TABLES:
        present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        for column in SERVED_COLUMNS:
            if column in present:
                conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
