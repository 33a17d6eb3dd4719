"""Wire behaviour against a scripted HTTP server: headers sent, retry rules per method, Retry-After forms,
error parsing and redaction."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

import nitrosend_nb as nb

KEY = "nskey_live_0123456789abcdefWXYZ"


def _client(server, **kwargs) -> nb.Nitrosend:
    return nb.connect(base_url=server.url, progress=False, **{"api_key": KEY, "retries": 3, **kwargs})


def test_every_request_carries_auth_brand_and_user_agent(scripted_server):
    scripted_server.script = [(200, {}, {"id": 1})]
    _client(scripted_server, brand_sid="brand_abc").account.get()
    headers = scripted_server.requests[0]["headers"]
    assert headers["Authorization"] == f"Bearer {KEY}"
    assert headers["X-Brand-SID"] == "brand_abc"
    assert headers["User-Agent"].startswith(f"nitrosend-nb/{nb.__version__}")
    assert scripted_server.requests[0]["path"] == "/v1/my/account"


def test_list_sends_page_and_limit_and_filters(scripted_server):
    scripted_server.script = [(200, {"X-Total-Count": "0", "X-Total-Pages": "1"}, [])]
    ns = _client(scripted_server)
    ns.messages.list(page=3, limit=50, status="sent", date=date(2026, 11, 1))
    ns.suppressions.list(active=False)
    first, second = (request["path"] for request in scripted_server.requests)
    assert first.startswith("/v1/my/messages?")
    assert {"page=3", "limit=50", "status=sent", "date=2026-11-01"} <= set(first.split("?")[1].split("&"))
    assert second.startswith("/v1/my/suppressions?") and "active=false" in second.split("?")[1].split("&")


def test_sends_always_carry_an_idempotency_key_and_retry_with_the_same_one(scripted_server):
    scripted_server.script = [
        (503, {}, {"code": 503, "message": "busy", "error": True}),
        (201, {}, {"id": 9, "status": "queued"}),
    ]
    ns = _client(scripted_server)
    assert ns.messages.send(to="a@x.test", subject="Hi", body="Hi")["id"] == 9
    keys = [r["headers"].get("Idempotency-Key") for r in scripted_server.requests]
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1]
    assert json.loads(scripted_server.requests[0]["body"]) == {
        "channel": "email",
        "to": "a@x.test",
        "subject": "Hi",
        "body": "Hi",
    }
    scripted_server.requests.clear()
    scripted_server.script = [(200, {}, {"sent": 1, "results": []})]
    ns.templates.send_test(4, email="qa@x.test", idempotency_key="mine")
    assert scripted_server.requests[0]["headers"]["Idempotency-Key"] == "mine"


def test_a_post_without_key_is_sent_exactly_once_on_5xx(scripted_server):
    scripted_server.script = [(503, {}, b"<html>Service Unavailable</html>"), (201, {}, {"id": 1})]
    with pytest.raises(nb.ServerError) as info:
        _client(scripted_server).contacts.create(email="a@x.test")
    assert len(scripted_server.requests) == 1
    assert "Idempotency-Key" not in scripted_server.requests[0]["headers"]
    assert str(info.value) == "POST /contacts -> 503 Service Unavailable"  # a non-JSON body still reads well


def test_retry_after_as_http_date_is_honoured(scripted_server, caplog):
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=1), usegmt=True)
    scripted_server.script = [
        (429, {"Retry-After": when}, {"code": 429, "message": "slow down", "error": True}),
        (200, {}, {"id": 1}),
    ]
    with caplog.at_level(logging.INFO, logger="nitrosend_nb"):
        assert _client(scripted_server).account.get() == {"id": 1}
    assert len(scripted_server.requests) == 2
    assert "rate limited (429)" in caplog.text


def test_429_without_retry_after_backs_off_then_succeeds(scripted_server):
    throttled = (429, {}, {"code": 429, "message": "slow down", "error": True})
    scripted_server.script = [throttled, throttled, (200, {}, {"id": 1})]
    assert _client(scripted_server).account.get() == {"id": 1}
    assert len(scripted_server.requests) == 3


def test_429_is_never_retried_by_urllib3_behind_the_limiter(scripted_server):
    scripted_server.script = [(429, {"Retry-After": "5"}, {"code": 429, "message": "slow down", "error": True})]
    with pytest.raises(nb.RateLimitError) as info:
        _client(scripted_server, max_wait=1).account.get()
    assert len(scripted_server.requests) == 1 and info.value.retry_after == 5


@pytest.mark.parametrize(
    "status, cls",
    [
        (400, nb.BadRequestError),
        (401, nb.AuthenticationError),
        (402, nb.PaymentRequiredError),
        (403, nb.PermissionDeniedError),
        (404, nb.NotFoundError),
        (409, nb.ConflictError),
        (422, nb.ValidationError),
        (418, nb.NitrosendError),
        (500, nb.ServerError),
    ],
)
def test_status_maps_to_one_error_class(scripted_server, status, cls):
    scripted_server.script = [(status, {}, {"code": status, "message": "Nope", "error": True})]
    with pytest.raises(cls) as info:
        _client(scripted_server, retries=0).lists.update(3, name="x")
    assert type(info.value) is cls and info.value.status == status
    assert str(info.value) == f"PATCH /lists/3 -> {status} Nope"


@pytest.mark.parametrize("key", [KEY, "custom-secret-0123456789abcdefWXYZ"])
def test_a_key_echoed_by_the_server_is_redacted_everywhere(scripted_server, caplog, key):
    body = {
        "code": 422,
        "message": f"Key {key} may not do this; nor nskey_test_otherkey99",
        "validation_errors": {"api_key": [f"{key} is revoked"]},
        "error": True,
    }
    scripted_server.script = [(422, {}, body)]
    with caplog.at_level(logging.DEBUG, logger="nitrosend_nb"), pytest.raises(nb.ValidationError) as info:
        _client(scripted_server, api_key=key).contacts.create(email="a@x.test")
    err = info.value
    rendered = [str(err), repr(err), err._repr_html_(), err.message, str(err.validation_errors), caplog.text]
    for text in rendered:
        assert key not in text and "0123456789abcdef" not in text and "otherkey99" not in text
    assert "****WXYZ" in str(err)


def test_a_503_retry_after_is_honoured_but_capped(scripted_server):
    unavailable = (503, {"Retry-After": "3600"}, {"code": 503, "message": "maintenance", "error": True})
    scripted_server.script = [unavailable, (200, {}, {"id": 1})]
    assert _client(scripted_server).account.get() == {"id": 1}  # retried after <= backoff_max, not an hour
    assert len(scripted_server.requests) == 2


def _clear_proxy_environment(monkeypatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def test_a_netrc_entry_never_replaces_the_api_key(scripted_server, monkeypatch, tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("default login someone password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))  # requests alone would send Basic auth from it instead of the key
    scripted_server.script = [(200, {}, {"id": 1})]
    assert _client(scripted_server).account.get() == {"id": 1}
    assert scripted_server.requests[0]["headers"]["Authorization"] == f"Bearer {KEY}"


def test_the_proxy_the_environment_names_carries_every_request(scripted_server, monkeypatch):
    _clear_proxy_environment(monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", scripted_server.root)  # the scripted server stands in for the proxy
    scripted_server.script = [(200, {}, {"id": 1})]
    ns = nb.connect(api_key=KEY, base_url="http://api.nitrosend.invalid/v1/my", progress=False)  # no such host
    assert ns.account.get() == {"id": 1} and ns.account.get() == {"id": 1}
    assert [r["path"] for r in scripted_server.requests] == ["http://api.nitrosend.invalid/v1/my/account"] * 2
    assert scripted_server.requests[0]["headers"]["Authorization"] == f"Bearer {KEY}"


def test_no_proxy_exempts_its_hosts_from_the_proxy(scripted_server, monkeypatch):
    _clear_proxy_environment(monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there: used, it would fail
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    scripted_server.script = [(200, {}, {"id": 1})]
    assert _client(scripted_server).account.get() == {"id": 1}
    assert scripted_server.requests[0]["path"] == "/v1/my/account"
    monkeypatch.delenv("NO_PROXY")
    with pytest.raises(nb.ConnectionFailedError):
        _client(scripted_server, retries=0).account.get()  # a new client reads the environment afresh
