"""Bounded spec-driven fuzz runs: schemathesis generates valid and invalid requests for every /v1/my operation of
the published OpenAPI description (skipped when it is absent), and for every /_sandbox/ operation of the sandbox's
own OpenAPI description (the control endpoints and the inbox's JSON API), and sends them to a live sandbox; a
grammar-aware strategy adds inbox searches built from its operators, negations, quotes and odd digits. No answer
may be a 5xx, and every error must come in the JSON error shape. Derandomized, so a run is reproducible."""

from __future__ import annotations

import json

import pytest
import requests

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402  (schemathesis brings hypothesis)
from hypothesis import strategies as st  # noqa: E402
from hypothesis.configuration import set_hypothesis_home_dir  # noqa: E402
from sandbox_helpers import Api  # noqa: E402

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
    content_type = response.headers.get("content-type") or ""
    if isinstance(content_type, list):  # schemathesis keeps every value of a header; requests the one
        content_type = content_type[0]
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


def fuzz(operations: list, root_url: str, auth: dict[str, str]) -> tuple[int, list[str]]:
    """Send each operation's generated cases (valid and invalid); (requests sent, problems found)."""
    problems: list[str] = []
    sent = 0
    for operation in operations:
        strategy = operation.as_strategy(schemathesis.GenerationMode.POSITIVE) | operation.as_strategy(
            schemathesis.GenerationMode.NEGATIVE
        )

        @FUZZ_SETTINGS
        @given(case=strategy)
        def send(case) -> None:
            nonlocal sent
            try:
                response = case.call(base_url=root_url, headers={**(case.headers or {}), **auth}, timeout=30)
            except (requests.exceptions.InvalidHeader, UnicodeEncodeError, ValueError):
                return  # requests itself refuses to send it (a generated header it cannot encode)
            sent += 1
            if problem := problem_with(response):
                problems.append(f"{case.method} {case.formatted_path} {case.query!r}: {problem}")

        send()
    return sent, problems


def test_the_spec_fuzz_gets_no_server_error_and_only_json_errors(openapi_spec, make_sandbox, hypothesis_home):
    sb = make_sandbox(contacts=20, seed=0)
    schema = schemathesis.openapi.from_dict(openapi_spec)
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [operation for operation in operations if operation.path.startswith("/v1/my/")]
    assert len(operations) > 40
    sent, problems = fuzz(operations, sb.root_url, {"Authorization": f"Bearer {sb.api_key}"})
    assert sent > 5 * len(operations)
    assert not problems, "\n".join(problems[:20])


def filled_sandbox(make_sandbox):
    """A small sandbox whose outbox holds a transactional email, a test and a campaign (ids 1.. to find)."""
    sb = make_sandbox(contacts=20, seed=0)
    api = Api(sb)
    api.send("fuzz", channel="email", to="ada@example.com", subject="Order", html="<p>x</p>", tags={"vip": True})
    api.post("/templates/1/send_test", json={"contact_id": 3}, headers={"Idempotency-Key": "fuzz"})
    campaign = api.post("/campaigns", json={"name": "Sale", "template_attributes": {"subject": "S", "body": "B"}})
    api.post(f"/campaigns/{campaign.json()['id']}/send", json={"confirm_send_to_all": True})
    assert len(sb.outbox()) > 3
    return sb


def test_the_sandbox_api_fuzz_gets_no_server_error_and_only_json_errors(make_sandbox, hypothesis_home):
    """The /_sandbox/ operations of the sandbox's own description: reads first (the inbox over a filled outbox),
    then the control writes (config, faults, emptying the outbox, reset)."""
    sb = filled_sandbox(make_sandbox)
    schema = schemathesis.openapi.from_dict(sb.app.openapi())
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = sorted(
        (operation for operation in operations if operation.path.startswith("/_sandbox/")),
        key=lambda operation: operation.method.upper() != "GET",
    )
    assert len(operations) >= 12 and any(o.path == "/_sandbox/messages" for o in operations)
    sent, problems = fuzz(operations, sb.root_url, {"Authorization": f"Bearer {sb.api_key}"})
    assert sent > 3 * len(operations)  # an operation without parameters has few distinct cases
    assert not problems, "\n".join(problems[:20])


OPERATORS = ("to", "from", "subject", "kind", "campaign", "template", "tag", "before", "after", "not", "Weird", "")
ODD_VALUES = (
    "\u00b2",  # a superscript two: isdigit() says yes, int() says no
    "\u2460",  # a circled one
    "\u0663",  # an Arabic-Indic three
    "9" * 25,  # past SQLite's integers
    "2026-11-01",
    "2026-11-01T12:00:00Z",
    "9999-99-99",
    "transactional",
    '"quoted phrase"',
    '"unclosed',
    "%",
    "_",
    "\\",
    "'",
    "vip=true",
    "",
)
TERM = st.builds(
    lambda negated, operator, value: ("-" if negated else "") + (f"{operator}:" if operator else "") + value,
    st.booleans(),
    st.sampled_from(OPERATORS),
    st.one_of(st.sampled_from(ODD_VALUES), st.from_regex(r"[0-9]{1,22}", fullmatch=True), st.text(max_size=10)),
)


def test_inbox_searches_built_from_the_grammar_get_no_server_error(make_sandbox, hypothesis_home):
    sb = filled_sandbox(make_sandbox)
    session = requests.Session()
    problems: list[str] = []

    @settings(FUZZ_SETTINGS, max_examples=300)
    @given(query=st.lists(TERM, max_size=60).map(" ".join))
    def search(query: str) -> None:
        response = session.get(sb.root_url + "/_sandbox/messages", params={"query": query, "limit": 5}, timeout=30)
        if problem := problem_with(response):
            problems.append(f"{query!r}: {problem}")

    search()
    assert not problems, "\n".join(problems[:20])
