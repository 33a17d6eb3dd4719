"""Transient failures against the sandbox: 5xx, lost responses, rate limits. Nothing lost, nothing doubled."""

from __future__ import annotations

import logging

import pytest

import nitrosend_nb as nb


def test_full_fetches_under_errors_and_a_tight_rate_limit_return_exactly_the_records(make_sandbox, caplog):
    sb = make_sandbox(contacts=1000)
    expected = nb.connect(sandbox=sb, progress=False).contacts.df().index.tolist()
    sb.configure(error_rate=0.2, rate_limit=5)
    ns = nb.connect(sandbox=sb, progress=False, concurrency=4)
    with caplog.at_level(logging.INFO, logger="nitrosend_nb"):
        for _ in range(3):
            frame = ns.contacts.df()
            assert frame.index.tolist() == expected  # none lost, none duplicated, API order
    throttles = [r.getMessage() for r in caplog.records if "rate limited (429)" in r.getMessage()]
    assert throttles  # the limit was really hit and waited out
    lowered = {int(m.rsplit("concurrency now ", 1)[1]) for m in throttles}
    assert min(lowered) < 4  # every worker slowed down together


def test_a_send_whose_response_is_lost_is_retried_and_sends_once(fresh_ns, fresh_sandbox):
    fresh_sandbox.clear_outbox()
    before = fresh_ns.messages.list().total
    fresh_sandbox.inject_faults(count=1, status=503, when="after", path="/messages", method="POST")
    message = fresh_ns.messages.send(to="ada@example.test", subject="Receipt", body="Thanks")
    assert fresh_ns.messages.list().total == before + 1
    outbox = fresh_sandbox.outbox()
    assert len(outbox) == 1 and outbox[0]["message_id"] == message["id"]


def test_a_test_send_whose_response_is_lost_is_retried_and_sends_once(fresh_ns, fresh_sandbox):
    fresh_sandbox.clear_outbox()
    fresh_sandbox.inject_faults(count=2, status=502, when="after", path="/templates/1/send_test")
    result = fresh_ns.templates.send_test(1, email="qa@example.test")
    assert result["sent"] == 1
    assert len(fresh_sandbox.outbox()) == 1


def test_a_post_without_idempotency_key_is_not_retried_after_a_5xx(fresh_ns, fresh_sandbox):
    before = fresh_ns.lists.list().total
    fresh_sandbox.inject_faults(count=1, status=503, when="after", path="/lists", method="POST")
    with pytest.raises(nb.ServerError) as info:
        fresh_ns.lists.create(name="Maybe created")
    assert info.value.status == 503 and str(info.value).startswith("POST /lists -> 503 ")
    assert fresh_ns.lists.list().total == before + 1  # processed once, never twice


def test_reads_and_updates_are_retried_after_5xx(fresh_ns, fresh_sandbox):
    fresh_sandbox.inject_faults(count=3, status=503, when="before", path="/contacts", method="GET")
    assert len(fresh_ns.contacts.df()) == 250
    fresh_sandbox.inject_faults(count=1, status=500, when="after", path="/contacts/1", method="PATCH")
    assert fresh_ns.contacts.update(1, first_name="Retried")["first_name"] == "Retried"
    fresh_sandbox.inject_faults(count=1, status=504, when="after", path="/lists/1", method="DELETE")
    assert fresh_ns.lists.delete(1) is None  # the retry finds the list already deleted: the delete worked
    with pytest.raises(nb.NotFoundError):
        fresh_ns.lists.get(1)


def test_persistent_5xx_raises_server_error_after_the_retries(fresh_sandbox):
    ns = nb.connect(sandbox=fresh_sandbox, progress=False, retries=2)
    fresh_sandbox.inject_faults(count=3, status=503, when="before", path="/account")
    with pytest.raises(nb.ServerError) as info:
        ns.account.get()
    assert info.value.status == 503 and info.value.call == "GET /account"
    assert ns.account.get()["id"]  # the fourth attempt (faults used up) succeeds


def test_rate_limit_error_only_after_the_wait_budget(make_sandbox):
    sb = make_sandbox(contacts=10, rate_limit=1)
    impatient = nb.connect(sandbox=sb, progress=False, max_wait=0.5)
    impatient.account.get()  # the burst of 1
    with pytest.raises(nb.RateLimitError) as info:
        impatient.account.get()
    err = info.value
    assert err.status == 429 and err.retry_after == 1 and "max_wait=0.5" in str(err)
    patient = nb.connect(sandbox=sb, progress=False, max_wait=30)
    for _ in range(3):
        assert patient.account.get()["id"]  # waits Retry-After each time instead of failing


def test_connection_refused_is_a_transport_error(sandbox):
    ns = nb.connect(api_key=sandbox.api_key, base_url="http://127.0.0.1:9/v1/my", progress=False, retries=1)
    with pytest.raises(nb.TransportError) as info:
        ns.contacts.list()
    assert info.value.status is None and "GET /contacts" in str(info.value) and "127.0.0.1:9" in str(info.value)
