"""Templates: summaries, CRUD, preview, and send_test with its recipients, personalisation and idempotency."""

from __future__ import annotations

from sandbox_helpers import assert_error, email_of

DESIGN = {
    "sections": [
        {"type": "hero", "props": {"heading": "Hi {{ contact.first_name }}"}},
        {"type": "text", "props": {"text": "<b>bold</b> & more"}},
        {"type": "footer", "props": {}},
    ]
}


def test_list_is_summaries(api):
    summaries = api.get("/templates").json()
    assert len(summaries) == 6
    for summary in summaries:
        assert set(summary) == {
            "id",
            "name",
            "subject",
            "preheader",
            "flow_id",
            "section_count",
            "section_types",
            "created_at",
            "updated_at",
        }
        assert summary["section_count"] == len(summary["section_types"]) > 0


def test_get_is_the_full_template_with_variables(api):
    template = api.get("/templates/2").json()
    assert template["design"]["sections"] and template["from_email"] == "hello@acme.test"
    assert template["variables"] == {"data": ["order_id", "total"], "contact": ["first_name"]}


def test_create_and_update(fresh_api):
    created = fresh_api.post(
        "/templates",
        json={"name": "Receipt", "subject": "Receipt {{ data.n }}", "preheader": "Thanks", "design": DESIGN},
    )
    assert created.status_code == 201
    template = created.json()
    assert template["variables"] == {"data": ["n"], "contact": ["first_name"]} and template["body"] is None
    updated = fresh_api.patch(f"/templates/{template['id']}", json={"subject": "New", "reply_to": "r@acme.test"}).json()
    assert updated["subject"] == "New" and updated["name"] == "Receipt" and updated["reply_to"] == "r@acme.test"
    summary = next(t for t in fresh_api.get("/templates").json() if t["id"] == template["id"])
    assert summary["section_types"] == ["hero", "text", "footer"]
    assert_error(fresh_api.delete(f"/templates/{template['id']}"), 405)


def test_preview_renders_escaped_html_with_literal_merge_tags(api):
    html = api.post("/templates/preview", json={"document": DESIGN}).json()["html"]
    assert html.lower().startswith("<!doctype html>") and "Hi {{ contact.first_name }}" in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in html and "<b>bold</b>" not in html


def test_preview_accepts_design_and_personalises_with_a_contact(api):
    contact = api.get("/contacts/3").json()
    html = api.post("/templates/preview", json={"design": DESIGN, "contact_id": 3}).json()["html"]
    assert f"Hi {contact['first_name']}" in html


def test_preview_needs_a_document(api):
    assert "document" in assert_error(api.post("/templates/preview", json={}), 422)["validation_errors"]


def test_send_test_to_one_address(fresh_sandbox, fresh_api):
    result = fresh_api.post(
        "/templates/1/send_test", json={"email": "me@example.com"}, headers={"Idempotency-Key": "t1"}
    ).json()
    [email] = fresh_sandbox.outbox()
    assert result == {
        "sent": 1,
        "results": [
            {
                "email": "me@example.com",
                "success": True,
                "status": "delivered",
                "code": "delivered",
                "message_id": email["message_id"],
            }
        ],
    }
    assert email["kind"] == "test" and email["template_id"] == 1 and email["subject"].startswith("[Test] ")


def test_send_test_to_a_list_and_emails(fresh_sandbox, fresh_api):
    result = fresh_api.post(
        "/templates/1/send_test",
        json={"email": ["a@example.com", "b@example.com"], "emails": ["c@example.com", "a@example.com"]},
    ).json()
    assert result["sent"] == 3 and [r["email"] for r in result["results"]] == [
        "a@example.com",
        "b@example.com",
        "c@example.com",
    ]
    assert [e["to"] for e in fresh_sandbox.outbox()] == ["a@example.com", "b@example.com", "c@example.com"]


def test_send_test_to_a_contact_is_personalised(fresh_sandbox, fresh_api):
    contact = fresh_api.get("/contacts/9").json()
    result = fresh_api.post("/templates/1/send_test", json={"contact_id": 9}).json()
    [email] = fresh_sandbox.outbox()
    assert result["results"] == [
        {
            "email": email_of(contact),
            "success": True,
            "status": "delivered",
            "code": "delivered",
            "message_id": email["message_id"],
        }
    ]
    assert email["subject"] == f"[Test] Welcome to Acme, {contact['first_name']}!" and email["contact_id"] == 9
    assert f"Welcome, {contact['first_name']}" in email["html"]


def test_send_test_without_recipient_uses_the_brand_test_list(fresh_sandbox, fresh_api):
    brand = fresh_api.get("/brands").json()[0]
    result = fresh_api.post("/templates/3/send_test").json()
    assert [r["email"] for r in result["results"]] == brand["test_email_recipients"]


def test_send_test_falls_back_to_the_account_owner(fresh_api):
    sid = fresh_api.get("/brands").json()[0]["sid"]
    assert fresh_api.patch(f"/brands/{sid}", json={"test_email_recipients": []}).status_code == 200
    result = fresh_api.post("/templates/3/send_test", json={}).json()
    assert [(r["email"], r["success"], r["status"]) for r in result["results"]] == [
        ("owner@acme.test", True, "delivered")
    ]


