"""No widget ever shows the API key: not in values, labels, HTML, options, tooltips or reprs, not even in errors."""

from __future__ import annotations

import secrets

import pandas as pd

import nitrosend_nb as nb

MERGE = pd.DataFrame({"email": ["grace@example.com"], "first_name": ["Grace"]})


def every_form(ns):
    return [
        ns.template_composer(1),
        ns.message_composer(),
        ns.campaign_launcher(10),
        ns.mail_merge(MERGE, subject="Hi {{ data.first_name }}", html="<p>Hi</p>", name="key-safety"),
        ns.contact_explorer(),
        ns.outbox_viewer(),
    ]


def test_the_key_is_never_shown(make_sandbox, visible_text):
    key = f"nskey_test_{secrets.token_hex(12)}"
    sb = make_sandbox(api_key=key)
    ns = nb.connect(sandbox=sb)
    composer, messages, launcher, merge, _explorer, outbox = widgets = every_form(ns)
    composer.recipients.value = "qa@acme.test"
    composer.test_button.click()
    messages.to.value, messages.subject.value, messages.body.value = "ada@example.com", "Hi", "<p>Hi</p>"
    messages.send_button.click()
    launcher.lists.value = (3,)
    launcher.launch_button.click()
    merge.send_button.click()
    outbox.refresh_button.click()
    assert len(sb.outbox()) > 3 and merge.result.counts == {"sent": 1}
    for widget in widgets:
        assert key not in visible_text(widget) and key not in repr(widget)
        assert key[-12:] not in visible_text(widget)


def test_a_rejected_key_is_reported_without_showing_it(sandbox, visible_text):
    wrong = f"nskey_live_{secrets.token_hex(12)}"
    ns = nb.connect(api_key=wrong, base_url=sandbox.url)
    *talking, outbox = widgets = every_form(ns)  # a live connection has no outbox to read
    assert all("rejected (401)" in widget.status.text for widget in talking)
    assert "only in sandbox mode" in outbox.status.text
    for widget in widgets:
        assert wrong not in visible_text(widget) and wrong[-12:] not in visible_text(widget)
