"""OutboxViewer against a real sandbox: lists captured e-mails, renders the chosen one safely, refreshes."""

from __future__ import annotations

import html

from nitrosend_nb.widgets import OutboxViewer


def send(ns, subject: str, body: str, to: str = "ada@example.com") -> dict:
    return ns.messages.send(to=to, subject=subject, html=body)


def test_lists_newest_first_and_renders_the_chosen_email_sandboxed(ns, sb, visible_text):
    send(ns, "First", "<p>one</p>")
    send(ns, "Second", '<p>two</p><script>alert("x")</script>', to="grace@example.com")
    viewer = ns.outbox_viewer()
    outbox = sb.outbox()
    assert [value for _, value in viewer.emails.options] == [outbox[1]["id"], outbox[0]["id"]]
    assert viewer.emails.value == outbox[1]["id"]

    shown = viewer.message.value
    assert "grace@example.com" in shown and "Second" in shown and html.escape(outbox[1]["from"]) in shown
    assert '<iframe sandbox="" ' in shown and "<script>" not in shown
    assert html.escape(outbox[1]["html"], quote=True) in shown

    viewer.emails.value = outbox[0]["id"]
    assert "First" in viewer.message.value and "grace@example.com" not in viewer.message.value
    assert sb.api_key not in visible_text(viewer)


def test_refresh_shows_new_email_and_keeps_the_selection(ns, sb):
    viewer = OutboxViewer(ns)
    assert viewer.emails.options == () and "No e-mail captured yet" in viewer.message.value
    first = send(ns, "First", "<p>one</p>")
    viewer.refresh_button.click()
    assert len(viewer.emails.options) == 1
    chosen = viewer.emails.value
    send(ns, "Second", "<p>two</p>")
    viewer.refresh_button.click()
    assert len(viewer.emails.options) == 2 and viewer.emails.value == chosen
    assert ns.messages.get(first["id"])["subject"] in viewer.message.value


def test_live_mode_has_no_outbox(live_ns):
    viewer = OutboxViewer(live_ns)
    assert "only in sandbox mode" in viewer.status.text
    assert viewer.refresh_button.disabled and viewer.emails.options == ()
