"""How list pages are served fast, and that nothing shows: after FastAPI has routed a list path once, later requests
skip its router (sandbox/shortcut.py) and answer exactly as before; a rendered page is remembered until the next
write and never outlives it; over-long URLs still get the JSON 414 from the httptools server."""

from __future__ import annotations

import pytest
import requests
from sandbox_helpers import Api, assert_error

from nitrosend_nb.sandbox import limits, store
from nitrosend_nb.sandbox.errors import encode
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


def test_later_requests_skip_the_router_and_answer_exactly_as_routed_ones(make_sandbox):
    sandbox = make_sandbox(contacts=60)
    api = Api(sandbox)
    cafe = api.get("/brands").json()[1]["sid"]
    assert api.get("/contacts/1").status_code == 200  # a path FastAPI routes elsewhere is not learnt
    learnt = sandbox.app.state.list_shortcuts
    assert "/v1/my/contacts/1" not in learnt
    routed = [answer(api, *request, cafe) for request in REQUESTS]  # each path's first request: through FastAPI
    assert {"/v1/my/contacts", "/v1/my/messages", "/v1/my/lists", "/v1/my/templates"} <= set(learnt)
    assert [answer(api, *request, cafe) for request in REQUESTS] == routed
    assert [status for status, *_ in routed] == [200, 200, 200, 422, 422, 404, 200, 200, 200, 200]
    head = answer(api, "/contacts", {"limit": 7, "page": 3}, {}, cafe, method="HEAD")
    assert head[:2] == routed[0][:2] and head[2] == b"" and head[3] == routed[0][3]


def test_refusals_in_front_of_the_shortcut_still_apply(fresh_api):
    assert fresh_api.get("/contacts").status_code == 200  # learnt
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


def test_the_store_remembers_renders_until_a_write_and_within_its_budget(monkeypatch):
    db = Store()
    renders = []

    def render(name: str):
        def build() -> tuple[bytes, dict]:
            renders.append(name)
            return b"x" * 40, {"n": name}

        return build

    first = db.rendered("contacts", "", (), ("a",), render("a"))
    assert db.rendered("contacts", "", (), ("a",), render("a")) == first and renders == ["a"]
    db.insert("contacts", {"brand_id": 1})
    db.rendered("contacts", "", (), ("a",), render("a"))
    assert renders == ["a", "a"]  # forgotten after the write

    def writing() -> tuple[bytes, None]:
        db.insert("lists", {"brand_id": 1})
        return b"w", None

    db.rendered("lists", "", (), ("w",), writing)
    db.rendered("lists", "", (), ("w",), writing)
    assert len(db.query("lists")) == 2  # a render that writes is not remembered

    monkeypatch.setattr(store, "RENDERED_BYTES", 100)
    renders.clear()
    for name in ("b", "c", "a", "d"):  # 40 bytes each: room for two
        db.rendered("contacts", "", (), (name,), render(name))
    db.rendered("contacts", "", (), ("d",), render("d"))
    db.rendered("contacts", "", (), ("a",), render("a"))
    db.rendered("contacts", "", (), ("b",), render("b"))
    assert renders == ["b", "c", "a", "d", "b"]  # "a" and "d" kept (least recently used dropped first)
    db.close()


def test_the_store_remembers_values_until_a_write():
    db = Store()
    computed = []

    def compute() -> int:
        computed.append(1)
        return len(computed)

    assert db.remembered(("n",), compute) == db.remembered(("n",), compute) == 1
    db.insert("brands", {"sid": "b"})
    assert db.remembered(("n",), compute) == 2  # recomputed after the write

    def writing() -> int:
        db.insert("brands", {"sid": "w"})
        return 0

    db.remembered(("w",), writing)
    db.remembered(("w",), writing)
    assert db.count("brands") == 3  # a computation that writes is not remembered
    db.close()


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
