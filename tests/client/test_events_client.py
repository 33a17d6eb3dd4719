"""ns.events against a real sandbox: filtered frames, the time window (since / created_after), tracking with
derived idempotency keys, resuming from the newest event, typed frames on full and empty results."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest

import nitrosend_nb as nb

UTM = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"]


@pytest.fixture(scope="module")
def events(ns) -> pd.DataFrame:
    return ns.events.df()


def assert_event_dtypes(frame: pd.DataFrame) -> None:
    assert frame.index.name == "id" and str(frame.index.dtype) == "Int64"
    assert frame["amount"].dtype == "float64"
    assert all(frame[column].dtype == "string" for column in [*UTM, "event", "resource_url"])
    assert str(frame["created_at"].dtype) == "datetime64[ns, UTC]"
    assert str(frame["contact_id"].dtype) == "Int64" and str(frame["test"].dtype) == "boolean"
    assert list(frame["device_type"].cat.categories[:3]) == ["desktop", "mobile", "tablet"]


def test_every_event_in_one_typed_frame(ns, events):
    assert len(events) == ns.events.list().total > 25
    assert_event_dtypes(events)
    orders = events[events["event"] == "order_placed"]
    assert orders["amount"].notna().all() and events.loc[events["event"] != "order_placed", "amount"].isna().all()


def test_filters_and_the_time_window_select_what_the_full_frame_says(ns, events):
    start = events["created_at"].sort_values().iloc[len(events) // 3]
    later_orders = (events["created_at"] >= start) & (events["event"] == "order_placed")
    campaign = events.loc[later_orders, "utm_campaign"].dropna().mode()[0]  # the campaign with most orders since
    expected = events[later_orders & events["utm_campaign"].eq(campaign).fillna(False)]
    found = ns.events.df(created_after=start, event="order_placed", utm_campaign=campaign)
    assert len(expected) > 0 and list(found.index) == list(expected.index)
    assert list(ns.events.df(since=start.to_pydatetime(), event="order_placed", utm_campaign=campaign).index) == list(
        expected.index
    )
    end = events["created_at"].sort_values().iloc[2 * len(events) // 3]
    window = ns.events.df(since=start.isoformat(), created_before=end)
    assert set(window.index) == set(events[(events["created_at"] >= start) & (events["created_at"] < end)].index)
    assert list(ns.events.df(test=True).index) == list(events[events["test"]].index)


def test_iter_pages_through_a_window(ns, events):
    since = datetime(2026, 10, 1, tzinfo=timezone.utc)
    ids = [record["id"] for record in ns.events.iter(created_after=since)]
    assert ids == list(events[events["created_at"] >= pd.Timestamp(since)].index)
    with pytest.raises(ValueError, match="not both"):
        list(ns.events.iter(since=since, created_after=since))


def test_an_empty_result_keeps_every_column_and_dtype(ns, events):
    empty = ns.events.df(event="never_happened")
    assert empty.empty and list(empty.columns) == list(events.columns)
    assert_event_dtypes(empty)


def test_newest_is_where_to_resume(ns, events):
    newest = ns.events.newest(events)
    assert newest == events["created_at"].max() and newest.tz is not None
    assert ns.events.newest(ns.events.list(limit=5)) == pd.Timestamp(ns.events.list(limit=5)[0]["created_at"])
    assert ns.events.newest(events.iloc[:0]) is None and ns.events.newest([]) is None


def test_track_derives_a_key_so_a_rerun_counts_once(fresh_ns):
    before = fresh_ns.events.list().total
    first = fresh_ns.events.track(
        "order_placed", contact_id=3, amount=19.5, data={"order": {"id": 7}}, utm_campaign="spring-sale"
    )
    again = fresh_ns.events.track(
        "order_placed", contact_id=3, amount=19.5, data={"order": {"id": 7}}, utm_campaign="spring-sale"
    )
    assert again == first and first["idempotency_key"].startswith("nsnb-")
    assert fresh_ns.events.list().total == before + 1
    other = fresh_ns.events.track("order_placed", contact_id=3, amount=25.0)  # different arguments: a new event
    assert other["id"] != first["id"]
    keyed = fresh_ns.events.track("order_placed", contact_id=3, amount=19.5, idempotency_key="order-8")
    assert keyed["idempotency_key"] == "order-8" and keyed["id"] not in (first["id"], other["id"])
    contact = fresh_ns.contacts.get(5)
    by_email = fresh_ns.events.track("signed_up", contact_email=contact["channels"][0]["value"])
    assert by_email["contact_id"] == 5
    assert fresh_ns.events.list().total == before + 4


def test_refresh_adds_only_the_new_events(fresh_ns):
    loaded = fresh_ns.events.df(event="order_placed")
    tracked = fresh_ns.events.track("order_placed", contact_id=2, amount=42.0, idempotency_key="refresh-1")
    fresh_ns.events.track("page_viewed", contact_id=2, resource_url="https://acme.test/")  # filtered out
    refreshed = fresh_ns.events.refresh(loaded, event="order_placed")
    assert len(refreshed) == len(loaded) + 1 and tracked["id"] in refreshed.index
    assert refreshed.index.is_unique and refreshed.loc[tracked["id"], "amount"] == 42.0
    assert_event_dtypes(refreshed)
    assert len(fresh_ns.events.refresh(loaded.iloc[:0], event="order_placed")) == len(refreshed)


def test_bad_events_raise_validation_errors_naming_the_field(fresh_ns):
    with pytest.raises(nb.ValidationError) as caught:
        fresh_ns.events.track("Order Placed", contact_id=1)
    assert "event" in caught.value.validation_errors and caught.value.status == 422
    with pytest.raises(nb.ValidationError) as caught:
        fresh_ns.events.track("order_placed", contact_email="nobody@nowhere.test")
    assert "contact_email" in caught.value.validation_errors


def test_get_and_delete_but_no_update(fresh_ns):
    event = fresh_ns.events.track("page_viewed", contact_id=1, resource_url="https://acme.test/x")
    assert fresh_ns.events.get(event["id"]) == event
    assert fresh_ns.events.delete(event["id"])["id"] == event["id"]
    with pytest.raises(nb.NotFoundError):
        fresh_ns.events.get(event["id"])
    with pytest.raises(NotImplementedError):
        fresh_ns.events.update(event["id"], amount=1)
