"""Bad input at the edge: size, depth, control characters, unpaired surrogates, field limits and nulls; every
refusal in the JSON error shape, nothing stored, and the sandbox still healthy afterwards."""

from __future__ import annotations

import pytest
import requests
from sandbox_helpers import assert_error

from nitrosend_nb.sandbox import limits
from nitrosend_nb.sandbox.services.models import is_email

JSON = {"Content-Type": "application/json"}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("path", ["/contacts", "/lists", "/flows", "/segments/count", "/templates/1/send_test"])
def test_deeply_nested_json_is_a_400_not_a_500(api, path):
    response = api.post(path, data='{"data": {"x": ' + nested(400) + '}, "name": "n"}', headers=JSON)
    body = assert_error(response, 400)
    assert f"deeper than {limits.MAX_JSON_DEPTH}" in body["message"]


def test_nesting_up_to_the_limit_is_still_parsed(fresh_api):
    payload = '{"email": "deep@x.test", "data": {"x": ' + nested(limits.MAX_JSON_DEPTH - 2) + "}}"
    assert fresh_api.post("/contacts", data=payload, headers=JSON).status_code == 201


def test_brackets_inside_strings_do_not_count_as_nesting():
    assert limits.json_depth(b'{"a": "[[[[[[[[[[", "b": [1, {"c": "]]]\\"[["}]}') == 3


def test_an_unpaired_surrogate_in_a_filter_value_is_a_422_naming_it(api):
    filters = [{"name": "contact_email", "predicate": "cont", "value": "\ud800"}]
    body = assert_error(api.post("/segments/count", json={"filters": filters}), 422)
    assert list(body["validation_errors"]) == ["filters.0.value"]
    assert "surrogate" in body["validation_errors"]["filters.0.value"][0]


def test_an_unpaired_surrogate_in_message_data_is_refused_and_the_inbox_keeps_working(fresh_sandbox, fresh_api):
    sent = fresh_api.send(
        "k-surrogate", channel="email", to="a@b.co", subject="Hi {{ x }}", body="b", data={"x": "\udc00"}
    )
    assert "data.x" in assert_error(sent, 422)["validation_errors"]
    assert fresh_sandbox.outbox() == []
    assert requests.get(fresh_sandbox.root_url + "/_sandbox/", timeout=30).status_code == 200


def test_a_valid_surrogate_pair_is_just_an_emoji(fresh_api):
    created = fresh_api.post("/contacts", json={"email": "emoji@x.test", "first_name": "Ada \U0001f600"})
    assert created.status_code == 201 and created.json()["first_name"] == "Ada \U0001f600"


def test_search_longer_than_the_cap_is_a_422(api):
    for params in ({"search": "a" * (limits.MAX_SEARCH_LENGTH + 1)}, {"q": "b" * 5_000}):
        path = "/contacts" if "search" in params else "/contacts/search"
        body = assert_error(api.get(path, params=params), 422)
        assert "too long" in next(iter(body["validation_errors"].values()))[0]
    assert api.get("/contacts", params={"search": "a" * limits.MAX_SEARCH_LENGTH}).status_code == 200


def test_a_nul_in_a_search_is_refused_not_a_match_for_everyone(api):
    body = assert_error(api.get("/contacts", params={"search": "\x00"}), 422)
    assert "control characters" in body["validation_errors"]["search"][0]


def test_the_email_check_refuses_control_characters(fresh_api):
    assert not is_email("ada\x00@example.com") and not is_email("ada\x07@example.com")
    body = assert_error(fresh_api.post("/contacts", json={"email": "ada\x00x@example.com"}), 422)
    assert list(body["validation_errors"]) == ["email"]
    assert fresh_api.get("/contacts", params={"search": "adax@example.com"}).json() == []


def test_tabs_and_newlines_stay_allowed_in_text(fresh_api):
    created = fresh_api.post("/templates", json={"name": "T", "body": "line 1\n\tline 2\r\n"})
    assert created.status_code == 201


def test_a_huge_name_is_a_422_and_a_huge_body_a_413(fresh_api):
    too_long = assert_error(fresh_api.post("/contacts", json={"email": "n@x.test", "first_name": "x" * 1000}), 422)
    assert too_long["validation_errors"]["first_name"] == [f"is too long (at most {limits.MAX_NAME_LENGTH} characters)"]
    huge = fresh_api.post("/lists", json={"name": "x" * (limits.MAX_BODY_BYTES + 1)})
    assert "larger than" in assert_error(huge, 413)["message"]
    assert fresh_api.get("/contacts", params={"search": "n@x.test"}).json() == []


def test_a_long_idempotency_key_is_a_422(fresh_api):
    response = fresh_api.send(
        "k" * (limits.MAX_IDEMPOTENCY_KEY_LENGTH + 1), channel="sms", to="+447700900123", body="b"
    )
    assert "Idempotency-Key" in assert_error(response, 422)["validation_errors"]


@pytest.mark.parametrize("length", [limits.MAX_URL_BYTES + 1, 200_000])
def test_a_very_long_url_is_a_json_414_not_a_connection_reset(api, length):
    response = api.get("/contacts", params={"tag": "t" * length})
    assert "URL longer than" in assert_error(response, 414)["message"]


def test_a_null_list_name_is_refused(fresh_api):
    body = assert_error(fresh_api.patch("/lists/1", json={"name": None}), 422)
    assert body["validation_errors"] == {"name": ["must not be null"]}
    assert fresh_api.get("/lists/1").json()["name"]


def test_template_theme_values_must_be_strings(fresh_api):
    design = {"sections": [], "theme": {"brand_color": 7}}
    body = assert_error(fresh_api.post("/templates", json={"name": "T", "design": design}), 422)
    assert body["validation_errors"] == {"design.theme.brand_color": ["must be a string"]}


def test_years_before_1000_keep_four_digits(fresh_api):
    campaign = fresh_api.post("/campaigns", json={"name": "Old", "scheduled_at": "0776-02-16T10:00:00Z"}).json()
    assert campaign["scheduled_at"] == "0776-02-16T10:00:00Z"


def test_a_union_field_gets_one_plain_sentence(api):
    body = assert_error(api.post("/templates/3/send_test", json={"email": "nope"}), 422)
    assert body["validation_errors"] == {"email": ["is not a valid email address"]}
    assert body["message"] == "Validation failed: email is not a valid email address"


def test_head_answers_like_get_without_a_body(api):
    get, head = api.get("/contacts", params={"limit": 3}), api.request("HEAD", "/contacts", params={"limit": 3})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["X-Total-Count"] == get.headers["X-Total-Count"]
    assert head.headers["Content-Length"] == get.headers["Content-Length"]
    assert api.request("HEAD", "/contacts/999999").status_code == 404
