"""One logging filter masks keys in the records of the loggers the project drives, urllib3's included."""

from __future__ import annotations

import logging

from nitrosend_nb.log_redaction import REDACTED_LOGGERS, RedactingFilter, install

PASTED = "nskey_live_PastedIntoSearch9876abcd"


def test_a_key_pasted_into_a_search_is_masked_in_urllib3s_debug_line(ns, caplog):
    with caplog.at_level(logging.DEBUG):
        ns.contacts.list(search=PASTED)
    lines = [record.getMessage() for record in caplog.records]
    assert any(
        record.name.startswith("urllib3") and "/contacts?" in record.getMessage() for record in caplog.records
    ), lines  # urllib3 did log the URL
    assert all("PastedIntoSearch" not in line for line in lines)
    assert "PastedIntoSearch" not in caplog.text


def test_bearer_tokens_are_masked_in_any_record_of_those_loggers(caplog):
    with caplog.at_level(logging.DEBUG):
        for name in REDACTED_LOGGERS:
            logging.getLogger(name).debug("sent %s", {"Authorization": "Bearer some-opaque-token-123456789"})
    assert len(caplog.records) == len(REDACTED_LOGGERS)
    assert "some-opaque-token" not in caplog.text and "Bearer ****6789" in caplog.text


def test_installing_again_adds_no_second_filter():
    install()
    install()
    for name in REDACTED_LOGGERS:
        assert sum(isinstance(f, RedactingFilter) for f in logging.getLogger(name).filters) == 1
