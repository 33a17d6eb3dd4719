"""The client's e-mail rule and the sandbox's are written apart (the client never imports sandbox code) and must
agree: a form accepts exactly the addresses the service accepts."""

from __future__ import annotations

import pytest

from nitrosend_nb.client.addresses import is_email as client_is_email
from nitrosend_nb.sandbox.services.models import is_email as sandbox_is_email
from nitrosend_nb.widgets.validation import parse_address

GOOD = [
    "ada@example.com",
    "a.b+tag@mail.example.co.uk",
    "o'brien@example.ie",
    "x_y@sub-domain.example.org",
    "1@2.io",
    "\u00e9l\u00e8ve@example.fr",
    "a@b.c",
    "a@b-c.d-e",
    "a@b.-c",
]
BAD = [
    "",
    "ada",
    "ada@",
    "@example.com",
    "ada@example",
    "a b@example.com",
    "a@b@example.com",
    "a,b@example.com",
    "a;b@example.com",
    "<a>@example.com",
    'a"b@example.com',
    "a(b)@example.com",
    "a:b@example.com",
    "a@-example.com",
    "a@example-.com",
    "a@exa_mple.com",
    "a@example..com",
    "a@example.com.",
    "a@.example.com",
    "a@example.c_m",
    "a@ex ample.com",
    "a\t@example.com",
    "a@example.com,b@example.com",
    "ada@example.com\n",  # a regex ending in "$" alone lets a trailing newline through
]


@pytest.mark.parametrize("address", GOOD + BAD)
def test_client_and_sandbox_agree(address):
    assert client_is_email(address) == sandbox_is_email(address)


def test_the_lists_mean_what_they_say():
    assert all(map(client_is_email, GOOD)) and not any(map(client_is_email, BAD))


def test_parse_address_applies_the_rule_after_stripping_like_the_api():
    assert parse_address("  o'brien@example.ie ") == "o'brien@example.ie"
    for bad in ("a@exa_mple.com", "a(b)@example.com", "a@-example.com"):
        with pytest.raises(ValueError, match="not a valid e-mail address"):
            parse_address(bad)
