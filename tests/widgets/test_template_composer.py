"""TemplateComposer against a real sandbox: save/patch, test sends, bad input, server errors, duplicate clicks."""

from __future__ import annotations

import html
import re

import pytest

import nitrosend_nb as nb
from nitrosend_nb.widgets import TemplateComposer


def fill(composer: TemplateComposer, **values: str) -> None:
    for field, value in values.items():
        getattr(composer, field).value = value


def new_composer(ns, **values: str) -> TemplateComposer:
    composer = ns.template_composer()
    fill(
        composer,
        **{
            "name": "Welcome v2",
            "subject": "Hello {{ contact.first_name }}",
            "body": "Hi {{ contact.first_name }}, welcome to Acme.",
            **values,
        },
    )
    return composer


def a_contact(ns) -> tuple[str, str]:
    """(email, first_name) of a seeded contact that has both."""
    for contact in ns.contacts.list(limit=50):
        emails = [c["value"] for c in contact["channels"] if c["kind"] == "email"]
        if emails and contact.get("first_name"):
            return emails[0], contact["first_name"]
    raise AssertionError("the seed has no contact with an e-mail and a first name")


def test_save_creates_then_patches_the_same_template(ns):
    composer = new_composer(
        ns,
        preheader="Fresh beans inside",
        from_name="Acme Coffee",
        from_email="hello@acme.test",
        reply_to="support@acme.test",
    )
    assert composer.template_id is None and "not saved yet" in composer.state.value
    composer.save_button.click()

    template_id = composer.template_id
    assert template_id is not None
    assert f"#{template_id}" in composer.status.text and "saved" in composer.state.value
    stored = ns.templates.get(template_id)
    assert {k: stored[k] for k in composer.values()} == composer.values()
    assert repr(composer) == f"<TemplateComposer template_id={template_id} (saved)>"

    count = len(ns.templates.list())
    composer.subject.value = "Changed subject"
    assert composer.dirty and "unsaved changes" in composer.state.value
    composer.save_button.click()
    assert composer.template_id == template_id
    assert len(ns.templates.list()) == count  # PATCH, not a second template
    assert ns.templates.get(template_id)["subject"] == "Changed subject"
    assert not composer.dirty and "saved" in composer.state.value

    composer.reply_to.value = ""  # clearing an optional field clears it in the store
    composer.save_button.click()
    assert composer.status.kind == "success" and ns.templates.get(template_id)["reply_to"] is None


def test_send_test_saves_first_and_fills_merge_tags_per_recipient(ns, sb):
    address, first_name = a_contact(ns)
    composer = new_composer(ns)
    composer.recipients.value = f"{address}, someone@example.com"
    composer.test_button.click()

    assert composer.template_id is not None and not composer.dirty  # what is tested is what is stored
    emails = sb.outbox()
    assert [e["to"] for e in emails] == [address, "someone@example.com"]
    assert all(e["kind"] == "test" and e["template_id"] == composer.template_id for e in emails)
    assert emails[0]["subject"].endswith(f"Hello {first_name}")
    assert f"Hi {first_name}, welcome" in emails[0]["text"]
    assert "{{" not in emails[1]["subject"] + emails[1]["text"]  # no contact: tags render empty, never raw
    assert composer.status.kind == "success"
    assert address in composer.status.text and "someone@example.com" in composer.status.text


def test_an_html_body_is_sent_as_html(ns, sb):
    address, first_name = a_contact(ns)
    composer = new_composer(ns, body="<h1>Hi {{ contact.first_name }}</h1><p>Fresh beans</p>", recipients=address)
    composer.test_button.click()
    [email] = sb.outbox()
    assert f"<h1>Hi {first_name}</h1><p>Fresh beans</p>" in email["html"]  # as the preview shows it
    assert "&lt;h1&gt;" not in email["html"]


def test_send_test_without_recipients_goes_to_the_account_test_recipients(ns, sb):
    brand = ns.brands.list()[0]  # the default brand: the one a client without brand_sid works in
    composer = new_composer(ns)
    composer.test_button.click()
    assert sorted(e["to"] for e in sb.outbox()) == sorted(brand["test_email_recipients"])
    for address in brand["test_email_recipients"]:  # one row per recipient: address, status, message
        assert re.search(rf"{re.escape(address)}\s+delivered\s+message #\d+", composer.status.text)


