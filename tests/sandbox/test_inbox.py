"""The inbox's read-only JSON API and page: search grammar, pagination, one email, .eml source, checks, live."""

from __future__ import annotations

import email
import email.policy

import pytest
import requests
from sandbox_helpers import Api, assert_error

from nitrosend_nb.rendering.context import SANDBOX_HOST
from nitrosend_nb.sandbox import Sandbox


@pytest.fixture(scope="module")
def filled():
    """A sandbox whose outbox holds transactional, test and campaign emails (the tests only read it)."""
    with Sandbox(seed=0, contacts=60) as sb:
        _fill(sb)
        yield sb


def _fill(sb) -> None:
    api = Api(sb)
    api.send(
        "t1",
        channel="email",
        to="ada@example.com",
        subject="Order shipped",
        html="<p>Your parcel</p>",
        tags={"vip": True, "channel": "orders"},
        **{"from": "Ops <ops@acme.test>"},
    )
    api.send(
        "t2",
        channel="email",
        to="grace@example.com",
        subject="Password reset",
        body="Reset it here",
        tags={"security": "reset"},
    )
    api.post("/templates/1/send_test", json={"contact_id": 3}, headers={"Idempotency-Key": "s1"})
    campaign = api.post(
        "/campaigns",
        json={
            "name": "Big Sale",
            "template_attributes": {
                "subject": "Big sale, {{ contact.first_name }}",
                "body": '<p>Sale</p><a href="{{ unsubscribe_url }}">out</a>',
            },
            "trigger_attributes": {"contact_list_ids": [3]},
        },
    ).json()
    api.post(f"/campaigns/{campaign['id']}/send")


def search(sb, query: str = "", **params) -> requests.Response:
    return requests.get(sb.root_url + "/_sandbox/messages", params={"query": query, **params}, timeout=30)


def ids(sb, query: str) -> list[int]:
    response = search(sb, query, limit=100)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()]


