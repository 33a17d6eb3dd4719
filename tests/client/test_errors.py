"""The error hierarchy: one readable line per error, notebook rendering, redaction."""

from __future__ import annotations

import pytest

import nitrosend_nb as nb
from nitrosend_nb import errors, redaction


def test_one_line_naming_the_call_and_each_field():
    err = nb.ValidationError(
        422,
        422,
        "Validation failed",
        {"email": ["is invalid"], "first_name": ["is too long", "is odd"]},
        "POST",
        "/contacts",
    )
    assert str(err) == "POST /contacts -> 422 Validation failed: email: is invalid; first_name: is too long, is odd"
    assert "\n" not in str(err)
    assert repr(err) == f"ValidationError({str(err)!r})"
    assert err.call == "POST /contacts" and err.validation_errors["first_name"] == ["is too long", "is odd"]


def test_field_details_are_not_repeated_when_the_message_has_them():
    err = nb.ValidationError(
        422, 422, "Validation failed: email is invalid", {"email": ["is invalid"]}, "POST", "/contacts"
    )
    assert str(err) == "POST /contacts -> 422 Validation failed: email is invalid"


def test_a_message_stating_some_field_details_is_completed_with_the_others_only():
    fields = {"columns": ["unknown column 'a'", "unknown column 'b'"], "email": ["is missing"]}
    err = nb.ValidationError(422, 422, "Validation failed: columns unknown column 'a'", fields, "POST", "/imports")
    assert str(err) == (
        "POST /imports -> 422 Validation failed: columns unknown column 'a': "
        "columns: unknown column 'b'; email: is missing"
    )


def test_hierarchy_and_exports():
    for cls in (
        nb.AuthenticationError,
        nb.NotFoundError,
        nb.ConflictError,
        nb.ValidationError,
        nb.RateLimitError,
        nb.ServerError,
        nb.TransportError,
    ):
        assert issubclass(cls, nb.NitrosendError) and getattr(errors, cls.__name__) is cls
    assert errors.error_for_status(503) is nb.ServerError and errors.error_for_status(418) is nb.NitrosendError


def test_html_rendering_is_escaped_and_lists_fields():
    err = nb.ValidationError(422, 422, "<b>bad</b>", {"html": ["<script>x</script> is unsafe"]}, "POST", "/messages")
    html = err._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;bad&lt;/b&gt;" in html
    assert "<li><code>html</code>" in html and "POST /messages" in html and "422" in html


def test_redact_masks_keys_and_given_secrets():
    assert redaction.redact("use nskey_live_abc123def456ghi789 or nskey_test_zz") == "use ****i789 or ****"
    assert redaction.redact("token=hunter2hunter2xx", ["hunter2hunter2xx"]) == "token=****r2xx"
    assert redaction.redact("short secret", ["secret"]) == "short ****"
    assert redaction.redact(None) == "None"
    assert redaction.redact("hook whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, masked whsec_****LaSw") == (
        "hook whsec_****LaSw, masked whsec_****LaSw"  # a webhook signing secret too, keeping its prefix
    )


def test_rate_limit_error_keeps_the_servers_hint():
    err = nb.RateLimitError(429, 429, "Too many", method="GET", path="/contacts", retry_after=3.0)
    assert err.retry_after == 3.0 and str(err) == "GET /contacts -> 429 Too many"


@pytest.mark.parametrize(
    "kwargs, line",
    [
        ({"message": "could not reach h:1"}, "could not reach h:1"),
        ({"message": "boom", "method": "GET", "path": "/x"}, "GET /x -> boom"),
    ],
)
def test_errors_without_status(kwargs, line):
    assert str(nb.TransportError(**kwargs)) == line


def test_errors_keep_the_sandbox_request_id(sandbox, ns):
    with pytest.raises(nb.NotFoundError) as info:
        ns.contacts.get(999_999)
    err = info.value
    assert err.request_id and err.request_id.startswith("req_")
    assert f"request_id={err.request_id!r}" in repr(err) and err.request_id not in str(err)
    with pytest.raises(nb.AuthenticationError) as refused:  # a refusal by the gate carries one too
        nb.connect(api_key="nskey_test_wrongwrongwrong1", base_url=sandbox.url, progress=False).account.get()
    assert refused.value.request_id.startswith("req_") and refused.value.request_id != err.request_id
    assert ns.request("GET", "/account").headers["X-Request-Id"].startswith("req_")


def test_an_error_without_a_request_id_has_none(scripted_server):
    scripted_server.script = [(404, {}, {"code": 404, "message": "Nope", "error": True})]
    client = nb.connect(api_key="nskey_test_scripted0000000001", base_url=scripted_server.url, progress=False)
    with pytest.raises(nb.NotFoundError) as info:
        client.lists.get(3)
    assert info.value.request_id is None and repr(info.value) == f"NotFoundError({str(info.value)!r})"