def test_each_recipients_refusal_is_shown_beside_the_others_delivery(ns, sb):
    composer = new_composer(ns)
    composer.recipients.value = "qa@acme.test, nobody@bounce.invalid"
    result = composer.send_test()
    assert [item["status"] for item in result["results"]] == ["delivered", "failed"]
    assert [e["to"] for e in sb.outbox()] == ["qa@acme.test"]
    assert composer.status.kind == "error" and "sent to 1 of 2 recipient(s)" in composer.status.text
    assert re.search(r"nobody@bounce\.invalid\s+failed\s+invalid_recipient: The recipient", composer.status.text)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("recipients", "qa@acme.test, bob@", "'bob@'"),
        ("recipients", "qa@acme.test,,ops@acme.test", "Empty entry"),
        ("subject", "   ", "A subject is required"),
        ("name", "", "A template name is required"),
        ("from_email", "hello(at)acme.test", "not a valid e-mail address"),
        ("reply_to", "support@acme", "not a valid e-mail address"),
    ],
)
def test_bad_input_is_flagged_beside_the_field_and_sends_nothing(ns, sb, field, value, message):
    composer = new_composer(ns, **{field: value})
    templates_before = len(ns.templates.list())
    composer.test_button.click()
    assert sb.outbox() == []
    assert len(ns.templates.list()) == templates_before
    assert message in composer.errors.messages()[field]
    assert composer.status.kind == "error"
    assert getattr(composer, field).value == value  # the user's input is kept
    getattr(composer, field).value = value + "x"
    assert field not in composer.errors.messages()  # editing the field clears its error


# (The client's e-mail rule is the server's, so a malformed address never gets this far: see test_email_rule.py.)
@pytest.mark.parametrize(("field", "value"), [("name", "N" * 300), ("preheader", "P" * 999)])
def test_server_validation_errors_are_shown_beside_their_field(ns, sb, field, value):
    composer = new_composer(ns, **{field: value})  # passes the client-side checks, the server says 422
    composer.test_button.click()
    assert sb.outbox() == [] and composer.template_id is None
    assert composer.errors.messages()[field]
    assert composer.status.kind == "error" and "rejected" in composer.status.text
    assert getattr(composer, field).value == value
    assert not composer.save_button.disabled and not composer.test_button.disabled


def test_double_click_and_duplicated_click_events_send_one_email(ns, sb):
    composer = new_composer(ns, recipients="qa@acme.test")
    composer.test_button.click()
    composer.test_button.click()
    composer.test_button._click_handlers(composer.test_button)  # ipywidgets delivering one click twice
    assert len(sb.outbox()) == 1
    assert "not sent again" in composer.status.text

    composer.subject.value = "Hello again"  # new content: a new test may go out
    composer.test_button.click()
    assert len(sb.outbox()) == 2


def test_buttons_are_disabled_in_flight_and_a_click_meanwhile_is_ignored(ns, sb):
    composer = new_composer(ns, recipients="qa@acme.test")
    seen = []
    composer.test_button.observe(lambda change: seen.append(("Send test", change["new"])), names="disabled")
    composer.save_button.observe(lambda change: seen.append(("Save", change["new"])), names="disabled")

    def during_request(change):
        if "Sending test" in change["new"] and len(seen) == 2:
            seen.append("in flight")
            composer.recipients.value = "marketing@acme.test"  # would be a new send if it got through
            composer.test_button.click()  # a second click event arriving while the first is in flight

    composer.status.observe(during_request, names="value")
    composer.test_button.click()
    assert seen == [("Save", True), ("Send test", True), "in flight", ("Save", False), ("Send test", False)]
    assert [e["to"] for e in sb.outbox()] == ["qa@acme.test"]


def test_a_lost_response_then_a_second_click_sends_once(ns, sb):
    composer = new_composer(ns, recipients="qa@acme.test")
    composer.save_button.click()
    # The send is processed but its response is replaced by a 501 (not retried by the client): the widget reports
    # the error, the user clicks again, and the same idempotency key makes the server replay the first result.
    sb.inject_faults(count=1, status=501, when="after", method="POST")
    composer.test_button.click()
    assert composer.status.kind == "error" and "server error" in composer.status.text
    assert not composer.test_button.disabled
    composer.test_button.click()
    assert len(sb.outbox()) == 1
    assert composer.status.kind == "success"


def test_a_transient_503_after_processing_is_retried_without_a_second_email(ns, sb):
    composer = new_composer(ns, recipients="qa@acme.test")
    composer.save_button.click()
    sb.inject_faults(count=1, status=503, when="after", method="POST")
    composer.test_button.click()
    composer.test_button.click()
    assert len(sb.outbox()) == 1
    assert composer.status.kind == "success"


def test_an_unreachable_server_is_reported_and_the_form_stays_usable(sb):
    ns = nb.connect(sandbox=sb, retries=0)
    composer = new_composer(ns, recipients="qa@acme.test")
    sb.stop()
    composer.test_button.click()
    assert composer.status.kind == "error" and "Could not reach Nitrosend" in composer.status.text
    assert composer.name.value == "Welcome v2" and composer.recipients.value == "qa@acme.test"
    assert not composer.test_button.disabled and not composer.save_button.disabled


