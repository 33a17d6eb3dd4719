"""How list pages are served fast, and that nothing shows: the list routes (server/list_pages.py) answer a page the
memo holds exactly as they answered it the first time, and never once the data changed (a write of the sandbox's
own or of another connection to its --db file); every list route is a documented FastAPI route, ahead of the
others; over-long URLs still get the JSON 414 from the httptools server."""

from __future__ import annotations

import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import pytest
import requests
from fastapi.routing import APIRoute
from sandbox_helpers import Api, assert_error, eventually
from starlette.responses import Response

from nitrosend_nb.sandbox import limits
from nitrosend_nb.sandbox.errors import encode
from nitrosend_nb.sandbox.server import list_pages
from nitrosend_nb.sandbox.server.list_pages import MOST_READ_AHEAD_PAGES, READ_AHEAD_PAGES, ListRoute, PageMemo
from nitrosend_nb.sandbox.services.contact_shape import served_text
from nitrosend_nb.sandbox.store import Store

PAGINATION = ("X-Total-Count", "X-Total-Pages", "X-Page-Number", "X-Next-Page", "X-Prev-Page")
# (path, query, headers) of list requests, good and bad; "{cafe}" is the second brand's SID.
REQUESTS = [
    ("/contacts", {"limit": 7, "page": 3}, {}),
    ("/contacts", {"limit": 5, "sort": "last_name", "direction": "asc", "page": 2}, {}),
    ("/contacts", {"search": "a", "limit": 3}, {"X-Brand-SID": "{cafe}"}),
    ("/contacts", {"page": 0}, {}),
    ("/contacts", {"sort": "nope"}, {}),
    ("/contacts", {}, {"X-Brand-SID": "no-such-brand"}),
    ("/messages", {"source_type": "all", "per_page": 4, "page": 2}, {}),
    ("/lists", {}, {"X-Brand-SID": "{cafe}"}),
    ("/templates", {}, {}),
    ("/events", {"limit": 2}, {}),
]


def answer(api: Api, path: str, query: dict, headers: dict, cafe: str, method: str = "GET") -> tuple:
    """What a client can see of one response: status, content type, body and pagination headers."""
    headers = {name: value.format(cafe=cafe) for name, value in headers.items()}
    response = api.request(method, path, params=query, headers=headers)
    shown = {name: response.headers.get(name) for name in PAGINATION}
    return response.status_code, response.headers["content-type"], response.content, shown


def test_remembered_answers_are_the_first_answers_and_errors_are_never_remembered(make_sandbox):
    sandbox = make_sandbox(contacts=60)
    api = Api(sandbox)
    cafe = api.get("/brands").json()[1]["sid"]
    first = [answer(api, *request, cafe) for request in REQUESTS]  # read from the store
    assert len(sandbox.app.state.pages) == 7 + 3 * READ_AHEAD_PAGES  # the 200s, and the pages after those naming one
    assert [answer(api, *request, cafe) for request in REQUESTS] == first  # the pages from the memo
    assert [status for status, *_ in first] == [200, 200, 200, 422, 422, 404, 200, 200, 200, 200]
    head = answer(api, "/contacts", {"limit": 7, "page": 3}, {}, cafe, method="HEAD")
    assert head[:2] == first[0][:2] and head[2] == b"" and head[3] == first[0][3]


def test_every_list_route_is_a_documented_route_tried_first(sandbox):
    routes = sandbox.app.router.routes
    lists = [route for route in routes if isinstance(route, ListRoute)]
    assert {route.path for route in lists} >= {"/v1/my/contacts", "/v1/my/messages", "/v1/my/events", "/v1/my/lists"}
    first = routes.index(lists[0])
    assert routes[first : first + len(lists)] == lists  # ahead of every other route but FastAPI's own /docs
    assert not any(isinstance(route, APIRoute) for route in routes[:first])
    documented = requests.get(sandbox.root_url + "/openapi.json", timeout=30).json()["paths"]
    assert all("get" in documented[route.path] for route in lists)


