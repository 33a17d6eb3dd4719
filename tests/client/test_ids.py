"""Id arguments are checked before any request: a bad one gets a sentence naming the argument."""

from __future__ import annotations

import numpy as np
import pytest

from nitrosend_nb.client.ids import valid_id


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda ns: ns.campaigns.get("abc"), "id must be a positive integer, got 'abc'"),
        (lambda ns: ns.contacts.update(0, first_name="x"), "id must be a positive integer, got 0"),
        (lambda ns: ns.lists.delete(None), "id must be a positive integer, got None"),
        (lambda ns: ns.templates.send_test(2.5), "id must be a positive integer, got 2.5"),
        (lambda ns: ns.templates.send_test(3, contact_id="me"), "contact_id must be a positive integer, got 'me'"),
        (lambda ns: ns.campaigns.send(1, lists=["7", "x"]), "lists must be a positive integer, got 'x'"),
        (lambda ns: ns.campaigns.send(1, segment=True), "segment must be a positive integer, got True"),
        (lambda ns: ns.domains.verify("send.example.com"), "id must be a positive integer, got 'send.example.com'"),
        (lambda ns: ns.imports.cancel(-1), "id must be a positive integer, got -1"),
    ],
)
def test_a_bad_id_names_the_argument(ns, call, message):
    with pytest.raises(ValueError) as info:
        call(ns)
    assert str(info.value) == message
    assert info.value.__cause__ is None and info.value.__context__ is None


def test_ids_from_frames_and_text_are_accepted(ns):
    assert valid_id(np.int64(3)) == valid_id(3.0) == valid_id(" 3 ") == 3
    assert ns.campaigns.get(np.int64(1))["id"] == ns.campaigns.get("1")["id"] == 1
