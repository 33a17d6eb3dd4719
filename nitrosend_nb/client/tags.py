"""A message's ``tags``: the one check of them before any request (``messages.send`` and the mail merge)."""

from __future__ import annotations

from collections.abc import Mapping

#: Tag keys Nitrosend sets itself; a send naming one is refused.
RESERVED_TAGS = ("account_id", "brand_id", "message_id")


def check_tags(tags: object) -> dict:
    """``tags`` as the API takes them: an object of string, number or boolean values under non-blank keys, none of
    them reserved. ValueError naming the problem otherwise (before any request)."""
    if not isinstance(tags, Mapping):
        kind = "a list" if isinstance(tags, (list, tuple, set)) else type(tags).__name__
        raise ValueError(
            f"tags must be a dict {{key: str | int | float | bool}}, not {kind}; "
            "e.g. tags={'campaign': 'welcome', 'step': 1}"
        )
    for key, value in tags.items():
        if not isinstance(key, str) or not key.strip():
            raise ValueError(f"tags keys must be non-blank strings, got {key!r}")
        if key in RESERVED_TAGS:
            raise ValueError(f"tags key {key!r} is reserved ({', '.join(RESERVED_TAGS)} are set by Nitrosend)")
        if value is None or not isinstance(value, (str, int, float, bool)):
            raise ValueError(f"tags[{key!r}] must be a string, number or boolean, got {type(value).__name__}")
    return dict(tags)