def test_refusals_in_front_of_the_list_routes_still_apply(fresh_api):
    assert fresh_api.get("/contacts").status_code == 200  # remembered
    assert_error(Api(fresh_api.sb, key="nskey_wrong").get("/contacts"), 401)
    fresh_api.sb.inject_faults(count=1, status=503, when="before", path="/contacts")
    assert_error(fresh_api.get("/contacts"), 503)
    response = fresh_api.get("/contacts")
    assert response.status_code == 200 and response.headers["X-Request-Id"].startswith("req_")


def test_a_remembered_page_never_outlives_a_write(fresh_api):
    def first_page() -> tuple[list[dict], str]:
        response = fresh_api.get("/contacts", params={"limit": 5})
        return response.json(), response.headers["X-Total-Count"]

    before, total = first_page()
    assert first_page() == (before, total)  # remembered
    newest = before[0]["id"]
    assert fresh_api.patch(f"/contacts/{newest}", json={"first_name": "Renamed"}).status_code == 200
    changed, _ = first_page()
    assert changed[0]["first_name"] == "Renamed"
    created = fresh_api.post("/contacts", json={"email": "new.one@example.com"}).json()
    rows, grown = first_page()
    assert rows[0]["id"] == created["id"] and int(grown) == int(total) + 1
    assert fresh_api.delete(f"/contacts/{created['id']}").status_code == 200
    assert first_page()[1] == total
    new_list = fresh_api.post("/lists", json={"name": "Just one", "contact_ids": [newest]}).json()
    assert new_list["id"] in first_page()[0][0]["list_ids"]  # a write to other tables counts too


def test_pages_read_ahead_are_the_pages_each_request_reads_alone_until_a_write(fresh_sandbox, fresh_api):
    memo = fresh_sandbox.app.state.pages

    def walk(pages: range, threads: int = 1) -> list[tuple]:
        def one(page: int) -> tuple:
            return answer(fresh_api, "/contacts", {"limit": 20, "page": page}, {}, "")

        with ThreadPoolExecutor(threads) as pool:
            return list(pool.map(one, pages))

    fresh_api.get("/contacts", params={"limit": 20, "page": 2})
    assert len(memo) == 1 + READ_AHEAD_PAGES  # the page and the pages after it, read in one hop
    walked = walk(range(1, 14), threads=4)  # 250 contacts: 13 pages; concurrent requests share the hops
    assert [shown["X-Page-Number"] for *_, shown in walked] == [str(page) for page in range(1, 14)]
    assert len(memo) == 13  # not one page past the last
    fresh_sandbox.app.state.pages = PageMemo(budget=0)  # nothing remembered, nothing read ahead
    alone = walk(range(1, 14))
    assert walked == alone and len(fresh_sandbox.app.state.pages) == 0
    fresh_sandbox.app.state.pages = memo
    newest_on_2 = json.loads(alone[1][2])[0]["id"]  # page 2 is remembered
    assert fresh_api.patch(f"/contacts/{newest_on_2}", json={"first_name": "Renamed"}).status_code == 200
    page_2 = fresh_api.get("/contacts", params={"limit": 20, "page": 2}).json()
    assert page_2[0]["first_name"] == "Renamed"  # the page read ahead was forgotten with the write
    assert len(memo) == 1 + READ_AHEAD_PAGES
    twice = fresh_api.get("/contacts", params=[("limit", 20), ("page", 1), ("page", 3)])
    assert twice.headers["X-Page-Number"] == "3" and len(memo) == 2 + READ_AHEAD_PAGES  # none read after it


