"""/_sandbox writes need what a cross-site HTML form cannot send (the key as Bearer, a JSON body) and refuse
cross-site requests; reading the inbox and the outbox stays open to a browser."""

from __future__ import annotations

import pytest
import requests
from sandbox_helpers import Api, assert_error

WRITES = [("POST", "/reset"), ("POST", "/faults"), ("POST", "/config"), ("DELETE", "/outbox")]


def test_a_cross_site_form_cannot_reset_the_sandbox(fresh_sandbox, fresh_api):
    fresh_api.post("/contacts", json={"email": "kept@x.test"})
    form = requests.post(
        fresh_sandbox.root_url + "/_sandbox/reset",
        data={"x": "1"},
        timeout=30,
        headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert_error(form, 403)
    plain_form = requests.post(fresh_sandbox.root_url + "/_sandbox/reset", data={"x": "1"}, timeout=30)
    assert_error(plain_form, 401)
    assert len(fresh_api.get("/contacts", params={"search": "kept@x.test"}).json()) == 1


@pytest.mark.parametrize("method,path", WRITES)
def test_every_control_write_needs_the_key(fresh_sandbox, method, path):
    response = requests.request(method, fresh_sandbox.root_url + "/_sandbox" + path, json={}, timeout=30)
    assert_error(response, 401)
    wrong = requests.request(
        method,
        fresh_sandbox.root_url + "/_sandbox" + path,
        json={},
        timeout=30,
        headers={"Authorization": "Bearer nskey_test_wrong"},
    )
    assert_error(wrong, 401)


@pytest.mark.parametrize("method,path", WRITES)
def test_a_cross_site_request_is_refused_even_with_the_key(fresh_sandbox, method, path):
    api = Api(fresh_sandbox)
    assert_error(api.control(method, path, headers={"Origin": "http://evil.example"}), 403)
    assert_error(api.control(method, path, headers={"Sec-Fetch-Site": "same-site"}), 403)


def test_a_body_that_is_not_json_is_refused(fresh_sandbox):
    response = requests.post(
        fresh_sandbox.root_url + "/_sandbox/reset",
        data="x",
        timeout=30,
        headers={"Authorization": f"Bearer {fresh_sandbox.api_key}", "Content-Type": "text/plain"},
    )
    assert_error(response, 415)


def test_the_owner_still_controls_the_sandbox(fresh_sandbox):
    api = Api(fresh_sandbox)
    same_origin = {"Origin": fresh_sandbox.root_url, "Sec-Fetch-Site": "same-origin"}
    assert api.control("POST", "/reset", headers=same_origin).json() == {"reset": True}
    assert api.control("POST", "/config", json={"latency_ms": 1}).json()["latency_ms"] == 1
    assert api.control("DELETE", "/outbox").json() == {"deleted": 0}


def test_reading_the_inbox_and_outbox_stays_open(sandbox):
    headers = {"Origin": "http://elsewhere.example", "Sec-Fetch-Site": "cross-site"}
    assert requests.get(sandbox.root_url + "/_sandbox/", headers=headers, timeout=30).status_code == 200
    assert requests.get(sandbox.root_url + "/_sandbox/outbox", timeout=30).status_code == 200
