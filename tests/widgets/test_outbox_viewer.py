"""OutboxViewer against a real sandbox: lists captured e-mails, renders the chosen one safely, refreshes."""

from __future__ import annotations

import html
import time

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


def test_search_pages_and_every_view(ns, sb):
    send(ns, "Receipt", '<p>Paid</p><a href="https://acme.test/r">receipt</a>', to="ada@example.com")
    ns.templates.send_test(1, email="qa@example.com")
    viewer = OutboxViewer(ns)
    viewer.query.value = "kind:test"
    viewer.search_button.click()
    [(label, _)] = viewer.emails.options
    assert "qa@example.com" in label and "1 e-mail(s) match" in viewer.status.text
    expected = {
        "desktop": "width:100%",
        "mobile": "width:375px",
        "text": "Welcome, ",
        "headers": "Message-ID",
        "source": "Content-Type: multipart/alternative",
        "context": "unsubscribe_url",
        "checks": "0 error(s), 0 compatibility warning(s)",  # the seeded template passes its checks
    }
    for view, marker in expected.items():
        viewer.view.value = view
        assert marker in viewer.message.value, view
    viewer.view.value = "desktop"  # the seeded logo, a picture at the sandbox's stand-in host, comes from the sandbox
    assert f"{sb.root_url}/_sandbox/images/acme-coffee-logo.png" in viewer.message.value
    assert "sandbox.nitrosend.test/_sandbox/images" not in viewer.message.value
    viewer.query.value = "-kind:test"
    viewer.search_button.click()
    assert [label.split(" ")[1] for label, _ in viewer.emails.options] == ["transactional"]
    viewer.query.value = "kind:nonsense"
    viewer.search_button.click()
    assert "kind: must be one of" in viewer.status.text


def test_live_mode_shows_a_new_email_without_a_click(ns, sb):
    viewer = OutboxViewer(ns, poll_interval=0.05)
    viewer.live.value = True
    try:
        send(ns, "Arrives live", "<p>hello</p>")
        deadline = time.monotonic() + 10
        while not viewer.emails.options and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "Arrives live" in viewer.emails.options[0][0]
    finally:
        viewer.close()