def test_loading_an_existing_template_fills_the_form(ns):
    stored = ns.templates.create(
        name="Receipt", subject="Order {{ data.order_id }}", body="Thanks!", from_email="orders@acme.test"
    )
    composer = ns.template_composer(stored["id"])
    assert composer.template_id == stored["id"]
    assert (composer.name.value, composer.subject.value, composer.body.value, composer.from_email.value) == (
        "Receipt",
        "Order {{ data.order_id }}",
        "Thanks!",
        "orders@acme.test",
    )
    assert not composer.dirty and "saved" in composer.state.value


def test_a_design_based_template_previews_its_rendered_sections(ns, sb):
    template = ns.templates.get(1)  # seeded "Welcome": design sections, no body
    assert template["design"]["sections"] and not template["body"]
    composer = ns.template_composer(1)
    contact = ns.contacts.get(composer.sample_contact.value)
    assert "4 design sections" in composer.design_note.value
    preview = composer.preview.value
    assert f"Welcome, {contact['first_name']}" in preview and "WELCOME10" in preview
    assert "{{" not in preview and "class=&quot;ns-hero&quot;" in preview
    assert f"{sb.root_url}/_sandbox/images/acme-coffee-logo.png" in preview  # the brand's logo, from the sandbox
    assert "0 error(s), 0 compatibility warning(s)" in composer.checks.value

    composer.recipients.value = "qa@acme.test"
    composer.test_button.click()
    [email] = sb.outbox()
    assert "WELCOME10" in email["html"] and "ns-hero" in email["html"]  # what is previewed is what is sent


def test_a_design_based_template_says_what_the_preview_shows_and_what_the_field_is(ns):
    composer = ns.template_composer(1)  # seeded "Welcome": the design makes the HTML
    note = composer.design_note.value
    assert "The preview shows the email they make" in note and "ns.templates.update(id, design=...)" in note
    assert "plain-text part" in note and "body below" not in note
    assert composer.body.description == "Plain text" and "made from the design" in composer.body.placeholder
    assert "<h1>" not in composer.body.placeholder and "plain-text part" in composer.body.tooltip
    # What the note says is what happens: the field's text is the Text view, and the HTML stays the design's.
    composer.body.value = "<h1>Not HTML here</h1> Plain words for {{ contact.first_name }}"
    composer.refresh_preview()
    assert "WELCOME10" in composer.preview.value and "&lt;h1&gt;Not HTML" not in composer.preview.value
    composer.preview_view.value = "text"
    assert "Plain words for" in composer.preview.value
    plain = ns.templates.create(name="Plain", subject="Plain one", body="<p>Just a plain body</p>")
    assert composer.load(plain["id"])
    assert composer.body.description == "HTML body" and composer.body.placeholder.startswith("<h1>")
    composer.close()


def test_the_checks_tables_keep_short_columns_whole_and_long_values_on_hover(ns):
    example = "data:image/png;base64," + "iVBORw0KGgo" * 40
    composer = TemplateComposer(ns, preview_delay=60)
    composer.body.value = f'<p style="display:flex"><img src="{example}" alt="logo"><a href="#">x</a></p>'
    composer.refresh_preview()
    checks = composer.checks.value
    assert '<table class="ns-grid ns-fitted"><tr><th>Risky construct</th>' in checks
    assert f'<td class="ns-clip"><span class="ns-clipped" title="{example[:40]}">' in checks  # whole on hover
    assert '<td class="ns-short">link</td><td class="ns-clip"><span class="ns-clipped" title="#">' in checks
    composer.close()


def test_a_template_over_a_rendering_limit_shows_the_limit_instead_of_rendering(ns):
    body = "<p>\n{% for i in (1..1000000) %}<b>{{ i }}</b>{% endfor %}</p>"  # rendered for seconds, megabytes long
    stored = ns.templates.create(name="Loops", subject="Hi", body=body)
    composer = ns.template_composer(stored["id"])
    shown = html.unescape(composer.preview.value)
    assert "body" in shown and "Liquid error on line 2: a loop may run at most 10,000 iterations" in shown
    assert len(composer.preview.value) < 2000 and composer.checks.value == ""
    composer.body.value = "<p>{% for i in (1..3) %}{{ i }}{% endfor %}</p>"
    composer.refresh_preview()
    assert "123" in composer.preview.value and "Liquid error" not in composer.preview.value