def test_a_listing_read_through_is_read_ahead_of_its_client(fresh_sandbox, fresh_api, monkeypatch):
    monkeypatch.setattr(list_pages, "READ_AHEAD_SECONDS", 60.0)  # no hop stopped short by a busy machine
    memo = fresh_sandbox.app.state.pages

    def remembered() -> list[int]:
        return [
            page for page in range(1, 60) if memo.recall(key(page), fresh_sandbox.state.store.version()) is not None
        ]

    def key(page: int) -> tuple:
        return ("/v1/my/contacts", f"limit=5&page={page}".encode(), None)

    def walk(pages: range) -> list[tuple]:
        return [answer(fresh_api, "/contacts", {"limit": 5, "page": page}, {}, "") for page in pages]

    walked = walk(range(1, 2))  # 250 contacts, 5 a page: a hop reads page 1 and the 3 after it
    assert remembered() == [1, 2, 3, 4]
    walked += walk(range(2, 3))  # answered from memory: the next 7 pages are read in the background
    eventually(lambda: remembered() == list(range(1, 12)))
    walked += walk(range(3, 51))
    eventually(lambda: remembered() == list(range(1, 51)))  # every page, and not one past the last
    fresh_sandbox.app.state.pages = PageMemo(budget=0)
    assert walked == walk(range(1, 51))


@pytest.mark.parametrize(
    "path, query",
    [
        ("/events", {"limit": 4}),
        ("/messages", {"source_type": "all", "per_page": 3}),
        ("/contacts", {"limit": 6, "sort": "last_name", "direction": "asc"}),
    ],
)
def test_pages_read_ahead_together_are_the_pages_read_alone_in_every_group(
    fresh_sandbox, fresh_api, monkeypatch, path, query
):
    # A hop reads the pages after its request's own in one query (Resource.list_responses): every group, every
    # order, each page exactly its own request's answer, pagination headers included.
    monkeypatch.setattr(list_pages, "READ_AHEAD_SECONDS", 60.0)  # no hop stopped short by a busy machine
    memo = fresh_sandbox.app.state.pages

    def walk(pages: range) -> list[tuple]:
        return [answer(fresh_api, path, {**query, "page": page}, {}, "") for page in pages]

    with_memo = walk(range(1, 41))
    assert with_memo[-1][3]["X-Next-Page"] == "41"
    eventually(lambda: len(memo) > 40)  # read ahead of the walk
    fresh_sandbox.app.state.pages = PageMemo(budget=0)
    assert with_memo == walk(range(1, 41))


def test_read_ahead_grows_along_a_listing_and_starts_over_elsewhere():
    memo = PageMemo()
    listing = ("/v1/my/contacts", b"limit=5&page=", b"", None)
    most = MOST_READ_AHEAD_PAGES
    assert most >= 15
    edge = 21 + most  # the last page of the hop from 21 below, remembered with a next page
    memo.keep(("/v1/my/contacts", f"limit=5&page={edge}".encode(), None), (0, 1, 0), next_page(edge + 1))
    assert memo.read_ahead(listing, 1) == (READ_AHEAD_PAGES, 1 + READ_AHEAD_PAGES)
    memo.read_through(listing, 4, 4)
    assert memo.read_ahead(listing, 5) == (7, 12)  # the page right after the last hop's
    assert memo.read_ahead(listing, 13) == (15, 28)  # asked while the hop for 5-12 still reads (claimed)
    memo.read_through(listing, 12, 9)  # that earlier hop's claim no longer is the frontier: nothing changes
    assert memo.read_ahead(listing, 14) == (14, None)  # overtaken: read up to the frontier, which stays
    memo.read_through(listing, 28, 20)  # the hop for 13-28 stopped short at 20 (its time was up)
    assert memo.read_on(listing, 19) is None  # page 20 is not remembered: whether a next one exists is unknown
    assert memo.read_ahead(listing, 21) == (most, edge)
    memo.read_through(listing, edge, edge)
    assert memo.read_on(listing, 20) is None  # before the last hop's pages
    assert memo.read_on(listing, 22) == (edge + 1, most, edge + most)  # among them
    assert memo.read_on(listing, 23) is None  # the pages after 22 are the background hop's now
    reach = edge + 2 * most + 2  # past the frontier (edge + most) and what its hop read (most) plus one
    assert memo.read_ahead(listing, reach)[0] == READ_AHEAD_PAGES  # out of reach
    assert memo.read_ahead(("/v1/my/contacts", b"limit=9&page=", b"", None), 2)[0] == READ_AHEAD_PAGES
    memo.keep(("a",), (0, 9, 0), Response(b"[]"))  # a write since: every listing starts over
    assert memo.read_ahead(listing, reach + READ_AHEAD_PAGES + 1)[0] == READ_AHEAD_PAGES


