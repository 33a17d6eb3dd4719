"""Imports over HTTP: both ways in (multipart, direct upload + presigned PUT), background progress, row errors,
rerun idempotency, cancel, dry run and the published limits."""

from __future__ import annotations

import json
import time

import pytest
import requests
from sandbox_helpers import Api, assert_error, checksum, direct_upload, email_of
from todays_api import IMPORT, IMPORT_SPEC, assert_today

from nitrosend_nb.sandbox import limits

FINISHED = ("complete", "failed", "canceled")


@pytest.fixture
def quick(make_sandbox) -> Api:
    """A small sandbox whose imports run at full speed."""
    return Api(make_sandbox(contacts=20, import_rows_per_second=None))


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def post_multipart(api: Api, data: bytes, **fields) -> requests.Response:
    form = {name: json.dumps(value) if isinstance(value, dict) else value for name, value in fields.items()}
    return api.post("/imports", files={"file": ("people.csv", data, "text/csv")}, data=form)


def finish(api: Api, import_id: int, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        record = api.get(f"/imports/{import_id}").json()
        if record["status"] in FINISHED:
            return record
        assert time.monotonic() < deadline, record
        time.sleep(0.02)


MIXED = csv_bytes(
    "email,first_name,Plan",
    "ada@example.com,Ada,gold",  # 1 ok
    "not-an-email,Bob,silver",  # 2 malformed email
    "ADA@example.com,Ada again,gold",  # 3 duplicate of row 1 (case-insensitive)
    "cy@example.com,Cy,gold,surplus",  # 4 a value in no column
    "dee@example.com," + "D" * 300 + ",gold",  # 5 over the 255-character limit
    ",Eve,gold",  # 6 no email
    "fay@example.com,Fay,",  # 7 ok
)


def test_multipart_import_reports_each_bad_row_and_writes_the_good_ones(quick):
    response = post_multipart(quick, MIXED, columns={"Plan": "data.plan"}, options={"list_ids": [2]})
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["status"] == "pending" and created["total_rows"] == 7 and created["filename"] == "people.csv"
    record = finish(quick, created["id"])
    assert record["status"] == "complete" and record["progress_pct"] == 100.0
    assert (record["success_rows"], record["failed_rows"], record["rows_processed"]) == (2, 5, 7)
    errors = {row: (reason, column) for row, reason, column in record["import_errors"]}
    assert sorted(errors) == [2, 3, 4, 5, 6]
    assert errors[2] == ("email: is not a valid email address", "email")
    assert errors[3] == ("email: duplicate of row 1 in this file", "email")
    assert errors[4][0].startswith("unknown column")
    assert errors[5] == ("first_name: is longer than 255 characters", "first_name")
    assert errors[6] == ("email: is required", "email")
    assert record["assigned_list_ids"] == [2] and record["assigned_lists"][0]["id"] == 2
    ada = quick.get("/contacts", params={"search": "ada@example.com"}).json()
    assert len(ada) == 1 and ada[0]["first_name"] == "Ada" and ada[0]["data"] == {"plan": "gold"}
    assert ada[0]["list_ids"] == [2] and ada[0]["source"] == "import" and email_of(ada[0]) == "ada@example.com"


def test_control_characters_in_a_csv_are_refused_per_row_as_the_json_api_refuses_them(quick):
    data = csv_bytes(
        "email,first_name,last_name,Plan",
        "nul@example.com,Nu\x00l,Ok,gold",  # 1
        "esc@example.com,Ok,E\x1bsc,gold",  # 2
        "bel@example.com,B\x07el,Ok,gold",  # 3
        "del@example.com,Ok,De\x7fl,gold",  # 4
        "ok@example.com,Ok,Fine,go\x00ld",  # 5: custom fields too
        'tab@example.com,"Ta\tb",Ok,gold',  # 6: a tab is text, as in the JSON API
    )
    record = finish(quick, post_multipart(quick, data, columns={"Plan": "data.plan"}).json()["id"])
    assert (record["success_rows"], record["failed_rows"]) == (1, 5)
    assert record["import_errors"] == [
        [1, "first_name: must not contain control characters (found U+0000)", "first_name"],
        [2, "last_name: must not contain control characters (found U+001B)", "last_name"],
        [3, "first_name: must not contain control characters (found U+0007)", "first_name"],
        [4, "last_name: must not contain control characters (found U+007F)", "last_name"],
        [5, "Plan: must not contain control characters (found U+0000)", "Plan"],
    ]
    assert quick.get("/contacts", params={"search": "nul@example.com"}).json() == []
    json_api = quick.post("/contacts", json={"email": "nul@example.com", "first_name": "Nu\x00l"})
    assert assert_error(json_api, 422)["validation_errors"] == {
        "first_name": ["must not contain control characters (found U+0000)"]
    }
    header = post_multipart(quick, csv_bytes("email,first\x1b_name", "a@example.com,A"))
    assert assert_error(header, 422)["validation_errors"] == {
        "file": ["column 2 of the header line must not contain control characters (found U+001B)"]
    }


def test_a_multipart_filename_is_stored_without_control_characters_or_folders(quick):
    boundary = "nitrosend-test-boundary"
    for sent, kept in (("pe\x00op\x1ble\x07.csv", "people.csv"), ("../../etc/peo\x7fple.csv", "people.csv")):
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{sent}"\r\n'
            f"Content-Type: text/csv\r\n\r\nemail\r\nzed@example.com\r\n--{boundary}--\r\n"
        ).encode()
        response = quick.post(
            "/imports", data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )
        assert response.status_code == 201, response.text
        assert response.json()["filename"] == kept == quick.get(f"/imports/{response.json()['id']}").json()["filename"]


