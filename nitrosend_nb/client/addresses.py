"""E-mail addresses: the client's one rule for what the API accepts (forms and the mail merge check it before any
request)."""

from __future__ import annotations

import re

__all__ = ["is_email"]

# The client's one e-mail rule, the API's own: a local part without spaces, control characters or any of
# <>(),;:" (so never a list separator), an "@", then a host name of dot-separated labels (letters, digits, hyphens;
# the first label neither starts nor ends with a hyphen) with at least one dot. Written here, not imported from the
# sandbox, which is an independent implementation of the same contract; tests/widgets/test_email_rule.py feeds both
# the same addresses and checks they agree, so neither a form nor a merge accepts an address the service refuses.
_LOCAL = r"[^@\s<>(),;:\"\x00-\x1f\x7f]+"
_FIRST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"{_LOCAL}@{_FIRST_LABEL}(?:\.[A-Za-z0-9-]+)+")


def is_email(text: str) -> bool:
    """Whether ``text`` (exactly, no surrounding spaces) is an e-mail address the API accepts."""
    return _ADDRESS.fullmatch(text or "") is not None
