"""The mail merge form in a real JupyterLab: run the mail merge notebook, step to a row, send it to yourself as a
test (twice), then Send (and click it again, and double-click it): the outbox gains the one test and nothing else,
since the notebook already sent every row and each row's key is used."""

from __future__ import annotations

import re
import uuid

import pytest
from lab_page import UI_TIMEOUT_MS, button, click, open_notebook, run_all_cells, type_into, wait_for_idle_kernel
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser


def merge_form(page: Page) -> Locator:
    """The rendered MailMerge form: the cell output holding a "Send row to me" button."""
    return page.locator(".jp-OutputArea-output").filter(has=button(page, "Send row to me")).first


def test_the_form_previews_rows_sends_a_test_and_never_sends_a_row_twice(
    lab_mail_merge_notebook, lab_server, lab_sandbox, page: Page
):
    open_notebook(page, lab_server, lab_mail_merge_notebook)
    run_all_cells(page)
    form = merge_form(page)
    expect(form).to_be_visible(timeout=UI_TIMEOUT_MS)
    status = form.locator(".ns-status")
    expect(form).to_contain_text("Dry run: would send 25, skip 2 (1 invalid address, 1 suppressed).")
    expect(form).to_contain_text("Row 1 of 27")
    preview = form.locator("iframe")
    assert preview.get_attribute("sandbox") == "", "the row's preview must be a sandboxed iframe"
    first_row = preview.get_attribute("srcdoc")

    click(button(form, "Next"))
    expect(form).to_contain_text("Row 2 of 27")
    expect(preview).not_to_have_attribute("srcdoc", first_row or "")
    greeting = re.search(r"Hi (\w+),", preview.get_attribute("srcdoc")).group(1)

    sent_before = len(lab_sandbox.outbox())
    me = f"browser-{uuid.uuid4().hex[:12]}@example.com"
    type_into(form, "Test to", me)
    click(button(form, "Send row to me"))
    expect(status).to_contain_text(f"Sent row 2 to {me} as a test", timeout=UI_TIMEOUT_MS)
    tests = [email for email in lab_sandbox.outbox() if email["to"] == me]
    assert [email["subject"] for email in tests] == [f"[Test] Thank you, {greeting}"]

    send = button(form, "Send 25 email(s)")
    click(send)
    expect(status).to_contain_text("Done: sent 0, already sent 25", timeout=UI_TIMEOUT_MS)
    expect(form.locator(".ns-grid").last).to_contain_text("already_sent")
    click(button(form, "Send row to me"))  # the same test again
    expect(status).to_contain_text(f"already went to {me}; not sent again", timeout=UI_TIMEOUT_MS)
    click(send)
    send.dblclick()  # three clicks in all: the status shows they ran, the outbox that nothing went twice
    expect(status).to_contain_text("Done: sent 0, already sent 25", timeout=UI_TIMEOUT_MS)
    wait_for_idle_kernel(page)
    assert len(lab_sandbox.outbox()) == sent_before + 1, "only the test went out: every row had been sent"
    assert all(lab_sandbox.api_key not in frame.content() for frame in page.frames), "the page shows the API key"
