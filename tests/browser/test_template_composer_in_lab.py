"""The template composer in a real JupyterLab: run the templates notebook, fill it in, Save, Send test, one email lands.

Chromium (headless, driven by Playwright) runs the committed templates notebook (a copy with outputs cleared) in a
JupyterLab whose kernel talks to the test's sandbox, so the sandbox outbox is the ground truth for what was sent.
"""

from __future__ import annotations

import re
import uuid

import nbformat
import pytest
from lab_page import UI_TIMEOUT_MS, button, field, open_notebook, run_all_cells, type_into, wait_for_idle_kernel
from layout import assert_columns_fit
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser


LONG_PATH = "/images/" + "a-long-image-file-name-" * 12 + ".png"  # relative: an image address at fault
CHECKS_BODY = (
    f'<div style="display:flex"><img src="{LONG_PATH}" alt="logo"><img src="data:image/png;base64,{"iVBORw0KGgo" * 60}"'
    ' alt="inline"><a href="https://acme.test/shop">Shop</a></div>'
)


@pytest.fixture(scope="module")
def lab_composer_notebook(lab_server) -> str:
    """A notebook of one cell showing a new template composer, written into the Lab root."""
    code = "import nitrosend_nb as nb\n\nnb.connect(progress=False).template_composer()"
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}  # no kernel dialog
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)], metadata=kernel)
    nbformat.write(notebook, lab_server.root_dir / "new-composer.ipynb")
    return "new-composer.ipynb"


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

    logo = composer.frame_locator("iframe").locator('img[src$="/_sandbox/images/acme-coffee-logo.png"]')
    expect(logo).to_have_js_property("complete", True)
    assert logo.evaluate("img => img.naturalWidth") == 360  # the brand's PNG logo, served by the sandbox
    expect(composer.locator(".ns-checks")).to_contain_text("0 error(s), 0 compatibility warning(s)")
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


def test_composer_checks_tables_keep_short_columns_whole_and_cut_long_values(
    lab_composer_notebook, lab_server, page: Page, tmp_path
):
    """Checks with findings in a composer as wide as Lab gives it: no column narrower than its header word, long
    addresses and examples on one line, cut short, whole on hover."""
    open_notebook(page, lab_server, lab_composer_notebook)
    run_all_cells(page)
    composer = composer_root(page)
    expect(composer).to_be_visible(timeout=UI_TIMEOUT_MS)
    type_into(composer, "HTML body", CHECKS_BODY)
    tables = composer.locator(".ns-checks table")
    expect(tables).to_have_count(2, timeout=UI_TIMEOUT_MS)  # the links and images at fault; the risky constructs
    composer.screenshot(path=tmp_path / "composer-checks.png")
    assert (tmp_path / "composer-checks.png").stat().st_size > 0
    for index in range(2):
        assert_columns_fit(tables.nth(index))
    expect(tables.nth(0).locator("th")).to_have_text(["Kind", "Address", "Problem"])
    expect(tables.nth(1).locator("th")).to_have_text(["Risky construct", "Clients affected", "Example"])

    address = tables.nth(0).locator(".ns-clipped")
    expect(address).to_have_attribute("title", LONG_PATH)  # the whole address on hover
    assert address.evaluate("e => e.scrollWidth > e.clientWidth")  # one line, ellipsized at the cell's edge
    assert address.bounding_box()["width"] < tables.nth(0).bounding_box()["width"] / 2
    example = tables.nth(1).locator("tr", has_text="Inline data: URI images").locator(".ns-clipped")
    expect(example).to_have_attribute("title", re.compile(r"^data:image/png;base64,"))
    line_height = float(example.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || e.clientHeight"))
    assert example.bounding_box()["height"] <= line_height + 1  # never wrapped
