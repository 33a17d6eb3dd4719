"""Inbound replies: ``POST /_sandbox/inbound`` and the ``reply_rate`` knob store mail that reached a brand's
inbox, fire signed ``email.received`` webhooks whose ``data`` has exactly the declared fields (each part cut at
64 KiB with ``truncated``), and thread it under the email it answers in the inbox."""

from __future__ import annotations

import time

import pytest
import requests
from sandbox_helpers import Api, assert_error, create_webhook, eventually, send, verified
from todays_api import RECEIVED_DATA, assert_today

from nitrosend_nb.sandbox import limits


@pytest.fixture
def api(make_sandbox) -> Api:
    """A small sandbox whose webhook schedule runs 600x faster."""
    return Api(make_sandbox(contacts=10, webhook_time_scale=600))


def inbound(api: Api, **body) -> requests.Response:
    return api.control("POST", "/inbound", json=body)


def received(server, secret: str, count: int) -> list[dict]:
    """The first ``count`` verified events the endpoint got (waits for them)."""
    return eventually(lambda: (got := verified(server, secret)) and len(got) >= count and got)[:count]


def test_a_reply_fires_a_verified_email_received_with_the_declared_payload(api, scripted_server):
    hook = create_webhook(api, scripted_server.root + "/hook", ["email.received"])
    message = send(api, "ada@example.com", "k-reply")
    stored = inbound(
        api,
        message_id=message["id"],
        text="Thanks! When does it ship?",
        html="<p>Thanks! When does it ship?</p>",
        attachments=[{"filename": "receipt.pdf", "content_type": "application/pdf", "size": 2048}],
    )
    assert stored.status_code == 201, stored.text
    (event,) = received(scripted_server, hook["secret"], 1)
    assert event["type"] == "email.received"
    data = event["data"]
    assert_today(data, RECEIVED_DATA, "email.received", exact=True)
    assert (data["message_id"], data["from"], data["to"]) == (message["id"], "ada@example.com", "support@acme.test")
    assert (data["subject"], data["text"], data["truncated"], data["auto_submitted"]) == (
        "Re: Hi",  # the subject as sent (no contact, so no first name)
        "Thanks! When does it ship?",
        False,
        False,
    )
    (attachment,) = data["attachments"]
    assert attachment["id"].startswith("att_") and attachment["scanned"] is True
    assert (attachment["filename"], attachment["content_type"], attachment["size"]) == (
        "receipt.pdf",
        "application/pdf",
        2048,
    )
    assert data["conversation_id"] == stored.json()["conversation_id"] and data["conversation_id"].startswith("cnv_")
    # a second reply joins the conversation as a new message of it
    again = inbound(api, message_id=message["id"], text="Never mind, it arrived.", auto_submitted=True).json()
    assert again["conversation_id"] == data["conversation_id"]
    assert again["conversation_message_id"] != data["conversation_message_id"]
    second = received(scripted_server, hook["secret"], 2)[1]["data"]
    assert (second["auto_submitted"], second["html"], second["attachments"]) == (True, None, [])


def test_each_part_is_cut_at_64_kib_and_says_so(api, scripted_server):
    hook = create_webhook(api, scripted_server.root + "/hook", ["email.received"])
    message = send(api, "bo@example.com", "k-long")
    long_html = "<p>" + "x" * limits.MAX_INBOUND_PART_CHARS + "</p>"
    assert inbound(api, message_id=message["id"], text="short", html=long_html).status_code == 201
    data = received(scripted_server, hook["secret"], 1)[0]["data"]
    assert (len(data["html"]), data["truncated"], data["text"]) == (limits.MAX_INBOUND_PART_CHARS, True, "short")
    assert data["html"] == long_html[: 64 * 1024]


def test_mail_answering_no_send_and_the_refusals(api, scripted_server):
    hook = create_webhook(api, scripted_server.root + "/hook", ["email.received"])
    brand = api.get("/brands").json()[0]
    stored = inbound(api, brand_sid=brand["sid"], **{"from": "Cy <cy@example.com>"}, subject="Wholesale?", text="Hi")
    assert stored.status_code == 201, stored.text
    data = received(scripted_server, hook["secret"], 1)[0]["data"]
    assert (data["message_id"], data["subject"], data["tags"]) == (None, "Wholesale?", {})
    assert "from" in assert_error(inbound(api, text="who?"), 422)["validation_errors"]
    assert "brand_sid" in assert_error(inbound(api, message_id=1, brand_sid=brand["sid"]), 422)["validation_errors"]
    assert_error(inbound(api, message_id=999_999, text="?"), 404)
    assert_error(inbound(api, brand_sid="brd_unknown", **{"from": "cy@example.com"}), 404)
    too_many = [{"filename": f"{i}.txt"} for i in range(11)]
    assert "attachments" in assert_error(inbound(api, message_id=1, attachments=too_many), 422)["validation_errors"]
    keyless = requests.post(api.sb.root_url + "/_sandbox/inbound", json={"message_id": 1}, timeout=10)
    assert keyless.status_code in (401, 403)


def test_the_reply_rate_knob_answers_that_share_of_sends_the_same_way_each_run(make_sandbox, scripted_server):
    def replied_to(rate: float) -> list[int]:
        api = Api(make_sandbox(contacts=10, webhook_time_scale=600))
        api.control("POST", "/config", json={"reply_rate": rate})
        for index in range(20):
            send(api, f"person{index}@example.com", f"k-{index}")
        inbox = requests.get(api.sb.root_url + "/_sandbox/messages", params={"limit": 100}, timeout=10).json()
        return sorted(row["message_id"] for row in inbox if row["reply_count"])

    assert replied_to(0.0) == []
    assert replied_to(1.0) == sorted(range(min(replied_to(1.0)), min(replied_to(1.0)) + 20))
    half = replied_to(0.5)
    assert 3 <= len(half) <= 17 and replied_to(0.5) == half  # drawn per message, so a rerun is the same


def test_the_inbox_threads_replies_under_the_email_they_answer(api, scripted_server):
    hook = create_webhook(api, scripted_server.root + "/hook", ["email.received"])
    message = send(api, "di@example.com", "k-thread")
    for text in ("First", "Second"):
        assert inbound(api, message_id=message["id"], text=text).status_code == 201
        time.sleep(0.01)
    received(scripted_server, hook["secret"], 2)
    inbox = requests.get(api.sb.root_url + "/_sandbox/messages", params={"limit": 100}, timeout=10).json()
    (row,) = [row for row in inbox if row["message_id"] == message["id"]]
    assert row["reply_count"] == 2
    detail = requests.get(api.sb.root_url + row["urls"]["self"], timeout=10).json()
    assert [reply["text"] for reply in detail["replies"]] == ["First", "Second"]  # oldest first
    assert {reply["message_id"] for reply in detail["replies"]} == {message["id"]}
