"""Auth and the JSON error shape: 401, 404, 400, 405, 422; never HTML, never a stack trace."""

from __future__ import annotations

import pytest
import requests
from sandbox_helpers import Api, assert_error

RESOURCE_PATHS = ["/contacts", "/lists", "/segments", "/campaigns", "/templates", "/flows", "/messages"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer nskey_test_wrong"},
        {"Authorization": "nskey_test_sandbox"},
        {"Authorization": "Basic bnNrZXlfdGVzdF9zYW5kYm94"},
    ],
)
def test_requests_without_the_right_bearer_key_get_401(sandbox, headers):
    response = requests.get(sandbox.url + "/account", headers=headers, timeout=30)
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_custom_api_key_is_the_only_one_accepted(make_sandbox):
    sb = make_sandbox(api_key="nskey_test_custom", contacts=5)
    assert Api(sb).get("/account").status_code == 200
    assert_error(Api(sb, key="nskey_test_sandbox").get("/account"), 401)


def test_api_key_never_appears_in_the_repr(sandbox):
    assert sandbox.api_key not in repr(sandbox)
    assert sandbox.url in repr(sandbox)


def test_unknown_route_is_a_json_404(api):
    body = assert_error(api.get("/no-such-thing"), 404)
    assert "/v1/my/no-such-thing" in body["message"]


def test_unknown_route_outside_the_api_is_a_json_404(sandbox):
    assert_error(requests.get(sandbox.root_url + "/nowhere", timeout=30), 404)


@pytest.mark.parametrize("path", RESOURCE_PATHS)
def test_unknown_id_is_404(api, path):
    assert_error(api.get(f"{path}/999999"), 404)


@pytest.mark.parametrize("path", ["/contacts/abc", "/campaigns/1.5", "/flows/-"])
def test_non_integer_id_is_404(api, path):
    assert_error(api.get(path), 404)


@pytest.mark.parametrize(
    "method,path",
    [
        ("PATCH", "/contacts/999999"),
        ("DELETE", "/lists/999999"),
        ("PATCH", "/flows/999999"),
        ("DELETE", "/campaigns/999999"),
        ("POST", "/campaigns/999999/send"),
        ("POST", "/templates/999999/send_test"),
        ("PATCH", "/segments/999999"),
        ("PATCH", "/templates/999999"),
    ],
)
def test_writes_to_unknown_ids_are_404(fresh_api, method, path):
    assert_error(fresh_api.request(method, path, json={}), 404)


@pytest.mark.parametrize(
    "path",
    [
        "/contacts",
        "/messages",
        "/campaigns",
        "/lists",
        "/flows",
        "/segments",
        "/templates",
        "/templates/preview",
        "/segments/count",
    ],
)
def test_malformed_json_is_400(fresh_api, path):
    response = fresh_api.post(path, data='{"name": "x",', headers={"Content-Type": "application/json"})
    body = assert_error(response, 400)
    assert "JSON" in body["message"]


def test_wrong_method_is_a_json_405(api):
    assert_error(api.request("PUT", "/account"), 405)


@pytest.mark.parametrize(
    "path,payload,field",
    [
        ("/campaigns", {}, "name"),
        ("/lists", {}, "name"),
        ("/segments", {"filters": []}, "name"),
        ("/templates", {"subject": "x"}, "name"),
        ("/flows", {"status": "draft"}, "name"),
        ("/messages", {"to": "a@b.co"}, "channel"),
        ("/messages", {"channel": "email"}, "to"),
    ],
)
def test_missing_required_fields_are_422_per_field(fresh_api, path, payload, field):
    body = assert_error(fresh_api.post(path, json=payload), 422)
    assert field in body["validation_errors"]
    assert all(isinstance(m, str) for msgs in body["validation_errors"].values() for m in msgs)


