"""Rehearsal knobs (rate limit, error rate, latency config) and fault injection before/after processing."""

from __future__ import annotations

import inspect

import pytest
import requests
from sandbox_helpers import Api, assert_error

from nitrosend_nb.sandbox import Sandbox
from nitrosend_nb.sandbox.knobs import Knobs


def test_rate_limit_answers_429_with_retry_after(make_sandbox):
    sb = make_sandbox(contacts=5, rate_limit=0.5)
    api = Api(sb)
    assert api.get("/account").status_code == 200
    limited = api.get("/account")
    assert_error(limited, 429)
    assert limited.headers["Retry-After"].isdigit() and 1 <= int(limited.headers["Retry-After"]) <= 2
    assert requests.get(sb.root_url + "/_sandbox/outbox", timeout=30).status_code == 200  # control is never limited


def test_rate_limit_can_be_switched_off_and_on_at_runtime(make_sandbox):
    sb = make_sandbox(contacts=5, rate_limit=0.5)
    api = Api(sb)
    sb.configure(rate_limit=None)
    assert all(api.get("/account").status_code == 200 for _ in range(10))
    config = api.control("POST", "/config", json={"rate_limit": 0.25}).json()
    assert config["rate_limit"] == 0.25
    statuses = [api.get("/account").status_code for _ in range(3)]
    assert statuses[0] == 200 and statuses[1:] == [429, 429]


def test_error_rate_one_fails_everything_before_processing(make_sandbox):
    sb = make_sandbox(contacts=5, error_rate=1.0)
    api = Api(sb)
    assert_error(api.post("/contacts", json={"email": "never@x.test"}), 503)
    sb.configure(error_rate=0)
    assert api.get("/contacts").headers["X-Total-Count"] == "5"


def test_error_rate_is_seeded_and_proportional(make_sandbox):
    def statuses(seed: int) -> list[int]:
        api = Api(make_sandbox(contacts=1, error_rate=0.3, seed=seed))
        return [api.get("/account").status_code for _ in range(150)]

    first, again, other = statuses(7), statuses(7), statuses(8)
    assert first == again and first != other
    assert set(first) == {200, 503} and 25 <= first.count(503) <= 65


def test_latency_is_configurable(make_sandbox):
    sb = make_sandbox(contacts=1, latency_ms=5)
    assert requests.get(sb.root_url + "/_sandbox/config", timeout=30).json()["latency_ms"] == 5
    sb.configure(latency_ms=0)
    assert requests.get(sb.root_url + "/_sandbox/config", timeout=30).json()["latency_ms"] == 0
    assert Api(sb).get("/account").status_code == 200


def test_config_validation(api):
    response = api.control("POST", "/config", json={"error_rate": 2})
    assert "error_rate" in assert_error(response, 422)["validation_errors"]


def test_fault_before_means_not_processed(fresh_sandbox, fresh_api):
    fresh_sandbox.inject_faults(count=1, status=502, when="before", path="/contacts", method="POST")
    assert_error(fresh_api.post("/contacts", json={"email": "lost@x.test"}), 502)
    assert fresh_api.get("/contacts", params={"search": "lost@x.test"}).json() == []
    assert fresh_api.post("/contacts", json={"email": "lost@x.test"}).status_code == 201


def test_fault_after_means_processed_but_response_lost(fresh_sandbox, fresh_api):
    fresh_sandbox.inject_faults(count=1, status=504, when="after", path="/contacts", method="POST")
    assert_error(fresh_api.post("/contacts", json={"email": "ghost@x.test"}), 504)
    assert len(fresh_api.get("/contacts", params={"search": "ghost@x.test"}).json()) == 1


def test_faults_count_and_matching(fresh_sandbox, fresh_api):
    fresh_sandbox.inject_faults(count=2, status=500, when="before", path="/v1/my/lists", method="get")
    assert fresh_api.get("/contacts").status_code == 200  # other path
    assert fresh_api.post("/lists", json={"name": "x"}).status_code == 201  # other method
    assert_error(fresh_api.get("/lists"), 500)
    assert_error(fresh_api.get("/lists/1"), 500)  # sub-paths match
    assert fresh_api.get("/lists").status_code == 200  # used up


def test_fault_without_filters_hits_the_next_request(fresh_sandbox, fresh_api):
    fresh_sandbox.inject_faults(status=429)
    assert_error(fresh_api.get("/account"), 429)
    assert fresh_api.get("/account").status_code == 200


def test_faults_over_http(fresh_sandbox, fresh_api):
    response = fresh_api.control(
        "POST", "/faults", json={"count": 1, "status": 503, "when": "before", "path": "/account"}
    )
    assert response.status_code == 201 and response.json()["faults"][0]["path"] == "/account"
    assert_error(fresh_api.get("/account"), 503)
    assert requests.get(fresh_sandbox.root_url + "/_sandbox/config", timeout=30).json()["faults"] == []


@pytest.mark.parametrize("payload", [{"when": "during"}, {"status": 200}, {"count": 0}])
def test_bad_fault_requests_are_422(api, payload):
    assert_error(api.control("POST", "/faults", json=payload), 422)


def test_inject_faults_rejects_bad_when(sandbox):
    with pytest.raises(ValueError):
        sandbox.inject_faults(when="later")


def test_sandbox_configure_takes_exactly_the_knobs_arguments():
    """Sandbox.configure forwards to Knobs.configure: one signature, so a knob added to one is in the other."""
    assert inspect.signature(Sandbox.configure) == inspect.signature(Knobs.configure)