def test_a_presigned_upload_url_expires_after_five_minutes(quick, monkeypatch):
    data = csv_bytes("email", "jo@example.com")
    target = direct_upload(quick, data)["direct_upload"]
    later = time.time() + 5 * 60 + 1
    monkeypatch.setattr(time, "time", lambda: later)  # the bytes come 5 minutes and a second later
    expired = requests.put(target["url"], data=data, headers=target["headers"], timeout=10)
    monkeypatch.undo()
    body = assert_error(expired, 403, "upload_url_expired")  # it never expired
    assert body["message"].startswith("This upload URL expired at ") and "valid for 5 minutes" in body["message"]
    assert "POST /v1/direct_uploads" in body["message"]
    fresh = direct_upload(quick, data)["direct_upload"]
    assert requests.put(fresh["url"], data=data, headers=fresh["headers"], timeout=10).status_code == 204


def test_a_rerun_updates_instead_of_duplicating_and_keeps_other_lists(quick):
    first = finish(
        quick, post_multipart(quick, MIXED, columns={"Plan": "data.plan"}, options={"list_ids": [1]}).json()["id"]
    )
    total = int(quick.get("/contacts").headers["X-Total-Count"])
    changed = MIXED.replace(b"ada@example.com,Ada,gold", b"ada@example.com,Ada,platinum")
    second = finish(
        quick, post_multipart(quick, changed, columns={"Plan": "data.plan"}, options={"list_ids": [2]}).json()["id"]
    )
    assert (first["success_rows"], second["success_rows"]) == (2, 2)
    assert int(quick.get("/contacts").headers["X-Total-Count"]) == total
    ada = quick.get("/contacts", params={"search": "ada@example.com"}).json()
    assert len(ada) == 1 and ada[0]["data"]["plan"] == "platinum" and ada[0]["list_ids"] == [1, 2]


def test_an_existing_contact_is_matched_by_email(quick):
    existing = quick.get("/contacts", params={"limit": 1}).json()[0]
    address = email_of(existing).upper()
    record = finish(quick, post_multipart(quick, csv_bytes("Email,Last Name", f"{address},Imported")).json()["id"])
    assert record["success_rows"] == 1
    again = quick.get(f"/contacts/{existing['id']}").json()
    assert again["last_name"] == "Imported" and again["first_name"] == existing["first_name"]


