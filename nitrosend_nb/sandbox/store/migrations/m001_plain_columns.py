"""Document tables whose filter columns SQLite generated from the JSON (sandboxes before the store copied them
from the Python document) become tables of plain columns, keeping their rows and id sequence."""

from __future__ import annotations

import sqlite3

from ..schema import DOC_TABLES, doc_table


def migrate(conn: sqlite3.Connection) -> None:
    """Rebuild every document table with a generated column; indexes are made again by the schema afterwards."""
    for table, (columns, _) in DOC_TABLES.items():
        if not any(row[6] for row in conn.execute(f"PRAGMA table_xinfo({table})")):
            continue  # absent, or plain columns already
        conn.execute(f"ALTER TABLE {table} RENAME TO {table}_generated")
        conn.execute(doc_table(table))
        extracts = "".join(f", json_extract(doc, '$.{column}')" for column in columns)
        names = "".join(f", {column}" for column in columns)
        conn.execute(f"INSERT INTO {table} (id, doc{names}) SELECT id, doc{extracts} FROM {table}_generated")
        conn.execute("DELETE FROM sqlite_sequence WHERE name = ?", (table,))
        conn.execute("UPDATE sqlite_sequence SET name = ? WHERE name = ?", (table, f"{table}_generated"))
        conn.execute(f"DROP TABLE {table}_generated")
