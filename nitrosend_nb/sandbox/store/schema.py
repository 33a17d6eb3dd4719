"""The store's tables: one table of JSON documents per resource, with plain columns copying the top-level fields
the API filters and sorts on (:data:`DOC_TABLES`; a table may also keep a served form of each document, see
:class:`~.database.Store`), list membership with each contact's list ids kept beside it by triggers, idempotency
records and meta. :func:`create` makes whatever does not exist yet; a ``--db`` file written by an older sandbox is
first brought up to date by :mod:`.migrations`.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Collection

BRAND = "brand_id"
# table name -> (columns: copies of the document's top-level fields of the same names, indexed columns or
# expressions). Every brand-owned table has a ``brand_id`` column: requests see only their brand's rows (see
# state.SandboxState.in_brand).
DOC_TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "brands": (("sid",), ("sid",)),
    "contacts": (
        (BRAND, "email", "phone", "first_name", "last_name", "created_at", "updated_at"),
        ("brand_id", "email COLLATE NOCASE", "created_at"),  # brand_id: pages seek by id; emails case-insensitive
    ),
    "lists": ((BRAND,), ()),
    "segments": ((BRAND,), ()),
    "templates": ((BRAND,), ()),
    "campaigns": ((BRAND, "status"), ()),
    "flows": ((BRAND,), ()),
    "messages": (
        (BRAND, "channel", "status", "source_type", "flow_id", "campaign_id", "created_at"),
        ("brand_id", "brand_id, source_type", "flow_id", "campaign_id"),  # brand_id: pages of all types by id
    ),
    "outbox": ((), ()),
    "events": (
        (BRAND, "event", "contact_id", "idempotency_key", "created_at"),
        # the idempotency lookup, the time window, and pages of one event's events in id order (no sort per page)
        ("event, idempotency_key", "created_at", "event"),
    ),
    "suppressions": ((BRAND, "email", "active"), ("email COLLATE NOCASE",)),
    "domains": ((BRAND, "name"), ()),
    "blobs": ((BRAND,), ()),
    "imports": ((BRAND, "status"), ()),
    "webhooks": ((BRAND,), ()),
    "webhook_deliveries": ((BRAND, "webhook_id", "status"), ("webhook_id",)),
    "replies": ((BRAND, "message_id"), ("message_id",)),  # inbound mail, by the message it answers
}
BRAND_TABLES = tuple(table for table, (columns, _) in DOC_TABLES.items() if BRAND in columns)
#: The columns holding a document's served form, in a table that keeps one: its text and where ``cut`` goes.
SERVED_COLUMNS = ("served", "served_cut")

TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS list_members (
    list_id INTEGER NOT NULL, contact_id INTEGER NOT NULL, PRIMARY KEY (list_id, contact_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS list_members_contact ON list_members (contact_id, list_id);
CREATE TABLE IF NOT EXISTS idempotency (
    scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (scope, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS contact_list_ids (contact_id INTEGER PRIMARY KEY, list_ids TEXT NOT NULL);
"""

# contact_list_ids: each contact's list ids, sorted, as the JSON array its served form shows (a contact in no list
# has no row), so a page of contacts is read in one query. Kept by triggers on list_members, whatever statement
# changes it, and filled at once after a bulk load.
_RELIST = (  # one contact's row made afresh (no conflict clause: the firing statement's OR IGNORE would override it)
    "DELETE FROM contact_list_ids WHERE contact_id = {0}; "
    "INSERT INTO contact_list_ids (contact_id, list_ids) SELECT {0}, json_group_array(list_id) "
    "FROM list_members INDEXED BY list_members_contact WHERE contact_id = {0} HAVING count(*) > 0;"
)
LIST_IDS_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS list_members_added AFTER INSERT ON list_members "
    f"BEGIN {_RELIST.format('NEW.contact_id')} END",
    "CREATE TRIGGER IF NOT EXISTS list_members_removed AFTER DELETE ON list_members "
    f"BEGIN {_RELIST.format('OLD.contact_id')} END",
)
FILL_LIST_IDS = (  # every contact's row at once, from the membership index in (contact, list) order
    "INSERT INTO contact_list_ids (contact_id, list_ids) SELECT contact_id, json_group_array(list_id) "
    "FROM list_members INDEXED BY list_members_contact GROUP BY contact_id"
)


def doc_table(table: str, served: bool = False) -> str:
    """The ``CREATE TABLE`` of document table ``table`` (with the served-form columns when ``served``)."""
    columns = (*DOC_TABLES[table][0], *(SERVED_COLUMNS if served else ()))
    return (
        f"CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY AUTOINCREMENT, doc TEXT NOT NULL"
        + "".join(f", {column}" for column in columns)
        + ")"
    )


def index_name(table: str, expression: str) -> str:
    """The name of the index of ``table`` on ``expression``."""
    return f"{table}_" + re.sub(r"\W+", "_", expression.lower())


def create(conn: sqlite3.Connection, served: Collection[str] = ()) -> None:
    """Create every table, index and trigger that does not exist yet (``served``: the document tables that keep a
    served form)."""
    for statement in TABLES.split(";"):
        if statement.strip():
            conn.execute(statement)
    for trigger in LIST_IDS_TRIGGERS:
        conn.execute(trigger)
    for table, (_, indexes) in DOC_TABLES.items():
        conn.execute(doc_table(table, served=table in served))
        for expression in indexes:
            conn.execute(f"CREATE INDEX IF NOT EXISTS {index_name(table, expression)} ON {table} ({expression})")
