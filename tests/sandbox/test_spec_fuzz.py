"""A bounded spec-driven fuzz run: schemathesis generates valid and invalid requests for every /v1/my operation of
the published OpenAPI description (skipped when it is absent) and sends them to a live sandbox. No answer may be a
5xx, and every error must come in the JSON error shape. Derandomized, so a run is reproducible."""

from __future__ import annotations

import json

import pytest
import requests

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402  (schemathesis brings hypothesis)
from hypothesis.configuration import set_hypothesis_home_dir  # noqa: E402

EXAMPLES_PER_OPERATION = 6  # per generation mode: the run takes well under a minute on 2 cores
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def problem_with(response: schemathesis.Response) -> str | None:
    """Why ``response`` breaks the contract (a 5xx, or an error that is not the JSON error shape), or None."""
    if response.status_code >= 500:
        return f"{response.status_code}: {response.text[:200]}"
    if response.status_code < 400:
        return None
    content_type = (response.headers.get("content-type") or [""])[0]  # schemathesis keeps every value of a header
    if not content_type.startswith("application/json"):
        return f"{response.status_code} with content-type {content_type!r}"
    try:
        body = json.loads(response.content)
    except ValueError:
        return f"{response.status_code} with a body that is not JSON: {response.text[:200]}"
    if not (isinstance(body, dict) and body.get("error") is True and body.get("message")):
        return f"{response.status_code} not in the error shape: {response.text[:200]}"
    return None


@pytest.fixture
def hypothesis_home(tmp_path):
    """Hypothesis keeps its caches in a temporary folder, not in ./.hypothesis of the repository."""
    set_hypothesis_home_dir(tmp_path / "hypothesis")
    yield
    set_hypothesis_home_dir(None)


def test_the_spec_fuzz_gets_no_server_error_and_only_json_errors(openapi_spec, make_sandbox, hypothesis_home):
    sb = make_sandbox(contacts=20, seed=0)
    schema = schemathesis.openapi.from_dict(openapi_spec)
    auth = {"Authorization": f"Bearer {sb.api_key}"}
    problems: list[str] = []
    sent = 0
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [operation for operation in operations if operation.path.startswith("/v1/my/")]
    assert len(operations) > 40

    for operation in operations:
        strategy = operation.as_strategy(schemathesis.GenerationMode.POSITIVE) | operation.as_strategy(
            schemathesis.GenerationMode.NEGATIVE
        )

        @FUZZ_SETTINGS
        @given(case=strategy)
        def send(case) -> None:
            nonlocal sent
            try:
                response = case.call(base_url=sb.root_url, headers={**(case.headers or {}), **auth}, timeout=30)
            except (requests.exceptions.InvalidHeader, UnicodeEncodeError, ValueError):
                return  # requests itself refuses to send it (a generated header it cannot encode)
            sent += 1
            if problem := problem_with(response):
                problems.append(f"{case.method} {case.formatted_path} {case.query!r}: {problem}")

        send()
    assert sent > 5 * len(operations)
    assert not problems, "\n".join(problems[:20])
