"""The columns the store keeps beside each JSON document hold what ``json_extract`` reads from it, and a contact's
served text is what the API returns for it, on every write path (insert, insert_many with and without ids, replace),
after seeding and in a ``--db`` file from before (real SQLite, no server)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import orjson
import pytest

from nitrosend_nb.sandbox.services.contact_shape import page_text, present
from nitrosend_nb.sandbox.services.contacts import SERVED_FORMS
from nitrosend_nb.sandbox.store import DOC_TABLES, Store, migrations
from nitrosend_nb.sandbox.world.seed import seed_store


@pytest.fixture()
def store():
    with closing(Store(served_forms=SERVED_FORMS)) as opened:
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


def served_mismatches(store: Store) -> list[int]:
    """Ids of the contacts whose spliced page text is not the bytes of the contact as presented (with the list ids
    the membership table holds)."""
    rows = store.contact_page("", (), "id", limit=None, offset=0)
    docs = {doc["id"]: doc for doc in store.query("contacts")}
    lists = store.list_ids_by_contact(list(docs))
    return [ident for row in rows if page_text([row]) != orjson.dumps([present(docs[ident := row[0]], lists[ident])])]


def kept_list_ids(store: Store) -> dict[int, list[int]]:
    """The list ids the store keeps per contact for its pages (``contact_list_ids``), decoded."""
    return {ident: orjson.loads(text) for ident, text in store.execute("SELECT * FROM contact_list_ids")}


def member_list_ids(store: Store) -> dict[int, list[int]]:
    """Each contact's list ids as the membership table itself says (contacts in no list left out)."""
    found: dict[int, list[int]] = {}
    for contact, listed in store.execute("SELECT contact_id, list_id FROM list_members ORDER BY contact_id, list_id"):
        found.setdefault(contact, []).append(listed)
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
    store.set_contact_lists(inserted["id"], [12, 3])
    store.change_list_members(5, add=[100, 200])
    assert store.count("contacts") == 5
    assert mismatches(store) == []
    assert served_mismatches(store) == []


def test_served_text_follows_channels_and_nested_data(store):
    channel = {"id": 9, "kind": "email", "value": "a@example.test", "data": {"note": 'quote " and ,"list_ids":'}}
    doc = store.insert("contacts", {"brand_id": 1, "first_name": "Ada", "data": {"list_ids": None}, "channels": []})
    store.insert_many("contacts", [{"brand_id": 1, "channels": [channel, {**channel, "id": 10}]}], first_id=50)
    store.replace("contacts", {**doc, "channels": [channel], "last_name": "Lovelace"})
    store.set_contact_lists(doc["id"], [4])
    assert served_mismatches(store) == []
    spliced = orjson.loads(page_text(store.contact_page("", (), "id", None, 0)))
    assert [c["list_ids"] for c in spliced] == [[4], []] and spliced[0]["data"] == {"list_ids": None}
    assert [c["contact_id"] for c in spliced[1]["channels"]] == [50, 50]


def test_each_contacts_list_ids_follow_every_kind_of_membership_write(store):
    store.insert_members([(5, 1), (2, 1), (9, 2), (1, 3)])  # seeding's bulk load: listed once at its end
    assert kept_list_ids(store) == {1: [2, 5], 2: [9], 3: [1]}
    store.set_contact_lists(1, [7, 3, 12])
    store.set_list_members(9, [1, 2, 4])
    store.change_list_members(1, add=[4, 4, 2], remove=[3])
    assert kept_list_ids(store) == member_list_ids(store) == {1: [3, 7, 9, 12], 2: [1, 9], 4: [1, 9]}
    store.execute("DELETE FROM list_members WHERE list_id = 9 OR contact_id = 4")  # as deleting a brand does
    store.change_list_members(1, remove=[2])
    store.set_contact_lists(1, [])
    assert kept_list_ids(store) == member_list_ids(store) == {}


def test_the_columns_follow_a_document_through_replace(store):
    doc = store.insert("suppressions", {"brand_id": 1, "email": "a@example.test", "active": True})
    store.replace("suppressions", {**doc, "active": False, "email": "b@example.test"})
    assert store.execute("SELECT brand_id, email, active FROM suppressions") == [(1, "b@example.test", 0)]


def test_a_seeded_world_stores_what_json_extract_reads(store):
    seed_store(store, seed=3, contacts=300)
    assert store.count("messages") > 0
    assert mismatches(store) == []
    assert served_mismatches(store) == []
    assert kept_list_ids(store) == member_list_ids(store) != {}


def older_store(tmp_path, script: str) -> Store:
    """A store opened on a ``--db`` file that an older sandbox wrote with the SQL ``script``."""
    path = str(tmp_path / "older.db")
    with closing(sqlite3.connect(path)) as older:
        older.executescript(script)
        older.commit()
    return Store(path, served_forms=SERVED_FORMS)


