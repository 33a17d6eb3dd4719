"""ns.suppressions and ns.domains against a real sandbox, and the failure columns of the messages frame."""

from __future__ import annotations

import pandas as pd
import pytest

import nitrosend_nb as nb

REASONS = ["hard_bounce", "soft_bounce", "complaint", "manual", "admin"]


def test_suppressions_frame_is_typed_and_filtered(ns):
    every = ns.suppressions.df()
    assert len(every) == ns.suppressions.list().total and every["active"].all()
    assert list(every["reason"].cat.categories) == REASONS
    assert str(every["event_occurred_at"].dtype) == "datetime64[ns, UTC]" and str(every.index.dtype) == "Int64"
    complaints = ns.suppressions.df(reason="complaint")
    assert len(complaints) and list(complaints.index) == list(every[every["reason"] == "complaint"].index)
    expired = ns.suppressions.df(active=False)
    assert len(expired) and not expired["active"].any() and expired["expires_at"].notna().all()
    empty = ns.suppressions.df(reason="admin")
    assert empty.empty and list(empty.columns) == list(every.columns)
    assert list(empty["reason"].cat.categories) == REASONS and str(empty["expires_at"].dtype) == "datetime64[ns, UTC]"


def test_suppressions_are_read_only(ns):
    with pytest.raises(NotImplementedError):
        ns.suppressions.create(email="a@b.test")
    with pytest.raises(NotImplementedError):
        ns.suppressions.delete(1)


def test_a_bounce_shows_in_messages_and_suppressions(fresh_ns):
    message = fresh_ns.messages.send(to="gone@bounce.test", subject="Hi", html="<p>Hi</p>")
    messages = fresh_ns.messages.df()
    row = messages.loc[message["id"]]
    assert row["status"] == "failed" and row["failure_category"] == "recipient" and row["failure_code"] == "hard_bounce"
    assert isinstance(messages["failure_category"].dtype, pd.CategoricalDtype)
    (suppressed,) = fresh_ns.suppressions.df(email="gone@bounce.test").itertuples()
    assert suppressed.reason == "hard_bounce"
    assert fresh_ns.outbox().empty


def test_domains_create_verify_delete(fresh_ns):
    domains = fresh_ns.domains.df()
    assert list(domains["status"].cat.categories) == ["pending", "verified", "failed"]
    assert list(domains["dns_setup_status"].cat.categories) == ["unchecked", "incomplete", "ready", "verified"]
    assert str(domains["verified_at"].dtype) == "datetime64[ns, UTC]"
    added = fresh_ns.domains.create("send.shop.test")
    assert added["status"] == "pending" and {r["record_type"] for r in added["dns_records"]} >= {"TXT", "CNAME"}
    assert fresh_ns.domains.verify(added["id"])["status"] == "verified"
    other = fresh_ns.domains.create("send.shop.example")
    assert fresh_ns.domains.verify(other["id"])["dns_setup_status"] == "incomplete"
    assert len(fresh_ns.domains.df()) == len(domains) + 2
    assert fresh_ns.domains.delete(other["id"]) is None  # 204, no body
    with pytest.raises(nb.NotFoundError):
        fresh_ns.domains.get(other["id"])
    with pytest.raises(nb.ValidationError) as caught:
        fresh_ns.domains.create("not a domain")
    assert "domain.name" in caught.value.validation_errors
