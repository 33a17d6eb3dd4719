"""Numbered migrations bringing a ``--db`` file written by an older sandbox up to date, applied in order before
the schema is completed (:func:`.schema.create`). The file's ``PRAGMA user_version`` counts those applied; a new
store starts at the latest. Each module ``mNNN_what.py`` has a docstring saying what it changes and a
``migrate(conn)`` run inside the store's opening transaction; it must leave a file that never needed it as it was.
"""

from __future__ import annotations

import sqlite3

from . import m001_plain_columns, m002_contact_list_ids, m003_served_forms_again

#: Every migration, oldest first: the file's ``user_version`` is how many of them it has had.
MIGRATIONS = (m001_plain_columns, m002_contact_list_ids, m003_served_forms_again)
LATEST = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> None:
    """Apply the migrations a file has not had (none to a new, empty one) and record the latest version."""
    fresh = not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").fetchall()
    if not fresh:
        done = conn.execute("PRAGMA user_version").fetchone()[0]
        for migration in MIGRATIONS[done:]:
            migration.migrate(conn)
    conn.execute(f"PRAGMA user_version = {LATEST}")
