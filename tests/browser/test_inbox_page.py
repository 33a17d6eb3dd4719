"""The sandbox inbox page in headless Chromium: search, open an email in every view, see a new send arrive live.

The page is served by a Sandbox in the test process; a new email is sent over the API while the page stays open,
and must appear without a reload (the page polls the inbox API).
"""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, expect

from nitrosend_nb.sandbox import Sandbox

pytestmark = pytest.mark.browser

TIMEOUT_MS = 5_000


def post(sb: Sandbox, path: str, key: str, body: dict) -> None:
    """POST ``body`` to the sandbox API with its key and an Idempotency-Key."""
    response = requests.post(
        sb.url + path, json=body, timeout=30, headers={"Authorization": f"Bearer {sb.api_key}", "Idempotency-Key": key}
    )
    response.raise_for_status()


@pytest.fixture(scope="module")
def inbox_sandbox():
    """A small sandbox with one email of each kind in its outbox."""
    with Sandbox(seed=0, contacts=40) as sb:
        post(
            sb,
            "/messages",
            "b1",
            {"channel": "email", "to": "ada@example.com", "subject": "Order shipped", "html": "<p>Your parcel</p>"},
        )
        post(sb, "/templates/1/send_test", "b2", {"email": "qa@example.com"})
        yield sb


def test_search_views_and_live_update(page: Page, inbox_sandbox):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(inbox_sandbox.root_url + "/_sandbox/")
    items = page.locator("#list li")
    expect(items).to_have_count(2, timeout=TIMEOUT_MS)
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    page.fill("#query", "kind:test")
    page.press("#query", "Enter")
    expect(items).to_have_count(1, timeout=TIMEOUT_MS)
    expect(page.locator("#count")).to_have_text("1 email match, newest first")
    items.first.click()
    expect(page.locator("#subject")).to_have_text("[Test] Welcome to Acme, friend!", timeout=TIMEOUT_MS)

    frame = page.locator("#view iframe.desktop")
    expect(frame).to_have_attribute("sandbox", "")
    expect(page.frame_locator("#view iframe.desktop").get_by_text("Pick your roast")).to_be_visible()
    desktop_width = frame.bounding_box()["width"]
    views = {
        "mobile": "#view iframe.mobile",
        "text": "#view pre.text",
        "headers": "#view table",
        "source": "#view pre.source",
        "context": "#view pre.context",
        "checks": "#view .checks",
    }
    page.click('#tabs button[data-view="mobile"]')
    expect(page.locator(views["mobile"])).to_have_attribute("sandbox", "")
    assert page.locator(views["mobile"]).bounding_box()["width"] == 375 < desktop_width
    expected = {
        "text": "Pick your roast (https://acme.test/shop)",
        "headers": "Message-ID",
        "source": "Content-Type: multipart/alternative",
        "context": '"unsubscribe_url"',
        "checks": "Inline data: URI images",
    }
    for view, text in expected.items():
        page.click(f'#tabs button[data-view="{view}"]')
        expect(page.locator(views[view])).to_contain_text(text, timeout=TIMEOUT_MS)
    expect(page.locator("#view a[download]")).to_have_count(0)  # the download link belongs to the source view
    expect(page.locator('#tabs button[data-view="checks"]')).to_have_attribute("aria-selected", "true")

    page.fill("#query", "")
    page.press("#query", "Enter")
    expect(items).to_have_count(2, timeout=TIMEOUT_MS)
    post(
        inbox_sandbox,
        "/messages",
        "b3",
        {"channel": "email", "to": "grace@example.com", "subject": "Arrived live", "body": "Hello"},
    )
    expect(items).to_have_count(3, timeout=TIMEOUT_MS)
    expect(items.first).to_contain_text("Arrived live")
    assert page.evaluate("window.__sameDocument") is True and errors == []