def test_send_test_idempotency(fresh_sandbox, fresh_api):
    first = fresh_api.post("/templates/1/send_test", json={"email": "x@example.com"}, headers={"Idempotency-Key": "s"})
    again = fresh_api.post("/templates/1/send_test", json={"email": "x@example.com"}, headers={"Idempotency-Key": "s"})
    assert first.json() == again.json() and len(fresh_sandbox.outbox()) == 1
    conflict = fresh_api.post(
        "/templates/1/send_test", json={"email": "y@example.com"}, headers={"Idempotency-Key": "s"}
    )
    assert_error(conflict, 409, "idempotency_conflict")
    assert len(fresh_sandbox.outbox()) == 1


def test_send_test_errors(fresh_sandbox, fresh_api):
    assert (
        "contact_id"
        in assert_error(fresh_api.post("/templates/1/send_test", json={"contact_id": 9999}), 422)["validation_errors"]
    )
    assert (
        "email"
        in assert_error(fresh_api.post("/templates/1/send_test", json={"email": "nope"}), 422)["validation_errors"]
    )
    assert fresh_sandbox.outbox() == []


def test_an_html_body_is_sent_as_html_and_a_plain_one_as_text(fresh_api):
    html_id = fresh_api.post(
        "/templates", json={"name": "H", "subject": "S", "body": "<h1>Hi {{ data.who }}</h1>"}
    ).json()["id"]
    plain_id = fresh_api.post(
        "/templates", json={"name": "P", "subject": "S", "body": "1 < 2 & {{ data.who }}"}
    ).json()["id"]
    for template_id in (html_id, plain_id):
        response = fresh_api.post(
            f"/templates/{template_id}/send_test",
            headers={"Idempotency-Key": f"t{template_id}"},
            json={"email": "qa@example.com", "data": {"who": "<Ann>"}},
        )
        assert response.status_code == 200
    html_email, plain_email = fresh_api.sb.outbox()
    assert "<h1>Hi &lt;Ann&gt;</h1>" in html_email["html"] and html_email["text"] == "Hi <Ann>"
    assert "<p>1 &lt; 2 &amp; &lt;Ann&gt;</p>" in plain_email["html"] and plain_email["text"] == "1 < 2 & <Ann>"


def test_preview_keeps_inline_images_but_no_other_data_urls(api):
    picture = "data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A//www.w3.org/2000/svg%22/%3E"
    design = {
        "sections": [
            {"type": "image", "props": {"src": picture, "alt": "ok"}},
            {"type": "image", "props": {"src": "data:text/html,<script>alert(1)</script>", "alt": "no"}},
        ]
    }
    html = api.post("/templates/preview", json={"document": design}).json()["html"]
    assert f'alt="ok" height="auto" src="{picture}"' in html
    assert 'alt="no" height="auto" src="#"' in html and "data:text/html" not in html


def test_preview_of_a_spacer_with_an_odd_height_falls_back_to_the_default(api):
    design = {"sections": [{"type": "spacer", "props": {"height": "\u00b2"}}]}
    response = api.post("/templates/preview", json={"document": design})
    assert response.status_code == 200 and "height:24px" in response.json()["html"].replace(" ", "")


def test_preview_of_a_spacer_with_a_5000_digit_height_clamps_it(api):
    design = {"sections": [{"type": "spacer", "props": {"height": "9" * 5000}}]}  # was a 500: int() refuses it
    response = api.post("/templates/preview", json={"document": design})
    assert response.status_code == 200 and "height:400px" in response.json()["html"].replace(" ", "")


def test_a_keyless_send_test_is_served_with_the_deprecation_warning(fresh_api):
    keyless = fresh_api.post("/templates/1/send_test", json={"email": "qa@example.com"})
    assert keyless.status_code == 200 and keyless.headers["Deprecation"] and keyless.headers["Sunset"].endswith("GMT")
    keyed = fresh_api.post("/templates/1/send_test", json={"email": "qa@example.com"}, headers={"Idempotency-Key": "k"})
    assert keyed.status_code == 200 and "Deprecation" not in keyed.headers


def test_links_get_their_merge_tags_filled_and_stay_http(fresh_api):
    design = {
        "sections": [
            {"type": "button", "props": {"text": "Track", "url": "https://acme.test/o/{{ data.order }}"}},
            {"type": "button", "props": {"text": "Sneaky", "url": "{{ data.evil }}"}},
            {"type": "footer", "props": {"text": "Acme"}},
        ]
    }
    template = fresh_api.post("/templates", json={"name": "Links", "subject": "S", "design": design}).json()
    fresh_api.post(
        f"/templates/{template['id']}/send_test",
        headers={"Idempotency-Key": "links"},
        json={"email": "qa@example.com", "data": {"order": "42", "evil": "javascript:alert(1)"}},
    )
    [email] = fresh_api.sb.outbox()
    assert 'href="https://acme.test/o/42"' in email["html"]
    assert "javascript:" not in email["html"] and 'href="#"' in email["html"]
    assert 'href="https://sandbox.nitrosend.test/unsubscribe/test"' in email["html"]
