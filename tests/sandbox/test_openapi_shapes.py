"""/docs shows response shapes: the sandbox's OpenAPI document names a response schema for the main endpoints, and
each schema's properties are exactly the keys the endpoint answers with."""

from __future__ import annotations

import pytest
import requests

# (method, path in the document, where a read-only request gets a document of that shape, schema name)
SHAPES = [
    ("get", "/v1/my/account", "/account", "Account"),
    ("get", "/v1/my/brands/{sid}", "/brands", "Brand"),
    ("post", "/v1/my/campaigns/{ident}/send", "/campaigns", "Campaign"),
    ("post", "/v1/my/messages", "/messages?source_type=all", "Message"),
    ("post", "/v1/my/webhooks", "/webhooks", "Webhook"),
    ("post", "/v1/my/events", "/events", "Event"),
]


@pytest.fixture(scope="module")
def openapi(sandbox) -> dict:
    return requests.get(sandbox.root_url + "/openapi.json", timeout=30).json()


def response_schema(openapi: dict, method: str, path: str) -> dict:
    responses = openapi["paths"][path][method]["responses"]
    success = next(responses[code] for code in ("200", "201") if code in responses)
    return success["content"]["application/json"]["schema"]


@pytest.mark.parametrize("method,path,sample,name", SHAPES, ids=[s[3] for s in SHAPES])
def test_the_response_schema_is_named_and_lists_the_answered_fields(openapi, api, method, path, sample, name):
    assert response_schema(openapi, method, path) == {"$ref": f"#/components/schemas/{name}"}
    answer = api.get(sample).json()
    document = answer[0] if isinstance(answer, list) else answer
    assert list(openapi["components"]["schemas"][name]["properties"]) == list(document)


def test_list_shaped_answers_are_documented_as_arrays(openapi):
    for path in ("/v1/my/brands", "/v1/my/webhooks/{ident}/deliveries"):
        schema = response_schema(openapi, "get", path)
        assert schema["type"] == "array" and schema["items"]["$ref"].startswith("#/components/schemas/")