def test_direct_upload_then_import_by_signed_id(quick):
    data = csv_bytes("email,first_name", "gus@example.com,Gus", "hal@example.com,Hal")
    blob = direct_upload(quick, data)
    target = blob["direct_upload"]
    assert target["url"].startswith(quick.sb.root_url) and target["headers"]["Content-MD5"] == checksum(data)
    early = quick.post("/imports", json={"signed_id": blob["signed_id"]})
    assert "signed_id" in assert_error(early, 422)["validation_errors"]
    put = requests.put(target["url"], data=data, headers=target["headers"], timeout=10)  # no API key
    assert put.status_code == 204, put.text
    response = quick.post("/imports", json={"signed_id": blob["signed_id"], "options": {"list_ids": [1]}})
    assert response.status_code == 201, response.text
    record = finish(quick, response.json()["id"])
    assert (record["status"], record["success_rows"], record["failed_rows"]) == ("complete", 2, 0)
    assert quick.get("/contacts", params={"search": "gus@example.com"}).json()[0]["list_ids"] == [1]


def test_direct_upload_refuses_no_key_bad_bytes_forged_urls_and_unknown_ids(quick):
    data = csv_bytes("email", "ivy@example.com")
    keyless = requests.post(quick.sb.root_url + "/v1/direct_uploads", json={"blob": {}}, timeout=10)
    assert_error(keyless, 401)
    blob = direct_upload(quick, data)
    url = blob["direct_upload"]["url"]
    assert_error(requests.put(url, data=data.replace(b"ivy", b"ivx"), timeout=10), 422)  # checksum differs
    assert_error(requests.put(url, data=data + b"x", timeout=10), 422)  # size differs
    assert_error(requests.put(url[:-3] + "abc", data=data, timeout=10), 403)  # forged token
    forged = quick.post("/imports", json={"signed_id": blob["signed_id"][:-2] + "00"})
    assert "signed_id" in assert_error(forged, 422)["validation_errors"]
    neither = quick.post("/imports", json={"columns": {}})
    assert "signed_id" in assert_error(neither, 422)["validation_errors"]


def test_dry_run_validates_every_row_and_writes_nothing(quick):
    total = int(quick.get("/contacts").headers["X-Total-Count"])
    response = post_multipart(quick, MIXED, columns={"Plan": None}, options={"write_mode": "dry_run"})
    record = finish(quick, response.json()["id"])
    assert (record["status"], record["success_rows"], record["failed_rows"]) == ("complete", 2, 5)
    assert record["options"]["write_mode"] == "dry_run"
    assert int(quick.get("/contacts").headers["X-Total-Count"]) == total
    assert quick.get("/contacts", params={"search": "ada@example.com"}).json() == []


def test_processing_advances_visibly_over_several_polls(make_sandbox):
    api = Api(make_sandbox(contacts=5, import_rows_per_second=1000))  # 100-row batches every 0.1 s
    data = csv_bytes("email", *(f"p{i}@example.com" for i in range(500)))
    import_id = post_multipart(api, data).json()["id"]
    seen = []
    while not seen or seen[-1][0] not in FINISHED:
        record = api.get(f"/imports/{import_id}").json()
        seen.append((record["status"], record["rows_processed"], record["progress_pct"]))
        time.sleep(0.01)
    partial = {rows for status, rows, _ in seen if status == "processing" and 0 < rows < 500}
    assert len(partial) >= 3, seen
    assert [rows for _, rows, _ in seen] == sorted(rows for _, rows, _ in seen)
    assert seen[-1] == ("complete", 500, 100.0)


def test_cancel_stops_processing_and_refuses_a_finished_import(make_sandbox):
    api = Api(make_sandbox(contacts=5, import_rows_per_second=50))
    data = csv_bytes("email", *(f"c{i}@example.com" for i in range(200)))
    import_id = post_multipart(api, data).json()["id"]
    time.sleep(0.15)
    canceled = api.post(f"/imports/{import_id}/cancel")
    assert canceled.status_code == 200 and canceled.json()["status"] == "canceled"
    processed = canceled.json()["rows_processed"]
    time.sleep(0.25)
    record = api.get(f"/imports/{import_id}").json()
    assert record["status"] == "canceled" and record["rows_processed"] == processed < 200 and record["ended_at"]
    assert "status" in assert_error(api.post(f"/imports/{import_id}/cancel"), 422)["validation_errors"]
    assert_error(api.post("/imports/999/cancel"), 404)


