"""Every input limit the sandbox enforces, in one place, and the checks the gate runs at the edge before any
route (or FastAPI's parser) sees a request: URL length, body size, JSON nesting depth, strings holding
control characters or unpaired surrogates, and the Liquid markup a request may carry. A file upload (a multipart
``POST /imports``, the presigned PUT of a direct upload) may be as large as an import file; JSON checks apply to
JSON bodies only. The README's sandbox section lists these figures; the limits on rendering are
:mod:`nitrosend_nb.rendering.limits`' (shared with the widgets), which the README lists beside them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from ..rendering import limits as rendering

MAX_URL_BYTES = 8 * 1024  # path + query string; longer answers 414
MAX_REQUEST_HEAD_BYTES = 1024 * 1024  # what the HTTP parser buffers, so URLs up to this size still get a JSON 414
MAX_BODY_BYTES = 1024 * 1024  # request body; larger answers 413
MAX_IMPORT_FILE_BYTES = 10 * 1024 * 1024  # a CSV to import (the imports spec's max_file_size_bytes)
MAX_IMPORT_BODY_BYTES = MAX_IMPORT_FILE_BYTES + 64 * 1024  # a file upload's body: the file plus multipart framing
MAX_JSON_DEPTH = 64  # nested arrays/objects in a body; deeper answers 400
MAX_SEARCH_LENGTH = 256  # characters of ``search`` / ``q``; longer answers 422
SEARCH_PARAMS = ("search", "q", "query")  # query: the inbox's search (GET /_sandbox/messages)
MAX_NAME_LENGTH = 255  # names of lists, segments, templates, campaigns, flows; contacts' first/last name, source
MAX_SUBJECT_LENGTH = rendering.MAX_SUBJECT_LENGTH  # subject and preheader, stored or rendered (RFC 5322's line limit)
MAX_IDEMPOTENCY_KEY_LENGTH = 128  # the spec's maxLength
MAX_URL_FIELD_LENGTH = 2048  # a URL a body names (an image to ingest, a site to scrape); longer answers 422
MAX_IMAGE_BYTES = 5 * 1024 * 1024  # an image: uploaded, sent as image_data or a data: URL; larger answers 413/422
MAX_IMAGE_PIXELS = 40_000_000  # width x height of an image; larger answers 422 (its header is read, never decoded)
MAX_INBOUND_PART_CHARS = 64 * 1024  # an inbound email's from, text and html each, as email.received carries them

# C0 controls and DEL, except tab, line feed and carriage return (which text and HTML bodies carry).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # a str holding one came from an unpaired \\uD8xx escape
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


def media_type(content_type: str) -> str:
    """A Content-Type header's media type, lower-case and without parameters (``"text/csv; charset=utf-8"`` ->
    ``"text/csv"``)."""
    return content_type.split(";")[0].strip().lower()


def is_json(content_type: str) -> bool:
    """Whether a body of ``content_type`` is read as JSON (no type, ``application/json`` or ``+json``), as
    FastAPI decides; other bodies (multipart forms, CSV files) skip the JSON checks."""
    media = media_type(content_type)
    return not media or media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def string_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored (a control character or an unpaired surrogate), or None."""
    if found := _CONTROL.search(value):
        return f"must not contain control characters (found U+{ord(found.group()):04X})"
    if found := _SURROGATE.search(value):
        return f"must not contain unpaired surrogates (found U+{ord(found.group()):04X})"
    return None


def clean_filename(name: str | None) -> str:
    """An uploaded file's name as the sandbox keeps it: its last path segment, without control characters (tab and
    line breaks included) or unpaired surrogates, at most :data:`MAX_NAME_LENGTH` characters; "" when nothing is
    left."""
    base = re.split(r"[\\/]", name or "")[-1]
    return _SURROGATE.sub("", re.sub(r"[\x00-\x1f\x7f]", "", base)).strip()[:MAX_NAME_LENGTH]


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays/objects in JSON text ``body`` (brackets inside strings do not count)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_JSON_STRING.sub(b"", body)):
        if bracket in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every (field path, string) in a decoded JSON document, keys included."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            yield child, str(key)
            yield from _strings(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}" if path else str(index))


def body_problems(document: Any) -> dict[str, list[str]]:
    """``{field: [message]}`` for each string of a decoded JSON body that cannot be stored, and for the string
    that brings the body's Liquid markup past its limits (parsing it would take seconds)."""
    problems: dict[str, list[str]] = {}
    tags = chars = 0
    over = None
    for path, text in _strings(document, ""):
        if (problem := string_problem(text)) and path not in problems:
            problems[path or "body"] = [problem]
        elif over is None and "{" in text:
            tags, chars, over = rendering.liquid_markup(text, tags, chars)
            if over is not None:
                problems[path or "body"] = [
                    f"is past the Liquid a request may carry: {rendering.LIQUID_LIMITS['liquid_markup']}"
                ]
    return problems


def query_problems(query_string: bytes) -> dict[str, list[str]]:
    """``{parameter: [message]}`` for query parameters that are too long or hold control characters."""
    problems: dict[str, list[str]] = {}
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if problem := string_problem(value):
            problems[name] = [problem]
        elif name in SEARCH_PARAMS and len(value) > MAX_SEARCH_LENGTH:
            problems[name] = [f"is too long (at most {MAX_SEARCH_LENGTH} characters)"]
    return problems
