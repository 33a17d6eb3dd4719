"""The template composer in a real JupyterLab: run the templates notebook, fill it in, Save, Send test, one email lands.

Chromium (headless, driven by Playwright) runs the committed templates notebook (a copy with outputs cleared) in a
JupyterLab whose kernel talks to the test's sandbox, so the sandbox outbox is the ground truth for what was sent.
"""

from __future__ import annotations

import re
import uuid

import pytest
from lab_page import UI_TIMEOUT_MS, button, field, open_notebook, run_all_cells, type_into, wait_for_idle_kernel
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser


def composer_root(page: Page) -> Locator:
    """The rendered TemplateComposer: the first cell output holding both a Save and a Send test button."""
    return (
        page.locator(".jp-OutputArea-output")
        .filter(has=button(page, "Save"))
        .filter(has=button(page, "Send test"))
        .first
    )


def emails_with_subject(sandbox, subject: str) -> list[dict]:
    """Outbox emails whose subject contains ``subject`` (test sends get a "[Test] " prefix; ``subject`` is unique)."""
    return [email for email in sandbox.outbox() if subject in email["subject"]]


def compose_save_and_send(page: Page, lab_server, notebook: str, subject: str, recipient: str) -> Locator:
    """Run the templates notebook, type ``subject`` and ``recipient`` into its composer, Save, Send test; returns the
    composer once the send is over."""
    open_notebook(page, lab_server, notebook)
    run_all_cells(page)
    composer = composer_root(page)
    expect(composer).to_be_visible(timeout=UI_TIMEOUT_MS)
    status = composer.locator(".ns-status")

    if not field(composer, "Name").input_value():
        type_into(composer, "Name", "Welcome email")
    type_into(composer, "Subject", subject)
    type_into(composer, "Recipients", recipient)

    preview = composer.locator("iframe")
    expect(preview).to_have_count(1)
    assert preview.get_attribute("sandbox") is not None, "the preview iframe must be sandboxed"
    expect(preview, "the preview shows an empty document").to_have_attribute("srcdoc", re.compile(r"\S"))
    expect(composer).to_contain_text(subject, timeout=UI_TIMEOUT_MS)  # the live preview shows the typed subject

    button(composer, "Save").click()
    expect(status).to_contain_text(re.compile(r"Saved template #\d+"), timeout=UI_TIMEOUT_MS)
    button(composer, "Send test").click()
    # The outcome line appears once send_test has returned, i.e. after the sandbox captured the email(s).
    expect(status).to_contain_text(re.compile(r"sent to \d+ of \d+"), timeout=UI_TIMEOUT_MS)
    # The form's one stylesheet (widgets/html.py) reaches Lab: its classes colour the outcome and size the preview.
    expect(status.locator(".ns-ok").first).to_have_css("color", "rgb(27, 94, 32)")
    expect(preview).to_have_css("height", "420px")
    wait_for_idle_kernel(page)
    return composer


def test_composer_saves_and_sends_exactly_one_test_email(
    lab_templates_notebook, lab_server, lab_sandbox, page: Page, artifacts_dir
):
    """Fill the composer, Save, Send test: exactly one email with the typed subject reaches the typed recipient."""
    run_id = uuid.uuid4().hex[:12]
    subject = f"Browser test {run_id}"
    recipient = f"browser-test-{run_id}@example.com"
    composer = compose_save_and_send(page, lab_server, lab_templates_notebook, subject, recipient)
    screenshot = artifacts_dir / "template-composer.png"  # a temporary folder: kept for a failing run's report
    composer.screenshot(path=screenshot)
    assert screenshot.stat().st_size > 0

    sent = emails_with_subject(lab_sandbox, subject)
    assert len(sent) == 1, f"expected exactly one email with subject {subject!r} in the outbox, got {sent}"
    assert sent[0]["to"] == recipient, f"the test email went to {sent[0]['to']!r}, not to the typed {recipient!r}"
    assert all(lab_sandbox.api_key not in frame.content() for frame in page.frames), "the page shows the API key"


def test_readme_screenshot(lab_templates_notebook, lab_server, lab_sandbox, page: Page, readme_screenshot):
    """Not a test: ``python -m pytest tests/browser --readme-screenshot -k readme`` writes the README's image of
    the composer with a realistic template (skipped in a normal run, which never writes into the repository)."""
    composer = compose_save_and_send(
        page, lab_server, lab_templates_notebook, "Welcome to Acme: your first week", "me@example.com"
    )
    composer.screenshot(path=readme_screenshot)
