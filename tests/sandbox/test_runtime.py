"""The server as a process: concurrency, persistence with --db, reset, determinism, the Sandbox class and CLI."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import requests
from sandbox_helpers import Api, assert_error, sandbox_process

from nitrosend_nb.sandbox import Sandbox


def test_eight_concurrent_writers_lose_nothing(fresh_sandbox):
    def writer(worker: int) -> list[int]:
        api = Api(fresh_sandbox)
        return [
            api.post("/contacts", json={"email": f"w{worker}-{i}@load.test", "list_ids": [2]}).json()["id"]
            for i in range(15)
        ]

    with ThreadPoolExecutor(8) as pool:
        ids = [cid for batch in pool.map(writer, range(8)) for cid in batch]
    api = Api(fresh_sandbox)
    assert len(set(ids)) == 120 and sorted(ids) == list(range(301, 421))  # after both brands' 250 + 50 seeded contacts
    found = api.get("/contacts", params={"search": "@load.test", "limit": 100})
    assert found.headers["X-Total-Count"] == "120"
    stamps = {
        c["created_at"]
        for p in (1, 2)
        for c in api.get("/contacts", params={"search": "@load.test", "limit": 100, "page": p}).json()
    }
    assert len(stamps) == 120  # the fixed clock ticked once per write, never twice for one


def test_concurrent_idempotent_sends_deliver_once(fresh_sandbox):
    payload = {"channel": "email", "to": "race@example.com", "subject": "Once", "body": "x"}
    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(lambda _: Api(fresh_sandbox).send("same-key", **payload).json()["id"], range(8)))
    assert len(ids) == 1 and len(fresh_sandbox.outbox()) == 1


def test_db_file_survives_a_restart_without_reseeding(tmp_path):
    path = str(tmp_path / "sandbox.db")
    with Sandbox(db=path, contacts=20) as first:
        created = Api(first).post("/contacts", json={"email": "keep@me.test"}).json()
        Api(first).send("persist", channel="email", to="keep@me.test", subject="s", body="b")
        outbox = first.outbox()
    with Sandbox(db=path, contacts=999, seed=5) as second:
        api = Api(second)
        assert api.get(f"/contacts/{created['id']}").json() == created
        assert api.get("/contacts").headers["X-Total-Count"] == "21"
        assert second.outbox() == outbox
        later = api.post("/contacts", json={"email": "after@restart.test"}).json()
        assert later["created_at"] > created["created_at"] and later["id"] == created["id"] + 1


def test_a_reset_db_file_holds_the_seeded_data_after_a_restart(tmp_path):
    path = str(tmp_path / "sandbox.db")
    with Sandbox(db=path, contacts=20) as first:
        api = Api(first)
        seeded = api.get("/contacts").content
        api.post("/contacts", json={"email": "gone@soon.test"}).raise_for_status()
        first.reset()
        assert api.get("/contacts").content == seeded
        api.post("/contacts", json={"email": "after@reset.test"}).raise_for_status()
    with closing(sqlite3.connect(path)) as opened:
        assert opened.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Sandbox(db=path, contacts=20) as second:
        emails = [
            channel["value"] for contact in Api(second).get("/contacts").json() for channel in contact["channels"]
        ]
        assert "after@reset.test" in emails and "gone@soon.test" not in emails


def test_reset_reseeds_to_the_initial_state(fresh_sandbox):
    api = Api(fresh_sandbox)
    initial = api.get("/contacts", params={"limit": 5}).json()
    api.post("/contacts", json={"email": "gone@soon.test"})
    api.post("/templates/1/send_test", json={"email": "a@b.co"})
    fresh_sandbox.inject_faults(count=5, when="before")
    fresh_sandbox.reset()
    assert api.get("/contacts", params={"limit": 5}).json() == initial
    assert fresh_sandbox.outbox() == []
    assert api.control("POST", "/reset").json() == {"reset": True}


def test_same_seed_and_requests_give_identical_bytes(make_sandbox):
    def session(sb: Sandbox) -> list[bytes]:
        api = Api(sb)
        return [
            api.post("/contacts", json={"email": "det@x.test"}).content,
            api.send("d1", channel="email", to="det@x.test", subject="s", template_id=1).content,
            api.get("/contacts", params={"limit": 100}).content,
            api.get("/account").content,
            api.get("/campaigns").content,
            api.get("/messages", params={"source_type": "all"}).content,
            requests.get(sb.root_url + "/_sandbox/outbox", timeout=30).content,
        ]

    assert session(make_sandbox(seed=3, contacts=300)) == session(make_sandbox(seed=3, contacts=300))


def test_different_seeds_give_different_data(make_sandbox):
    first = Api(make_sandbox(seed=1, contacts=50)).get("/contacts").json()
    second = Api(make_sandbox(seed=2, contacts=50)).get("/contacts").json()
    assert first != second


def test_seed_data_is_realistic(api):
    account = api.get("/account").json()
    assert account["billing"]["resources"]["email"]["remaining"] == (
        account["billing"]["resources"]["email"]["allowance"] - account["billing"]["resources"]["email"]["used"]
    )
    assert [b["company_name"] for b in api.get("/brands").json()] == ["Acme Coffee", "Acme Cafe"]
    assert all(b["test_email_recipients"] for b in api.get("/brands").json())
    contacts = [c for p in (1, 2, 3) for c in api.get("/contacts", params={"page": p, "limit": 100}).json()]
    assert len({c["country_code"] for c in contacts}) >= 8 and len({c["source"] for c in contacts}) >= 4
    assert {True, False} == {c["subscribed_email"] for c in contacts}
    assert (
        min(c["created_at"] for c in contacts) >= "2025-11-01"
        and max(c["created_at"] for c in contacts) < "2026-11-01T12"
    )
    assert len(api.get("/lists").json()) == 5 and len(api.get("/segments").json()) == 4
    assert len(api.get("/templates").json()) == 6 and api.get("/flows").headers["X-Total-Count"] == "3"


def test_start_returns_self_and_stop_frees_the_port():
    sb = Sandbox(contacts=3).start()
    assert sb.start() is sb
    url = sb.url
    assert requests.get(url + "/account", headers={"Authorization": f"Bearer {sb.api_key}"}, timeout=30).ok
    sb.stop()
    try:
        requests.get(url + "/account", timeout=2)
        reachable = True
    except requests.ConnectionError:
        reachable = False
    assert not reachable


def test_cli_prints_url_and_key_and_stops_cleanly_on_ctrl_c(tmp_path):
    with sandbox_process("--contacts", "10", "--seed", "4", "--db", str(tmp_path / "cli.db")) as served:
        assert served.url.startswith("http://127.0.0.1:") and served.url.endswith("/v1/my")
        assert served.api_key == "nskey_test_sandbox" and "Press Ctrl-C to stop" in served.announcement
        response = Api(served).get("/contacts")
        assert response.headers["X-Total-Count"] == "10"


def test_cli_help_lists_the_sandbox_options():
    result = subprocess.run(
        [sys.executable, "-m", "nitrosend_nb.cli", "sandbox", "--help"], capture_output=True, text=True, check=True
    )
    for option in (
        "--host",
        "--port",
        "--db",
        "--seed",
        "--contacts",
        "--latency-ms",
        "--rate-limit",
        "--error-rate",
        "--bounce-rate",
        "--complaint-rate",
        "--api-key",
    ):
        assert option in result.stdout


def test_reset_while_requests_are_in_flight_answers_them_or_says_retry_later(fresh_sandbox):
    statuses: list[int] = []
    stop = threading.Event()

    def read():
        api = Api(fresh_sandbox)
        while not stop.is_set():
            response = api.get("/contacts", params={"limit": 5})
            statuses.append(response.status_code)
            if response.status_code == 503:  # a reseed in progress: a JSON refusal saying when to come back
                assert_error(response, 503)
                assert response.headers["Retry-After"] == "1"

    owner = Api(fresh_sandbox)
    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for _ in range(10):
            assert owner.control("POST", "/reset").status_code == 200
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert statuses and set(statuses) <= {200, 503} and 200 in statuses