def test_loading_another_template_replaces_the_previous_preview(ns):
    plain = ns.templates.create(name="Plain", subject="Plain one", body="<p>Just a plain body</p>")
    composer = ns.template_composer(1)  # design-based
    assert composer.design_note.value and "WELCOME10" in composer.preview.value
    assert composer.load(plain["id"])
    assert composer.design_note.value == ""
    assert "Just a plain body" in composer.preview.value and "WELCOME10" not in composer.preview.value


def test_loading_an_unknown_template_says_so(ns):
    composer = ns.template_composer(99999)
    assert composer.template_id is None
    assert composer.status.kind == "error" and "Not found" in composer.status.text


def test_merge_tag_picker_appends_to_the_body(ns):
    composer = new_composer(ns, body="<p>Hi</p>")
    composer.merge_tag_picker.value = "{{ contact.first_name }}"
    composer.insert_tag_button.click()
    assert composer.body.value == "<p>Hi</p>{{ contact.first_name }}"
    assert ("Custom field: plan", "{{ contact.data.plan }}") in composer.merge_tag_picker.options


def test_preview_is_sandboxed_personalised_and_escaped(ns, sb, visible_text):
    composer = new_composer(ns, body='<h1>Hi {{ contact.first_name }}</h1><script>alert("x")</script>')
    contact = ns.contacts.get(composer.sample_contact.options[2][1])
    composer.sample_contact.value = contact["id"]
    composer.refresh_preview()
    preview = composer.preview.value
    assert '<iframe sandbox="" ' in preview and "allow-scripts" not in preview
    assert "<script>" not in preview and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in preview
    assert f"&lt;h1&gt;Hi {contact['first_name']}&lt;/h1&gt;" in preview
    assert f"Hello {contact['first_name']}" in preview  # the subject line, personalised too
    assert sb.api_key not in visible_text(composer) and sb.api_key not in repr(composer)


def test_typing_schedules_one_preview_refresh(ns):
    composer = TemplateComposer(ns, preview_delay=60)
    composer.body.value = "<p>one</p>"
    composer.body.value = "<p>two</p>"
    assert composer.preview_debounce.pending and "two" not in composer.preview.value
    composer.preview_debounce.flush()
    assert "&lt;p&gt;two&lt;/p&gt;" in composer.preview.value and not composer.preview_debounce.pending
    composer.close()


def test_a_closed_composer_schedules_nothing_and_closes_its_parts(ns):
    composer = TemplateComposer(ns, preview_delay=60)
    composer.close()
    assert composer.body.comm is None and composer.preview.comm is None  # the parts are closed, not just the box
    composer.body.value = "<p>after close</p>"
    assert not composer.preview_debounce.pending


def test_preview_views_merge_warnings_and_checks_before_a_send(ns, sb):
    composer = TemplateComposer(ns, preview_delay=60)
    contact = ns.contacts.get(composer.sample_contact.value)
    composer.subject.value = "For {{ contact.first_name | upcase }}"
    composer.body.value = (
        '<div style="display:flex"><h1>{% if contact.first_name %}Hi {{ contact.first_name }}'
        '{% endif %} {{ contact.nickname }}</h1><a href="{{ unsubscribe_url }}">Unsubscribe</a>'
        '<a href="javascript:void(0)">bad</a></div>'
    )
    composer.refresh_preview()
    assert f"For {contact['first_name'].upper()}" in composer.preview.value and "width:100%" in composer.preview.value
    assert "contact.nickname" in composer.merge_warnings.value
    checks = composer.checks.value
    assert "1 error(s)" in checks and "javascript:void(0)" in checks and "CSS flexbox" in checks
    assert "Outlook for Windows" in checks  # the clients affected
    composer.preview_view.value = "mobile"
    assert "width:375px" in composer.preview.value
    composer.preview_view.value = "text"
    assert f"Hi {contact['first_name']}" in composer.preview.value and "<iframe" not in composer.preview.value
    composer.body.value = "<p>{{ contact.first_name </p>"
    composer.refresh_preview()
    assert "body" in composer.preview.value and "line 1" in composer.preview.value and not composer.checks.value
    composer.close()


def test_the_preview_uses_the_brand_and_unsubscribe_link_a_send_uses(ns, sb):
    composer = TemplateComposer(ns, preview_delay=60)
    composer.body.value = "<p>{{ brand.name }} {{ unsubscribe_url }}</p>"
    composer.refresh_preview()
    contact = ns.contacts.get(composer.sample_contact.value)
    assert f"Acme Coffee https://sandbox.nitrosend.test/unsubscribe/{contact['uuid']}" in composer.preview.value
    assert "0 links and images, 0 error(s)" in composer.checks.value and not composer.merge_warnings.value
    composer.close()
