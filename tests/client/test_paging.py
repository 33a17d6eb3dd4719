"""Exact totals across page boundaries, API order, de-duplication, max_rows and the progress bar."""

from __future__ import annotations

import math

import pytest

import nitrosend_nb as nb


@pytest.mark.parametrize("count", [0, 1, 100, 101, 2500])
def test_every_contact_exactly_once(make_sandbox, count):
    sb = make_sandbox(contacts=count)
    ns = nb.connect(sandbox=sb, progress=False)
    page = ns.contacts.list()
    assert page.total == count and page.total_pages == max(1, math.ceil(count / 25))
    assert len(page) == min(25, count)
    frame = ns.contacts.df()
    assert len(frame) == count and frame.index.is_unique
    assert sorted(frame.index) == list(range(1, count + 1))
    assert frame.index.is_monotonic_decreasing  # the API's order (newest first) is kept
    assert sum(1 for _ in ns.contacts.iter()) == count
    if count == 0:
        assert list(frame.columns) == [c for c in ns.contacts.schema.columns if c != "id"]


@pytest.mark.parametrize("max_rows", [1, 99, 100, 101, 250])
def test_max_rows_stops_early(ns, max_rows):
    frame = ns.contacts.df(max_rows=max_rows)
    assert len(frame) == max_rows
    assert frame.index.tolist() == ns.contacts.df().index[:max_rows].tolist()


def test_records_shifting_between_pages_are_not_duplicated(fresh_ns):
    """A contact created while pages are fetched pushes every record one place down (newest first):
    the last record of page 1 reappears on page 2 and must be yielded once."""
    original = fresh_ns.contacts.df().index.tolist()
    seen = []
    for record in fresh_ns.contacts.iter():
        if not seen:
            fresh_ns.contacts.create(email="shift@example.test")
        seen.append(record["id"])
    assert len(seen) == len(set(seen))
    assert seen == original


def test_records_pushed_past_the_planned_last_page_are_still_fetched(make_sandbox):
    """300 contacts are 3 full pages; 5 created after page 1 push the 5 oldest onto a 4th page, which the
    first response did not announce: the fetch follows X-Next-Page and loses none of them."""
    ns = nb.connect(sandbox=make_sandbox(contacts=300), progress=False)
    original = ns.contacts.df().index.tolist()
    seen = []
    for record in ns.contacts.iter():
        if not seen:
            for n in range(5):
                ns.contacts.create(email=f"late{n}@example.test")
        seen.append(record["id"])
    assert len(seen) == len(set(seen)) == 300
    assert seen == original


def test_stopping_iteration_early_leaves_the_client_usable(fresh_ns):
    iterator = fresh_ns.contacts.iter()
    first = [next(iterator) for _ in range(150)]
    iterator.close()
    assert len({r["id"] for r in first}) == 150
    assert fresh_ns.contacts.list().total == 250


def test_progress_bar_names_the_resource_not_the_key(make_sandbox, capsys):
    sb = make_sandbox(contacts=250, api_key="nskey_live_progressSECRET1234")
    nb.connect(sandbox=sb, progress=True).contacts.df()
    err = capsys.readouterr().err
    assert "contacts" in err and "page" in err
    assert "progressSECRET" not in err and "nskey_live" not in err


def test_no_progress_bar_when_disabled_or_for_one_page(sandbox, capsys):
    nb.connect(sandbox=sandbox, progress=False).contacts.df()
    nb.connect(sandbox=sandbox, progress=True).lists.df()  # a single page
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
