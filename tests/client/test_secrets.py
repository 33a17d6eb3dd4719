"""The API key never appears in a repr, an error, a log line or progress output."""

from __future__ import annotations

import logging

import pytest

import nitrosend_nb as nb

SECRET = "nskey_live_TopSecretValue7777abcd"
WRONG = "nskey_live_WrongGuessValue5555wxyz"


def test_no_key_in_reprs_errors_logs_or_progress(make_sandbox, caplog, capsys):
    sb = make_sandbox(contacts=300, api_key=SECRET)
    texts = []
    with caplog.at_level(logging.DEBUG):  # every logger, urllib3 included
        ns = nb.connect(api_key=SECRET, base_url=sb.url, progress=True)
        texts += [repr(ns), repr(ns.contacts), repr(ns.account)]
        ns.contacts.df()
        ns.messages.send(to="ada@example.test", subject="Hi", body="Hi")
        failures = []
        for call in (
            lambda: ns.contacts.get(10**6),
            lambda: ns.contacts.create(first_name="x"),
            lambda: nb.connect(api_key=WRONG, base_url=sb.url).account.get(),
            lambda: ns.outbox(),
        ):
            with pytest.raises(nb.NitrosendError) as info:
                call()
            failures.append(info.value)
    assert isinstance(failures[2], nb.AuthenticationError)
    for err in failures:
        texts += [str(err), repr(err), err._repr_html_()]
    captured = capsys.readouterr()
    texts += [caplog.text, captured.out, captured.err]
    assert "contacts" in captured.err  # the progress bar was drawn
    assert any("GET /contacts" in r.getMessage() for r in caplog.records)  # requests were logged
    for text in texts:
        for secret in (SECRET, WRONG, "TopSecretValue", "WrongGuessValue"):
            assert secret not in text


def test_a_key_with_a_trailing_newline_works_and_never_leaks_through_a_chained_error(make_sandbox):
    sb = make_sandbox(api_key=SECRET)
    ns = nb.connect(api_key=SECRET + "\n", base_url=sb.url)  # as read from a file
    assert ns.account.get()["id"]
    bad = nb.connect(api_key="nskey_live_Broken\nHeader9999abcd", base_url=sb.url)  # requests refuses the header
    with pytest.raises(nb.TransportError) as info:
        bad.account.get()
    err = info.value
    assert err.__cause__ is None and err.__context__ is None  # the traceback shows no chained requests error
    assert "Broken" not in str(err) and "Broken" not in repr(err)
