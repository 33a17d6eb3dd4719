"""Pagination exactly as API-NOTES: page + limit/per_page/per, bare arrays and the X-* headers."""

from __future__ import annotations

import pytest
from sandbox_helpers import Api, assert_error

from nitrosend_nb.sandbox.world.seed import ROASTERY

HEADERS = ("X-Total-Count", "X-Total-Pages", "X-Page-Number", "X-Next-Page", "X-Prev-Page")


def page_headers(response) -> dict:
    """The pagination headers present on ``response``."""
    return {h: response.headers[h] for h in HEADERS if h in response.headers}


@pytest.mark.parametrize(
    "total,page,limit,expected,rows",
    [
        (0, 1, 100, {"X-Total-Count": "0", "X-Total-Pages": "1", "X-Page-Number": "1"}, 0),
        (1, 1, 100, {"X-Total-Count": "1", "X-Total-Pages": "1", "X-Page-Number": "1"}, 1),
        (100, 1, 100, {"X-Total-Count": "100", "X-Total-Pages": "1", "X-Page-Number": "1"}, 100),
        (101, 1, 100, {"X-Total-Count": "101", "X-Total-Pages": "2", "X-Page-Number": "1", "X-Next-Page": "2"}, 100),
        (101, 2, 100, {"X-Total-Count": "101", "X-Total-Pages": "2", "X-Page-Number": "2", "X-Prev-Page": "1"}, 1),
        (2500, 1, 100, {"X-Total-Count": "2500", "X-Total-Pages": "25", "X-Page-Number": "1", "X-Next-Page": "2"}, 100),
        (
            2500,
            13,
            100,
            {
                "X-Total-Count": "2500",
                "X-Total-Pages": "25",
                "X-Page-Number": "13",
                "X-Next-Page": "14",
                "X-Prev-Page": "12",
            },
            100,
        ),
        (
            2500,
            25,
            100,
            {"X-Total-Count": "2500", "X-Total-Pages": "25", "X-Page-Number": "25", "X-Prev-Page": "24"},
            100,
        ),
    ],
)
def test_exact_headers_at_boundaries(make_sandbox, total, page, limit, expected, rows):
    api = Api(make_sandbox(contacts=total))
    response = api.get("/contacts", params={"page": page, "limit": limit})
    assert response.status_code == 200
    assert page_headers(response) == expected
    body = response.json()
    assert isinstance(body, list) and len(body) == rows


def test_walking_every_page_yields_every_record_once(make_sandbox):
    api = Api(make_sandbox(contacts=2500))
    seen, page = [], 1
    while page:
        response = api.get("/contacts", params={"page": page, "limit": 100})
        seen += [c["id"] for c in response.json()]
        page = int(response.headers.get("X-Next-Page", 0))
    assert sorted(seen) == list(range(1, 2501)) and len(seen) == len(set(seen))


def test_contacts_default_to_50_a_page_newest_first(api):
    response = api.get("/contacts")
    ids = [c["id"] for c in response.json()]
    assert len(ids) == 50 and ids == sorted(ids, reverse=True) and ids[0] == 250
    assert page_headers(response) == {
        "X-Total-Count": "250",
        "X-Total-Pages": "5",
        "X-Page-Number": "1",
        "X-Next-Page": "2",
    }


def test_messages_default_to_25_a_page(api):
    response = api.get("/messages", params={"source_type": "all"})
    assert len(response.json()) == 25
    total = int(response.headers["X-Total-Count"])
    assert total > 25
    assert page_headers(response) == {
        "X-Total-Count": str(total),
        "X-Total-Pages": str(-(-total // 25)),
        "X-Page-Number": "1",
        "X-Next-Page": "2",
    }


@pytest.mark.parametrize(
    "path,body", [("/lists", {"name": "L"}), ("/campaigns", {"name": "C"}), ("/flows", {"name": "F"})]
)
def test_other_groups_default_to_25_a_page(fresh_api, path, body):
    total = int(fresh_api.get(path).headers["X-Total-Count"])
    for _ in range(27 - total):  # 27 records: a default page of 25 leaves 2 for page 2
        assert fresh_api.post(path, json=body).status_code == 201
    response = fresh_api.get(path)
    assert len(response.json()) == 25
    assert page_headers(response) == {
        "X-Total-Count": "27",
        "X-Total-Pages": "2",
        "X-Page-Number": "1",
        "X-Next-Page": "2",
    }
    assert len(fresh_api.get(path, params={"page": 2}).json()) == 2


@pytest.mark.parametrize("path,count", [("/contacts", 100), ("/messages?source_type=all", 100)])
def test_an_explicit_limit_beats_the_default(api, path, count):
    assert len(api.get(path, params={"per": 100}).json()) == count


@pytest.mark.parametrize("name", ["limit", "per_page", "per"])
def test_all_three_limit_spellings(api, name):
    response = api.get("/contacts", params={name: 7, "page": 2})
    assert len(response.json()) == 7
    assert response.headers["X-Total-Pages"] == "36" and response.headers["X-Page-Number"] == "2"


def test_limit_is_capped_at_100(api):
    response = api.get("/contacts", params={"limit": 500})
    assert len(response.json()) == 100 and response.headers["X-Total-Pages"] == "3"


def test_page_past_the_end_is_empty_with_prev_link(api):
    response = api.get("/contacts", params={"page": 50, "limit": 100})
    assert response.json() == []
    assert page_headers(response) == {
        "X-Total-Count": "250",
        "X-Total-Pages": "3",
        "X-Page-Number": "50",
        "X-Prev-Page": "49",
    }


@pytest.mark.parametrize(
    "params,field",
    [({"page": 0}, "page"), ({"page": "two"}, "page"), ({"limit": 0}, "limit"), ({"per_page": "x"}, "per_page")],
)
def test_invalid_page_parameters_are_422(api, params, field):
    assert field in assert_error(api.get("/contacts", params=params), 422)["validation_errors"]


@pytest.mark.parametrize(
    "path,total",
    [("/campaigns", len(ROASTERY.campaigns)), ("/lists", len(ROASTERY.lists)), ("/flows", len(ROASTERY.flows))],
)
def test_every_paginated_group_sends_the_headers(api, path, total):
    response = api.get(path, params={"limit": 2})
    assert response.headers["X-Total-Count"] == str(total)
    assert response.headers["X-Next-Page"] == "2" and "X-Prev-Page" not in response.headers
    assert len(response.json()) == 2


def test_messages_are_paginated(api):
    response = api.get("/messages", params={"source_type": "all", "limit": 100})
    total = int(response.headers["X-Total-Count"])
    by_source = [
        int(api.get("/messages", params={"source_type": source, "limit": 1}).headers["X-Total-Count"])
        for source in ("transactional", "campaign", "flow", "test")
    ]
    assert total == sum(by_source) > 300 and all(by_source)
    assert response.headers["X-Total-Pages"] == str(-(-total // 100)) and len(response.json()) == 100


@pytest.mark.parametrize("path", ["/templates", "/segments"])
def test_templates_and_segments_return_the_whole_array(api, path):
    response = api.get(path, params={"limit": 1})
    assert len(response.json()) > 1
    assert not set(HEADERS) & set(response.headers)
