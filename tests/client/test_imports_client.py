"""``ns.contacts.import_df`` and ``ns.imports`` against a real sandbox: both upload paths, the failed-rows report,
dry run, wait=False handles, Ctrl-C while waiting, and the direct upload's PUT carrying no API key."""

from __future__ import annotations

import _thread
import threading

import pandas as pd
import pytest

import nitrosend_nb as nb
from nitrosend_nb.client.resources.imports import ImportHandle, ImportInterrupted

PEOPLE = pd.DataFrame(
    {
        "email": ["ada@example.com", "nope", "bob@example.com", "ADA@example.com"],
        "first_name": ["Ada", "Nope", "Bob", "Ada again"],
        "plan": ["gold", "silver", "gold", "gold"],
    },
    index=pd.Index(["r1", "r2", "r3", "r4"], name="ref"),
)


@pytest.fixture
def sb(make_sandbox):
    return make_sandbox(contacts=10, import_rows_per_second=None)


@pytest.fixture
def ns(sb):
    client = nb.connect(sandbox=sb, progress=False)
    yield client
    client.close()


@pytest.mark.parametrize("upload", ["multipart", "direct"])
def test_import_df_returns_the_record_and_the_failed_input_rows(ns, upload):
    result = ns.contacts.import_df(PEOPLE, list_ids=[1], columns={"plan": "data.plan"}, upload=upload)
    assert result.record["status"] == "complete" and not result.ok
    assert (result.record["success_rows"], result.record["failed_rows"]) == (2, 2)
    failed = result.failed
    assert list(failed.index) == ["r2", "r4"] and list(failed.columns) == [
        "row",
        "reason",
        "email",
        "first_name",
        "plan",
    ]
    assert failed.loc["r2", "row"] == 2 and "not a valid email" in failed.loc["r2", "reason"]
    assert failed.loc["r4", "reason"] == "email: duplicate of row 1 in this file"
    assert "2 of 4 rows imported, 2 failed" in repr(result)
    ada = ns.contacts.search("ada@example.com")
    assert len(ada) == 1 and ada.iloc[0]["list_ids"] == [1]


def test_all_rows_in_gives_an_empty_failed_frame_and_a_rerun_adds_nobody(ns, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("email,first_name\ncy@example.com,Cy\n\ndee@example.com,Dee\n")
    first = ns.contacts.import_df(path)
    assert first.ok and first.failed.empty and list(first.failed.columns)[:2] == ["row", "reason"]
    before = ns.contacts.list(limit=1).total
    second = ns.contacts.import_df(str(path))
    assert second.ok and ns.contacts.list(limit=1).total == before
    frame = ns.imports.df()
    assert list(frame.index[:2]) == [second.record["id"], first.record["id"]]
    assert str(frame["status"].dtype) == "category" and frame.loc[first.record["id"], "filename"] == "people.csv"


def test_dry_run_writes_nothing_and_a_bad_file_is_a_validation_error(ns):
    before = ns.contacts.list(limit=1).total
    result = ns.contacts.import_df(PEOPLE, columns={"plan": None}, dry_run=True)
    assert result.record["options"]["write_mode"] == "dry_run" and result.record["success_rows"] == 2
    assert "valid (dry run)" in repr(result) and ns.contacts.list(limit=1).total == before
    with pytest.raises(nb.ValidationError) as caught:
        ns.contacts.import_df(PEOPLE)  # "plan" is not a contact field and is not mapped
    assert "columns" in caught.value.validation_errors
    assert ns.imports.spec()["guardrails"]["max_rows"] > 0


def test_unmapped_columns_are_named_once_each_in_one_clear_message(ns):
    with pytest.raises(nb.ValidationError) as caught:
        ns.contacts.import_df(PEOPLE.assign(Notes="-"), dry_run=True)
    line = str(caught.value)
    for name, key in (("plan", "plan"), ("Notes", "notes")):
        hint = f"unknown column {name!r}: map it with columns={{{name!r}: 'data.{key}'}} or columns={{{name!r}: None}}"
        assert line.count(hint) == 1, line
    assert line.startswith("POST /imports -> 422 Validation failed: columns unknown column 'plan'") and "\n" not in line


def test_wait_false_returns_a_handle_to_poll_or_cancel(make_sandbox):
    sb = make_sandbox(contacts=5, import_rows_per_second=40)
    with nb.connect(sandbox=sb, progress=False) as ns:
        rows = pd.DataFrame({"email": [f"h{i}@example.com" for i in range(100)]})
        handle = ns.contacts.import_df(rows, wait=False)
        assert isinstance(handle, ImportHandle) and handle.record["status"] == "pending"
        assert handle.refresh()["status"] in ("pending", "processing")
        assert handle.cancel()["status"] == "canceled"
        result = ns.imports.wait(handle.id)
        assert result.record["status"] == "canceled" and result.record["rows_processed"] < 100
        with pytest.raises(nb.ValidationError):
            ns.imports.cancel(handle.id)


def test_ctrl_c_while_waiting_leaves_the_import_running_and_says_how_to_resume(make_sandbox):
    sb = make_sandbox(contacts=5, import_rows_per_second=100)
    with nb.connect(sandbox=sb, progress=False) as ns:
        rows = pd.DataFrame({"email": [f"k{i}@example.com" for i in range(150)]})  # 1.5 s of processing
        handle = ns.contacts.import_df(rows, wait=False)
        timer = threading.Timer(0.2, _thread.interrupt_main)  # started once the upload is done: lands in wait()
        timer.start()
        with pytest.raises(ImportInterrupted) as caught:
            handle.wait()
        timer.join()
        message = str(caught.value)
        import_id = caught.value.handle.id
        assert f"ns.imports.wait({import_id})" in message and "keeps running" in message
        assert ns.imports.get(import_id)["status"] == "processing"
        assert ns.imports.wait(import_id).ok


def test_the_presigned_put_carries_no_api_key(scripted_server):
    upload_url = scripted_server.root + "/upload/token123"
    scripted_server.script = [
        (201, {}, {"signed_id": "sig", "direct_upload": {"url": upload_url, "headers": {"Content-MD5": "x"}}}),
        (204, {}, b""),
        (201, {}, {"id": 7, "status": "pending", "total_rows": 1}),
    ]
    client = nb.Nitrosend(
        "nskey_test_abcdefghijklmnopqrstuvwxyz", scripted_server.url, brand_sid="brd_1", progress=False
    )
    handle = client.imports.start(pd.DataFrame({"email": ["a@example.com"]}), upload="direct")
    declare, put, start = scripted_server.requests
    assert declare["path"] == "/v1/direct_uploads" and "Authorization" in declare["headers"]
    assert put["method"] == "PUT" and put["path"] == "/upload/token123" and put["body"] == b"email\na@example.com\n"
    assert "Authorization" not in put["headers"] and "X-Brand-SID" not in put["headers"]
    assert put["headers"]["Content-MD5"] == "x"
    assert start["path"] == "/v1/my/imports" and b'"signed_id": "sig"' in start["body"]
    assert start["headers"]["Idempotency-Key"] and handle.id == 7
