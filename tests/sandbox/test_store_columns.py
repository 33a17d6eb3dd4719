"""The columns the store keeps beside each JSON document hold what ``json_extract`` reads from it, on every write
path (insert, insert_many with and without ids, replace) and after seeding (real SQLite, no server)."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from nitrosend_nb.sandbox.seed import seed_store
from nitrosend_nb.sandbox.store import DOC_TABLES, Store


@pytest.fixture()
def store():
    with closing(Store()) as opened:
        yield opened


def mismatches(store: Store) -> list[tuple]:
    """Every (table, column, id, stored value, json_extract value) whose value or SQL type differs."""
    found = []
    for table, (columns, _) in DOC_TABLES.items():
        for column in columns:
            extract = f"json_extract(doc, '$.{column}')"
            found += [
                (table, column, *row)
                for row in store.execute(
                    f"SELECT id, {column}, {extract} FROM {table} "
                    f"WHERE {column} IS NOT {extract} OR typeof({column}) != typeof({extract})"
                )
            ]
    return found


ODD_VALUES = [True, False, None, 0, -7, 2**63 + 5, 1.5, float("nan"), float("-inf"), "", "x", {"a": [1]}, [1, "b"]]


@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
def test_each_write_path_stores_what_json_extract_reads(store, value):
    doc = {"brand_id": value, "email": value, "phone": value, "created_at": value}
    inserted = store.insert("contacts", doc)
    store.insert_many("contacts", [{**doc, "id": 100}])
    store.insert_many("contacts", [doc, {}], first_id=200)
    store.insert("contacts", {"email": "missing fields"})
    store.replace("contacts", {**inserted, "phone": "changed", "updated_at": value})
    store.replace("contacts", {"id": 100})
    assert store.count("contacts") == 5
    assert mismatches(store) == []


def test_the_columns_follow_a_document_through_replace(store):
    doc = store.insert("suppressions", {"brand_id": 1, "email": "a@example.test", "active": True})
    store.replace("suppressions", {**doc, "active": False, "email": "b@example.test"})
    assert store.execute("SELECT brand_id, email, active FROM suppressions") == [(1, "b@example.test", 0)]


def test_a_seeded_world_stores_what_json_extract_reads(store):
    seed_store(store, seed=3, contacts=300)
    assert store.count("messages") > 0
    assert mismatches(store) == []


def test_a_db_file_with_generated_columns_keeps_its_rows_and_ids(tmp_path):
    path = str(tmp_path / "older.db")
    older = sqlite3.connect(path)
    older.executescript(
        "CREATE TABLE contacts (id INTEGER PRIMARY KEY AUTOINCREMENT, doc TEXT NOT NULL, "
        "brand_id GENERATED ALWAYS AS (json_extract(doc, '$.brand_id')) VIRTUAL, "
        "email GENERATED ALWAYS AS (json_extract(doc, '$.email')) VIRTUAL);"
        "CREATE INDEX contacts_brand_id ON contacts (brand_id);"
        """INSERT INTO contacts (doc) VALUES ('{"brand_id": 1, "email": "a@example.test", "phone": "+1555"}');"""
        """INSERT INTO contacts (doc) VALUES ('{"brand_id": 2}');"""
        "DELETE FROM contacts WHERE id = 2;"
    )
    older.commit()
    older.close()
    store = Store(path)
    try:
        assert store.query("contacts") == [{"id": 1, "brand_id": 1, "email": "a@example.test", "phone": "+1555"}]
        assert store.insert("contacts", {"brand_id": 1, "email": "b@example.test"})["id"] == 3  # no id reused
        rows = store.execute("SELECT id, phone FROM contacts WHERE brand_id = 1 ORDER BY id")
        assert rows == [(1, "+1555"), (3, None)]
        assert store.execute("SELECT name FROM sqlite_master WHERE name LIKE '%generated%'") == []
        assert mismatches(store) == []
    finally:
        store.close()