def test_whole_file_problems_are_refused_before_anything_runs(quick):
    def refused(data: bytes, field: str, **fields) -> list[str]:
        return assert_error(post_multipart(quick, data, **fields), 422)["validation_errors"][field]

    assert "unknown column 'Plan'" in refused(MIXED, "columns")[0]
    assert "no column fills 'email'" in refused(csv_bytes("first_name", "Ann"), "columns")[0]
    assert "not a column" in refused(MIXED, "columns", columns={"Plan": None, "Nope": "email"})[0]
    assert refused(csv_bytes("email", "a@example.com"), "options.list_ids", options={"list_ids": [999]})
    assert "not UTF-8" in refused("email\nzoë@example.com\n".encode("latin-1"), "file")[0]
    assert "empty" in refused(b"", "file")[0]
    limits = quick.get("/imports/spec").json()["guardrails"]
    too_many = csv_bytes("email", *(["a@b.co"] * (limits["max_rows"] + 1)))
    assert "limit" in refused(too_many, "file")[0]
    too_big = quick.session.post(
        quick.sb.root_url + "/v1/direct_uploads",
        timeout=10,
        json={
            "blob": {"filename": "big.csv", "byte_size": limits["max_file_size_bytes"] + 1, "checksum": "A" * 22 + "=="}
        },
    )
    assert "blob.byte_size" in assert_error(too_big, 422)["validation_errors"]
    assert quick.get("/imports").headers["X-Total-Count"] == "0"


def test_the_spec_and_every_import_record_have_todays_shape(quick):
    spec = quick.get("/imports/spec").json()
    assert_today(spec, IMPORT_SPEC, "ImportSpec", exact=True)
    assert "limits" not in spec and "write_modes" not in spec  # today's policy lives in guardrails
    started = post_multipart(quick, csv_bytes("email", "shape@example.com"))
    assert started.status_code == 201, started.text
    finished = finish(quick, started.json()["id"])
    for record in (started.json(), finished, quick.get("/imports").json()[0]):
        assert_today(record, IMPORT, "Import")
    guardrails = spec["guardrails"]
    assert finished["guardrail"] == {
        "tier": "auto",
        "status": "ok",
        "standing": guardrails["standing"],
        "max_rows": guardrails["max_rows"],
    }


def test_spec_list_filters_and_page_size(quick):
    spec = quick.get("/imports/spec").json()
    assert spec["guardrails"]["write_modes"] == ["real", "shadow", "dry_run"] and spec["parser"] == "default"
    assert "email" in {f["name"] for f in spec["fields"]} and spec["required_rules"]["required_fields"] == ["email"]
    for index in range(26):
        post_multipart(quick, csv_bytes("email", f"page{index}@example.com"))
    listing = quick.get("/imports")
    assert listing.headers["X-Total-Count"] == "26" and len(listing.json()) == 25  # default page size 25
    finish(quick, listing.json()[0]["id"])
    assert all(r["status"] == "complete" for r in quick.get("/imports", params={"status": "complete"}).json())
    assert "status" in assert_error(quick.get("/imports", params={"status": "nope"}), 422)["validation_errors"]
    assert quick.get("/imports", params={"resource": "contacts"}).headers["X-Total-Count"] == "26"
    assert "resource" in assert_error(quick.get("/imports", params={"resource": "lists"}), 422)["validation_errors"]


def test_a_retried_import_request_with_the_same_key_starts_one_import(quick):
    data = csv_bytes("email", "once@example.com")
    first = quick.post("/imports", files={"file": ("a.csv", data)}, headers={"Idempotency-Key": "imp-1"})
    again = quick.post("/imports", files={"file": ("a.csv", data)}, headers={"Idempotency-Key": "imp-1"})
    assert first.json()["id"] == again.json()["id"] and quick.get("/imports").headers["X-Total-Count"] == "1"
    other = quick.post(
        "/imports", files={"file": ("a.csv", data + b"two@example.com\n")}, headers={"Idempotency-Key": "imp-1"}
    )
    assert_error(other, 409, "idempotency_conflict")