def test_a_db_file_with_generated_columns_keeps_its_rows_and_ids(tmp_path):
    store = older_store(
        tmp_path,
        "CREATE TABLE contacts (id INTEGER PRIMARY KEY AUTOINCREMENT, doc TEXT NOT NULL, "
        "brand_id GENERATED ALWAYS AS (json_extract(doc, '$.brand_id')) VIRTUAL, "
        "email GENERATED ALWAYS AS (json_extract(doc, '$.email')) VIRTUAL);"
        "CREATE INDEX contacts_brand_id ON contacts (brand_id);"
        """INSERT INTO contacts (doc) VALUES ('{"brand_id": 1, "email": "a@example.test", "phone": "+1555"}');"""
        """INSERT INTO contacts (doc) VALUES ('{"brand_id": 2}');"""
        "DELETE FROM contacts WHERE id = 2;",
    )
    try:
        assert store.query("contacts") == [{"id": 1, "brand_id": 1, "email": "a@example.test", "phone": "+1555"}]
        assert store.insert("contacts", {"brand_id": 1, "email": "b@example.test"})["id"] == 3  # no id reused
        rows = store.execute("SELECT id, phone FROM contacts WHERE brand_id = 1 ORDER BY id")
        assert rows == [(1, "+1555"), (3, None)]
        assert store.execute("SELECT name FROM sqlite_master WHERE name LIKE '%generated%'") == []
        assert mismatches(store) == []
        assert served_mismatches(store) == []
    finally:
        store.close()


def test_a_db_file_from_before_served_text_and_kept_list_ids_gets_them_filled_in(tmp_path):
    channel = {"id": 4, "kind": "email", "value": "a@x.test"}
    store = older_store(
        tmp_path,
        "CREATE TABLE contacts (id INTEGER PRIMARY KEY AUTOINCREMENT, doc TEXT NOT NULL, brand_id, email, phone, "
        "first_name, last_name, created_at, updated_at);"
        f"INSERT INTO contacts (doc, brand_id) VALUES ('{json.dumps({'brand_id': 1, 'channels': [channel]})}', 1);"
        "CREATE TABLE list_members (list_id INTEGER NOT NULL, contact_id INTEGER NOT NULL, "
        "PRIMARY KEY (list_id, contact_id)) WITHOUT ROWID;"
        "INSERT INTO list_members VALUES (8, 1), (3, 1);",
    )
    try:
        assert served_mismatches(store) == [] and store.count("contacts") == 1
        assert kept_list_ids(store) == {1: [3, 8]}
        store.insert("contacts", {"brand_id": 1, "first_name": "Grace"})
        store.set_contact_lists(2, [3])
        assert served_mismatches(store) == [] and store.count("contacts") == 2
        assert kept_list_ids(store) == {1: [3, 8], 2: [3]}
    finally:
        store.close()


def test_documents_by_ids_across_the_bound_variable_limit(store):
    store.insert_many("events", ({"event": f"e{n}", "brand_id": 1} for n in range(2000)), first_id=1)
    wanted = [*range(5, 1905, 2), 99999]
    found = store.by_ids("events", wanted)
    assert sorted(found) == wanted[:-1] and all(found[ident]["event"] == f"e{ident - 1}" for ident in found)
    assert store.by_ids("events", []) == {}


def test_migrations_are_the_numbered_files_in_order_and_a_new_store_needs_none(tmp_path):
    files = sorted(path.stem for path in Path(migrations.__file__).parent.glob("m[0-9][0-9][0-9]_*.py"))
    assert [module.__name__.rpartition(".")[2] for module in migrations.MIGRATIONS] == files
    assert [int(name[1:4]) for name in files] == list(range(1, len(files) + 1))
    path = str(tmp_path / "new.db")
    Store(path).close()
    with closing(sqlite3.connect(path)) as opened:
        assert opened.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST


def test_a_migrated_file_is_not_migrated_again(tmp_path, monkeypatch):
    store = older_store(tmp_path, "CREATE TABLE list_members (list_id INTEGER, contact_id INTEGER);")
    store.close()

    def again(conn):
        raise AssertionError("migrated twice")

    for migration in migrations.MIGRATIONS:
        monkeypatch.setattr(migration, "migrate", again)
    Store(str(tmp_path / "older.db"), served_forms=SERVED_FORMS).close()


def test_served_text_written_without_its_form_is_never_served_stale(tmp_path):
    path = str(tmp_path / "sandbox.db")
    with closing(Store(path, served_forms=SERVED_FORMS)) as store:
        doc = store.insert("contacts", {"brand_id": 1, "first_name": "Ada"})
    with closing(Store(path)) as formless:  # a store given no form drops the columns no write of it would keep
        assert "served" not in {row[1] for row in formless.execute("PRAGMA table_info(contacts)")}
        formless.replace("contacts", {**doc, "first_name": "Grace"})
    with closing(Store(path, served_forms=SERVED_FORMS)) as store:
        assert served_mismatches(store) == []
        assert orjson.loads(page_text(store.contact_page("", (), "id", None, 0)))[0]["first_name"] == "Grace"