def next_page(page: int) -> Response:
    """A remembered page saying there is a next one."""
    return Response(b"[]", headers={"X-Next-Page": str(page)})


def test_a_slow_page_is_not_held_back_by_pages_read_ahead(fresh_api, monkeypatch):
    monkeypatch.setattr(list_pages, "READ_AHEAD_SECONDS", 0.0)  # every page "slow"
    assert fresh_api.get("/contacts", params={"limit": 20, "page": 2}).headers["X-Next-Page"] == "3"
    assert len(fresh_api.sb.app.state.pages) == 1


def test_the_page_memo_keeps_pages_of_one_version_within_its_budget():
    memo = PageMemo(budget=100)

    def page(name: str, status: int = 200) -> Response:
        return Response(name.encode() * 40, status_code=status)

    assert memo.recall(("a",), (0, 1, 0)) is None
    memo.keep(("a",), (0, 1, 0), page("a"))
    assert memo.recall(("a",), (0, 1, 0)).body == b"a" * 40
    assert memo.recall(("a",), (0, 2, 0)) is None  # a write since: forgotten
    assert memo.recall(("a",), (0, 1, 0)) is None
    memo.keep(("e",), (0, 2, 0), page("e", status=422))
    assert memo.recall(("e",), (0, 2, 0)) is None  # errors are not kept
    for name in ("b", "c"):  # 40 bytes each: room for two
        memo.keep((name,), (0, 2, 0), page(name))
    memo.recall(("b",), (0, 2, 0))
    memo.keep(("a",), (0, 2, 0), page("a"))  # over the budget: the least recently used goes
    assert [name for name in "abc" if memo.recall((name,), (0, 2, 0))] == ["a", "b"] and len(memo) == 2


def test_a_page_follows_a_write_another_connection_makes_to_the_db_file(make_sandbox, tmp_path):
    path = tmp_path / "sandbox.db"
    api = Api(make_sandbox(contacts=30, db=str(path)))

    def total() -> int:
        return int(api.get("/contacts", params={"limit": 5}).headers["X-Total-Count"])

    before = total()
    assert total() == before  # remembered
    with closing(sqlite3.connect(path)) as other:
        doc = {"brand_id": 1, "email": "elsewhere@example.com", "channels": []}
        text, cut = served_text(999, doc)
        other.execute(
            "INSERT INTO contacts (id, doc, brand_id, email, served, served_cut) VALUES (999, ?, 1, ?, ?, ?)",
            (json.dumps(doc), doc["email"], text, cut),
        )
        other.commit()
    assert total() == before + 1
    assert api.get("/contacts", params={"limit": 1}).json()[0]["id"] == 999


def test_sends_follow_a_change_to_the_default_brand_at_once(fresh_sandbox, fresh_api):
    def send(key: str) -> str:
        fresh_api.post(
            "/messages",
            json={"channel": "email", "to": "guest@example.com", "subject": "Hi", "body": "Hello"},
            headers={"Idempotency-Key": key},
        ).raise_for_status()
        return fresh_sandbox.outbox()[-1]["from"]

    sid = fresh_api.get("/brands").json()[0]["sid"]  # the default brand, oldest first
    before = send("before")
    fresh_api.patch(f"/brands/{sid}", json={"email_from_name": "Renamed Roasters"}).raise_for_status()
    assert before != send("after") and send("again").startswith("Renamed Roasters <")