def test_files_above_the_json_body_limit_go_in_both_ways_and_skip_the_json_checks(quick):
    notes = "[" * (limits.MAX_JSON_DEPTH + 1)  # would be "JSON nested too deep" if a CSV were checked as JSON
    rows = [f"big{i:05d}@example.com,{notes}" for i in range(limits.MAX_BODY_BYTES // 80 + 1000)]
    data = csv_bytes("email,Notes", *rows)
    assert limits.MAX_BODY_BYTES < len(data) < limits.MAX_IMPORT_FILE_BYTES
    dry_run = {"write_mode": "dry_run"}
    response = post_multipart(quick, data, columns={"Notes": "data.notes"}, options=dry_run)
    assert response.status_code == 201, response.text
    assert response.json()["total_rows"] == len(rows)
    blob = direct_upload(quick, data)
    put = requests.put(blob["direct_upload"]["url"], data=data, headers=blob["direct_upload"]["headers"], timeout=30)
    assert put.status_code == 204, put.text
    by_id = quick.post(
        "/imports", json={"signed_id": blob["signed_id"], "columns": {"Notes": None}, "options": dry_run}
    )
    assert by_id.status_code == 201, by_id.text


def test_bodies_above_the_import_file_limit_are_413_and_other_bodies_are_refused(quick):
    huge = b"email\n" + b"x" * limits.MAX_IMPORT_BODY_BYTES
    assert_error(post_multipart(quick, huge), 413)
    blob = direct_upload(quick, csv_bytes("email", "a@example.com"))
    assert_error(requests.put(blob["direct_upload"]["url"], data=huge, timeout=30), 413)
    assert_error(
        quick.post(
            "/lists",
            data=b'{"name": "' + b"x" * limits.MAX_BODY_BYTES + b'"}',
            headers={"Content-Type": "application/json"},
        ),
        413,
    )  # JSON keeps the 1 MiB limit
    assert_error(quick.post("/imports", data=b"email\na@example.com\n", headers={"Content-Type": "text/csv"}), 415)
    bad_field = post_multipart(quick, csv_bytes("email", "a@example.com"), columns={"email": "email\x07"})
    assert "columns.email" in assert_error(bad_field, 422)["validation_errors"]
    assert quick.get("/imports").headers["X-Total-Count"] == "0"


def test_imports_and_uploads_belong_to_the_brand_that_made_them(quick):
    roastery, cafe = (brand["sid"] for brand in quick.get("/brands").json())
    response = quick.post(
        "/imports", files={"file": ("c.csv", csv_bytes("email", "barista@example.com"))}, headers={"X-Brand-SID": cafe}
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["brand_id"] == 2
    assert_error(quick.get(f"/imports/{created['id']}"), 404)
    assert quick.get("/imports").headers["X-Total-Count"] == "0"
    deadline = time.monotonic() + 10
    while quick.get(f"/imports/{created['id']}", headers={"X-Brand-SID": cafe}).json()["status"] != "complete":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    found = quick.get("/contacts", params={"search": "barista@example.com"}, headers={"X-Brand-SID": cafe}).json()
    assert [c["brand_id"] for c in found] == [2]
    assert quick.get("/contacts", params={"search": "barista@example.com"}).json() == []
    data = csv_bytes("email", "a@example.com")
    blob = direct_upload(quick, data)  # the roastery's upload
    requests.put(blob["direct_upload"]["url"], data=data, headers=blob["direct_upload"]["headers"], timeout=10)
    other = quick.post("/imports", json={"signed_id": blob["signed_id"]}, headers={"X-Brand-SID": cafe})
    assert "signed_id" in assert_error(other, 422)["validation_errors"]
    assert (
        quick.post("/imports", json={"signed_id": blob["signed_id"]}, headers={"X-Brand-SID": roastery}).status_code
        == 201
    )