@pytest.mark.parametrize(
    "path,payload,field",
    [
        ("/contacts", {"email": "not-an-email"}, "email"),
        ("/contacts", {"email": "a@b.co", "phone": "0123"}, "phone"),
        ("/contacts", {"email": "a@b.co", "country_code": "Britain"}, "country_code"),
        ("/contacts", {"email": "a@b.co", "list_ids": "1"}, "list_ids"),
        ("/contacts", {"email": "a@b.co", "data": [1, 2]}, "data"),
        ("/campaigns", {"name": "x", "channel": "fax"}, "channel"),
        ("/campaigns", {"name": 42}, "name"),
        ("/flows", {"name": "x", "status": "running"}, "status"),
        ("/flows", {"name": "x", "steps": [{"type": "teleport"}]}, "steps.0.type"),
        ("/flows", {"name": "x", "steps": [{"type": "wait", "duration": "soon"}]}, "steps.0.duration"),
        ("/templates", {"name": "x", "from_email": "nope"}, "from_email"),
        ("/templates", {"name": "x", "design": {"sections": [{"type": "carousel"}]}}, "design.sections.0.type"),
        ("/messages", {"channel": "email", "to": "nope", "subject": "s", "body": "b"}, "to"),
        ("/messages", {"channel": "pigeon", "to": "a@b.co"}, "channel"),
        ("/lists", {"name": "x", "contact_ids": ["a"]}, "contact_ids.0"),
        ("/segments", {"name": "x", "filters": [{"name": "contact_email", "predicate": "eq"}]}, "filters.0.value"),
        (
            "/segments/count",
            {"filters": [{"name": "contact_created_at", "predicate": "gt", "value": "0001-01-01T00:00:00+01:00"}]},
            "filters.0.value",
        ),
        ("/campaigns", {"name": "x", "scheduled_at": "0001-01-01T00:00:00+01:00"}, "scheduled_at"),
    ],
)
def test_bad_types_enums_and_emails_are_422_per_field(fresh_api, path, payload, field):
    body = assert_error(fresh_api.post(path, json=payload), 422)
    assert field in body["validation_errors"], body


def test_json_body_that_is_not_an_object_is_422(fresh_api):
    assert_error(fresh_api.post("/contacts", json=[1, 2, 3]), 422)


def test_errors_are_never_html_or_tracebacks(fresh_api):
    probes = [
        fresh_api.post("/contacts", data=b"\xff\xfe", headers={"Content-Type": "application/json"}),
        fresh_api.post("/messages", json={"channel": "email", "to": "a@b.co", "subject": {"x": 1}}),
        fresh_api.get("/contacts", params={"page": "abc"}),
        fresh_api.get("/contacts", params={"limit": "-1"}),
        fresh_api.post(
            "/segments/count",
            json={"filters": [{"name": "contact_created_at", "predicate": "gt", "value": "yesterday"}]},
        ),
    ]
    for response in probes:
        assert 400 <= response.status_code < 500, response.text
        assert response.headers["content-type"].startswith("application/json")
        assert "Traceback" not in response.text and "<html" not in response.text.lower()
        assert response.json()["error"] is True


def test_sandbox_control_endpoints_need_no_key(sandbox):
    assert requests.get(sandbox.root_url + "/_sandbox/outbox", timeout=30).status_code == 200
    assert requests.get(sandbox.root_url + "/_sandbox/config", timeout=30).status_code == 200


def test_openapi_docs_page_is_served(sandbox):
    response = requests.get(sandbox.root_url + "/docs", timeout=30)
    assert response.status_code == 200 and "swagger" in response.text.lower()
    schema = requests.get(sandbox.root_url + "/openapi.json", timeout=30).json()
    assert "/v1/my/contacts" in schema["paths"]


BIG = 10**25


@pytest.mark.parametrize(
    "method,path,kwargs,status",
    [
        ("GET", f"/contacts/{BIG}", {}, 404),
        ("GET", "/contacts/0", {}, 404),
        ("GET", "/contacts", {"params": {"page": BIG}}, 422),
        ("GET", "/contacts", {"params": {"list_id": BIG}}, 422),
        ("POST", "/contacts", {"json": {"email": "a@b.co", "list_ids": [BIG]}}, 422),
        ("POST", "/lists", {"json": {"name": "x", "contact_ids": [BIG]}}, 422),
        ("POST", "/messages", {"json": {"channel": "email", "to": "a@b.co", "template_id": BIG}}, 422),
        ("POST", "/templates/1/send_test", {"json": {"contact_id": BIG}}, 422),
        ("PATCH", "/campaigns/1", {"json": {"trigger_attributes": {"segment_id": BIG}}}, 422),
        (
            "POST",
            "/contacts",
            {"data": '{"email": "a@b.co", "data": {"x": NaN}}', "headers": {"Content-Type": "application/json"}},
            422,
        ),
        ("POST", "/contacts", {"json": {"channels_attributes": [{"kind": "email", "value": "bad"}]}}, 422),
    ],
)
def test_out_of_range_and_non_json_numbers_are_client_errors(fresh_api, method, path, kwargs, status):
    assert_error(fresh_api.request(method, path, **kwargs), status)