def test_a_url_beyond_the_request_head_limit_closes_the_connection_and_the_server_goes_on(api):
    huge = "t" * (limits.MAX_REQUEST_HEAD_BYTES + 1)
    try:
        response = api.get("/contacts", params={"tag": huge})
    except requests.ConnectionError:
        pass  # closed while the client was still sending
    else:
        assert response.status_code == 400 and response.headers.get("connection") == "close"
    assert api.get("/contacts", params={"tag": "t" * (limits.MAX_URL_BYTES + 1)}).status_code == 414
    assert api.get("/contacts").status_code == 200


def test_a_contact_with_a_name_beyond_ascii_is_served_whole_in_pages(fresh_api):
    created = fresh_api.post(
        "/contacts", json={"email": "jose@example.com", "first_name": "José", "last_name": "Ørsted 🙂", "list_ids": [1]}
    ).json()
    listed = fresh_api.get("/contacts", params={"limit": 1}).json()
    assert listed == [fresh_api.get(f"/contacts/{created['id']}").json()] and listed[0]["list_ids"] == [1]


@pytest.mark.parametrize("path", ["/contacts", "/lists"])
def test_a_page_and_its_record_agree(api, path):
    listed = api.get(path, params={"limit": 3}).json()
    assert [api.get(f"{path}/{doc['id']}").json() for doc in listed] == listed


def test_responses_encode_string_keys_fast_and_other_keys_as_strings():
    assert encode({"a": [1, None, "é"]}) == '{"a":[1,null,"é"]}'.encode()
    assert encode({1: "one", "two": {2: True}}) == b'{"1":"one","two":{"2":true}}'


@pytest.mark.parametrize("order", ["id DESC", "id ASC"])
def test_pages_in_any_order_are_the_offset_pages_while_boundaries_are_learnt(order):
    db = Store()
    db.insert_many("events", ({"brand_id": 1 + n % 3, "event": "e"} for n in range(500)), first_id=1)
    where = "brand_id = 1"

    def expected(offset: int) -> list[int]:
        rows = db.execute(f"SELECT id FROM events WHERE {where} ORDER BY {order} LIMIT 7 OFFSET {offset}")
        return [row[0] for row in rows]

    def page(offset: int) -> list[int]:
        return [doc["id"] for doc in db.query("events", where, (), order, limit=7, offset=offset)]

    offsets = [*range(0, 180, 7), 161, 3, 90, 14, 175, 0, 40, 168, 9]  # in order, then jumping about
    assert [page(offset) for offset in offsets] == [expected(offset) for offset in offsets]
    for offset in (0, 49, 161):  # three pages in one query (the read-ahead's), past the end too
        three = [doc["id"] for doc in db.query("events", where, (), order, limit=7, offset=offset, pages=3)]
        assert three == expected(offset) + expected(offset + 7) + expected(offset + 14)
    assert [page(offset) for offset in offsets[::-1]] == [expected(offset) for offset in offsets[::-1]]
    db.delete("events", expected(21)[3])  # a write: what was learnt is forgotten
    assert [page(offset) for offset in offsets[::-1]] == [expected(offset) for offset in offsets[::-1]]
    db.close()


@pytest.mark.parametrize(
    "where, params",
    [
        ("brand_id = ? AND event = ?", (1, "order_placed")),
        ("brand_id = ?", (1,)),
        ("brand_id = ? AND contact_id = ?", (1, 3)),
    ],
)
def test_event_pages_are_read_in_id_order_without_sorting_every_match(sandbox, where, params):
    # One event's events (GET /events?event=order_placed, what the reports fetch) come from the events_event index
    # in id order: the (event, idempotency_key) index alone made SQLite sort every match again for each page.
    plan = sandbox.state.store.execute(
        f"EXPLAIN QUERY PLAN SELECT id, doc FROM events WHERE {where} ORDER BY id DESC LIMIT 100 OFFSET 0", params
    )
    steps = " | ".join(row[-1] for row in plan)
    assert "TEMP B-TREE" not in steps, steps
