"""A raised error carries no way back to the API key: no chained requests exception, no stored request or
response, nothing in the traceback's frames (what IPython's verbose mode or a traceback with locals prints); and a
connection error prints a short traceback ending in one readable line."""

from __future__ import annotations

import traceback

import pytest
import requests

import nitrosend_nb as nb

SECRET = "nskey_live_ChainSecretValue4242wxyz"
CLOSED = "http://127.0.0.1:1/v1/my"  # nothing listens on port 1


def reachable(value: object, seen: set[int], found: list[object]) -> None:
    """Collect every object reachable from an exception: attributes, args, __cause__, __context__ (any depth)."""
    if id(value) in seen or value is None:
        return
    seen.add(id(value))
    found.append(value)
    if isinstance(value, dict):
        for key, item in value.items():
            reachable(key, seen, found)
            reachable(item, seen, found)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            reachable(item, seen, found)
    elif isinstance(value, BaseException):
        for item in (value.args, vars(value), value.__cause__, value.__context__):
            reachable(item, seen, found)
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        reachable(vars(value), seen, found)


def frame_locals(error: BaseException) -> list[tuple[str, str, object]]:
    """(module, variable, value) of every frame of the traceback of ``error`` and of every chained exception."""
    found, chain = [], [error]
    while chain:
        exc = chain.pop()
        tb = exc.__traceback__
        while tb is not None:
            module = tb.tb_frame.f_globals.get("__name__", "")
            found += [(module, name, value) for name, value in tb.tb_frame.f_locals.items()]
            tb = tb.tb_next
        chain += [e for e in (exc.__cause__, exc.__context__) if e is not None]
    return found


def assert_holds_no_key(error: BaseException) -> None:
    objects: list[object] = []
    reachable(error, set(), objects)
    for value in objects:
        assert not isinstance(value, (requests.PreparedRequest, requests.Response, requests.RequestException))
        if isinstance(value, (str, bytes)):
            assert "ChainSecretValue" not in (value if isinstance(value, str) else value.decode("latin-1"))
    assert error.__cause__ is None and error.__context__ is None
    for module, name, value in frame_locals(error):
        assert not module.startswith(("requests", "urllib3")), f"a {module} frame is in the traceback"
        assert not isinstance(value, (requests.PreparedRequest, requests.Response)), f"{module}: {name}"
        assert "ChainSecretValue" not in repr(value), f"{module}: local {name!r} shows the key"
    with_locals = "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format())
    assert "ChainSecretValue" not in with_locals


def test_a_refused_connection_leaves_no_path_to_the_key():
    ns = nb.connect(api_key=SECRET, base_url=CLOSED, progress=False, retries=1)
    with pytest.raises(nb.TransportError) as info:
        ns.contacts.list()
    assert_holds_no_key(info.value)


@pytest.mark.parametrize("call", ["not found", "invalid", "server error"])
def test_errors_from_a_sandbox_leave_no_path_to_the_key(make_sandbox, call):
    sb = make_sandbox(contacts=5, api_key=SECRET)
    ns = nb.connect(api_key=SECRET, base_url=sb.url, progress=False, retries=1)
    if call == "server error":
        sb.inject_faults(count=5, status=503, when="before")
    action = {
        "not found": lambda: ns.contacts.get(10**6),
        "invalid": lambda: ns.contacts.create(email="nope"),
        "server error": lambda: ns.account.get(),
    }[call]
    with pytest.raises(nb.NitrosendError) as info:
        action()
    assert_holds_no_key(info.value)


def test_a_connection_error_prints_a_short_traceback_ending_in_one_readable_line():
    ns = nb.connect(api_key=SECRET, base_url=CLOSED, progress=False, retries=1)
    with pytest.raises(nb.TransportError) as info:
        ns.contacts.list()
    lines = "".join(traceback.format_exception(info.value)).splitlines()
    assert lines[-1] == (
        "nitrosend_nb.errors.ConnectionFailedError: GET /contacts -> could not reach 127.0.0.1:1: connection refused"
    )
    assert len(lines) <= 22, "\n".join(lines)  # 7 frames (the strict-filter check is one) and the one line
    assert not any("During handling" in line or "direct cause" in line for line in lines)