def test_newest_first_and_paginated_like_the_api(filled):
    outbox = filled.outbox()
    everything = ids(filled, "")
    assert everything == sorted((e["id"] for e in outbox), reverse=True)
    first = search(filled, limit=2)
    assert first.headers["X-Total-Count"] == str(len(outbox)) and first.headers["X-Next-Page"] == "2"
    assert first.headers["X-Total-Pages"] == str(-(-len(outbox) // 2)) and "X-Prev-Page" not in first.headers
    second = search(filled, limit=2, page=2)
    assert [e["id"] for e in first.json() + second.json()] == everything[:4] and second.headers["X-Prev-Page"] == "1"
    assert_error(search(filled, limit=0), 422)


def test_each_operator_and_negation(filled):
    outbox = {e["id"]: e for e in filled.outbox()}
    by_kind = {
        kind: sorted((i for i, e in outbox.items() if e["kind"] == kind), reverse=True)
        for kind in ("transactional", "test", "campaign")
    }
    assert ids(filled, "kind:campaign") == by_kind["campaign"] and len(by_kind["campaign"]) > 1
    assert ids(filled, "kind:flow") == []
    assert ids(filled, "-kind:campaign") == sorted(by_kind["transactional"] + by_kind["test"], reverse=True)
    assert ids(filled, "not kind:campaign") == ids(filled, "-kind:campaign")
    [ada] = ids(filled, "to:ada@example")
    assert outbox[ada]["to"] == "ada@example.com"
    assert ids(filled, "from:ops@acme") == [ada]
    assert ids(filled, 'subject:"order shipped"') == [ada]
    assert ids(filled, "tag:vip") == [ada] and ids(filled, "tag:security") != [ada]
    assert ids(filled, "tag:channel=orders") == [ada] and ids(filled, "tag:channel=other") == []
    assert ada not in ids(filled, "-tag:vip") and len(ids(filled, "-tag:vip")) == len(outbox) - 1
    assert (
        ids(filled, "campaign:big")
        == by_kind["campaign"]
        == ids(filled, f"campaign:{outbox[by_kind['campaign'][0]]['campaign_id']}")
    )
    assert ids(filled, "template:1") == by_kind["test"] == ids(filled, "template:welcome")
    assert ids(filled, "parcel") == [ada]  # free text searches the plain-text part too
    assert ids(filled, "kind:transactional -parcel") == [i for i in by_kind["transactional"] if i != ada]
    stamps = sorted({e["created_at"] for e in outbox.values()})
    assert set(ids(filled, f"before:{stamps[1]}")) == {i for i, e in outbox.items() if e["created_at"] < stamps[1]}
    assert set(ids(filled, f"after:{stamps[1]}")) == {i for i, e in outbox.items() if e["created_at"] > stamps[1]}
    assert ids(filled, "after:2030-01-01") == [] and len(ids(filled, "before:2030-01-01")) == len(outbox)


@pytest.mark.parametrize(("query", "problem"), [("kind:weekly", "kind: must be one of"), ("before:soon", "before:")])
def test_bad_operator_values_are_a_422_on_query(filled, query, problem):
    assert problem in assert_error(search(filled, query), 422)["validation_errors"]["query"][0]


@pytest.mark.parametrize("query", ["campaign:99999999999999999999999", "campaign:²", "template:①", "template:٣"])
def test_an_id_that_cannot_be_one_searches_names_instead_of_failing(filled, query):
    response = search(filled, query)
    assert response.status_code == 200, response.text  # was a 500: SQLite's OverflowError, int("²")
    assert response.json() == []  # no campaign or template has such a name


def test_a_query_over_256_characters_is_a_422_on_query(filled):
    for query in (" ".join(["a"] * 1100), "x" * 257):  # 1,100 terms were a 500: "Expression tree is too large"
        body = assert_error(search(filled, query), 422)
        assert body["validation_errors"] == {"query": ["is too long (at most 256 characters)"]}
    assert assert_error(search(filled, "to:\x00"), 422)["validation_errors"]["query"]  # checked like the API's q


@pytest.mark.parametrize("term", ["a", "-a", "to:a", "tag:a", "-campaign:a"])
def test_the_most_terms_a_query_can_hold_still_answer(filled, term):
    query = " ".join([term] * (257 // (len(term) + 1)))
    assert len(query) <= 256
    assert search(filled, query).status_code == 200


def test_one_email_with_headers_context_and_records(filled):
    [campaign_email] = search(filled, "kind:campaign", limit=1).json()
    detail = requests.get(filled.root_url + campaign_email["urls"]["self"], timeout=30).json()
    stored = next(e for e in filled.outbox() if e["id"] == detail["id"])
    assert detail["html"] == stored["html"] and detail["text"] == stored["text"]
    assert detail["context"]["contact"]["id"] == stored["contact_id"]
    assert detail["context"]["unsubscribe_url"].endswith(detail["context"]["contact"]["uuid"])
    assert detail["records"] == {
        "message": f"/v1/my/messages/{stored['message_id']}",
        "campaign": f"/v1/my/campaigns/{stored['campaign_id']}",
        "contact": f"/v1/my/contacts/{stored['contact_id']}",
    }
    assert detail["headers"]["List-Unsubscribe"].startswith(f"<{detail['context']['unsubscribe_url']}>, <mailto:")
    assert detail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    for name, path in detail["records"].items():  # real API paths, read with the key
        assert Api(filled).session.get(filled.root_url + path, timeout=30).json()["id"] == stored[f"{name}_id"]
    [transactional] = search(filled, "tag:vip").json()
    one = requests.get(filled.root_url + transactional["urls"]["self"], timeout=30).json()
    assert (
        one["idempotency_key"] == "t1"
        and one["tags"] == {"vip": True, "channel": "orders"}
        and "List-Unsubscribe" not in one["headers"]
    )
    assert_error(requests.get(filled.root_url + "/_sandbox/messages/999999", timeout=30), 404)


def test_source_is_an_eml_the_email_package_parses(filled):
    [item] = search(filled, "kind:campaign", limit=1).json()
    response = requests.get(filled.root_url + item["urls"]["source"], timeout=30)
    assert response.headers["content-type"] == "message/rfc822"
    assert response.headers["content-disposition"] == f'attachment; filename="email-{item["id"]}.eml"'
    assert b"\r\n" in response.content
    parsed = email.message_from_bytes(response.content, policy=email.policy.default)
    assert parsed["Subject"] == item["subject"] and parsed["To"] == item["to"]
    assert parsed["List-Unsubscribe"].startswith("<https://sandbox.nitrosend.test/unsubscribe/")
    assert parsed.get_content_type() == "multipart/alternative"
    detail = requests.get(filled.root_url + item["urls"]["self"], timeout=30).json()
    for subtype, key in (("plain", "text"), ("html", "html")):
        assert parsed.get_body((subtype,)).get_content().replace("\r\n", "\n").strip() == detail[key].strip()


def test_checks_list_links_unsubscribe_and_compatibility(filled):
    [test_send] = search(filled, "kind:test").json()
    checks = requests.get(filled.root_url + test_send["urls"]["checks"], timeout=30).json()
    by_url = {link["url"]: link for link in checks["links"]}
    unsubscribe = next(link for url, link in by_url.items() if "/unsubscribe/" in url)
    assert unsubscribe["reachable"] is True and unsubscribe["ok"]  # served by the sandbox, fetched from it
    assert by_url["https://acme.test/shop"]["ok"] and by_url["https://acme.test/shop"]["reachable"] is None
    assert checks["list_unsubscribe"] == {
        "required": False,
        "present": False,
        "value": None,
        "uris": [],
        "problems": [],
        "ok": True,
    }
    logo = by_url["https://sandbox.nitrosend.test/_sandbox/images/acme-coffee-logo.png"]
    assert logo["kind"] == "image" and logo["ok"] and logo["reachable"] is True  # the seeded logo, a hosted PNG
    assert checks["compatibility"] == [] and checks["summary"]["warnings"] == 0
    [campaign] = search(filled, "kind:campaign", limit=1).json()
    checks = requests.get(filled.root_url + campaign["urls"]["checks"], timeout=30).json()
    assert checks["list_unsubscribe"]["ok"] and checks["list_unsubscribe"]["required"]
    assert [link["reachable"] for link in checks["links"]] == [True] and checks["summary"]["errors"] == 0


def test_every_seeded_template_passes_its_own_checks(make_sandbox):
    """A test send of each template of each seeded brand: no error and no compatibility warning in its checks
    (the demo shows what it checks for), and each of its pictures is served."""
    sb = make_sandbox(seed=0, contacts=40)
    api, checked = Api(sb), []
    for brand in api.get("/brands").json():
        headers = {"X-Brand-SID": brand["sid"]}
        for template in api.get("/templates", params={"limit": 100}, headers=headers).json():
            sent = api.post(
                f"/templates/{template['id']}/send_test",
                json={"email": "qa@example.com"},
                headers={**headers, "Idempotency-Key": f"seed-check-{template['id']}"},
            )
            assert sent.status_code == 200, sent.text
            checked.append((brand["company_name"], template["name"]))
    emails = search(sb, "kind:test", limit=100).json()
    assert len(emails) == len(checked) >= 8, checked  # both brands' templates
    reports = {
        item["subject"]: requests.get(sb.root_url + item["urls"]["checks"], timeout=30).json() for item in emails
    }
    failing = {
        subject: report
        for subject, report in reports.items()
        if report["summary"]["errors"] or report["summary"]["warnings"]
    }
    assert not failing
    pictures = [link for report in reports.values() for link in report["links"] if link["kind"] == "image"]
    assert len(pictures) >= len(emails) and all(link["reachable"] for link in pictures)  # the sandbox serves them


def test_an_unknown_unsubscribe_link_is_reported_unreachable(fresh_sandbox):
    Api(fresh_sandbox).send(
        "u",
        channel="email",
        to="qa@example.com",
        subject="S",
        html='<a href="https://sandbox.nitrosend.test/unsubscribe/nobody">x</a>'
        '<a href="javascript:alert(1)">y</a><div style="display:flex"><style>p{}</style></div>',
    )
    [item] = search(fresh_sandbox).json()
    checks = requests.get(fresh_sandbox.root_url + item["urls"]["checks"], timeout=30).json()
    assert [link["problems"] for link in checks["links"]] == [
        ["sandbox answered 404"],
        ["scheme javascript: not allowed; use http/https/mailto"],
    ]
    assert {c["rule"] for c in checks["compatibility"]} == {"flexbox", "style-in-body"}
    assert checks["summary"] == {"links": 2, "errors": 2, "warnings": 2}


def test_latest_changes_when_a_send_lands(fresh_sandbox):
    url = fresh_sandbox.root_url + "/_sandbox/messages/latest"
    assert requests.get(url, timeout=30).json() == {"latest_id": None, "total": 0}
    Api(fresh_sandbox).send("live", channel="email", to="qa@example.com", subject="Live", body="now")
    [item] = search(fresh_sandbox).json()
    assert requests.get(url, timeout=30).json() == {"latest_id": item["id"], "total": 1}


def test_the_page_is_a_static_app_with_a_strict_policy_and_read_only_endpoints(fresh_sandbox):
    root = fresh_sandbox.root_url + "/_sandbox/"
    page = requests.get(root, timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert '<script src="/_sandbox/assets/inbox.js">' in page.text and "http" not in page.text.replace(
        "http-equiv", ""
    )  # nothing from a CDN
    script = requests.get(root + "assets/inbox.js", timeout=30)
    assert script.headers["content-type"].startswith("text/javascript") and "sandbox" in script.text
    assert "allow-scripts" not in script.text and "innerHTML" not in script.text
    assert f'const STAND_IN = "https://{SANDBOX_HOST}/";' in script.text  # the host whose paths the sandbox serves
    assert requests.get(root + "assets/inbox.css", timeout=30).status_code == 200
    assert_error(requests.get(root + "assets/secrets.txt", timeout=30), 404)
    assert '<link rel="icon" href="/favicon.ico"' in page.text
    icon = requests.get(fresh_sandbox.root_url + "/favicon.ico", timeout=30)
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content.startswith(b"\x00\x00\x01\x00")  # an ICO directory (16, 32 and 48 px images)
    logo = requests.get(root + "images/acme-coffee-logo.png", timeout=30)
    assert logo.headers["content-type"] == "image/png" and logo.content.startswith(b"\x89PNG")
    assert_error(requests.get(root + "images/secrets.png", timeout=30), 404)
    key = {"Authorization": f"Bearer {fresh_sandbox.api_key}"}
    for path in ("messages", "messages/1", "messages/1/checks"):
        assert requests.post(root + path, json={}, timeout=30).status_code == 401  # the gate: writes need the key
        assert requests.post(root + path, json={}, headers=key, timeout=30).status_code == 405  # and none exist


def test_unsubscribe_pages_are_read_only(fresh_sandbox):
    contact = Api(fresh_sandbox).get("/contacts/3").json()
    page = requests.get(f"{fresh_sandbox.root_url}/unsubscribe/{contact['uuid']}", timeout=30)
    assert page.status_code == 200 and "nothing is changed" in page.text
    assert Api(fresh_sandbox).get("/contacts/3").json() == contact
    assert requests.get(f"{fresh_sandbox.root_url}/unsubscribe/test", timeout=30).status_code == 200
    assert requests.get(f"{fresh_sandbox.root_url}/unsubscribe/nobody", timeout=30).status_code == 404
