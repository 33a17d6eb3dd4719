"""Store.atomic(): one transaction per outer block, a SAVEPOINT per nested block (real SQLite, no server)."""

from __future__ import annotations

import pytest

from nitrosend_nb.sandbox.store import Store


class Refused(Exception):
    """A failure raised inside a block on purpose."""


@pytest.fixture()
def store():
    store = Store()
    yield store
    store.close()


def names(store: Store) -> list[str]:
    return [doc["name"] for doc in store.query("segments", order="id ASC")]


def test_a_failed_inner_block_undoes_only_its_own_writes(store):
    with store.atomic():
        store.insert("segments", {"name": "outer before"})
        with pytest.raises(Refused), store.atomic():
            store.insert("segments", {"name": "inner"})
            store.set_meta("clock_note", "inner")
            raise Refused
        store.insert("segments", {"name": "outer after"})
    assert names(store) == ["outer before", "outer after"]
    assert store.meta("clock_note") is None


def test_an_outer_failure_undoes_the_inner_blocks_that_succeeded(store):
    with pytest.raises(Refused), store.atomic():
        with store.atomic():
            store.insert("segments", {"name": "inner"})
        store.insert("segments", {"name": "outer"})
        raise Refused
    assert names(store) == []


def test_savepoints_nest_and_the_depth_comes_back_after_a_failure(store):
    with store.atomic():
        store.insert("segments", {"name": "level 1"})
        with store.atomic():
            store.insert("segments", {"name": "level 2"})
            with pytest.raises(Refused), store.atomic():
                store.insert("segments", {"name": "level 3"})
                raise Refused
            store.insert("segments", {"name": "level 2 again"})
    assert names(store) == ["level 1", "level 2", "level 2 again"]
    # the store is back at depth 0: a new outer block is its own transaction again and rolls back as one
    with pytest.raises(Refused), store.atomic():
        store.insert("segments", {"name": "lost"})
        raise Refused
    assert names(store) == ["level 1", "level 2", "level 2 again"]
