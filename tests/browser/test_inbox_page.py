"""The sandbox inbox page in headless Chromium: search, open an email in every view, see a new send arrive live.

The page is served by a Sandbox in the test process; a new email is sent over the API while the page stays open,
and must appear without a reload (the page polls the inbox API).
"""

from __future__ import annotations

import pytest
import requests
from layout import assert_columns_fit
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


LONG_ADDRESS = "a.very.long.recipient.address.for.the.layout@subdivision.department.example-company.example"
DATA_URI = "data:image/png;base64," + "iVBORw0KGgo" * 300  # a long value: it must not take the table's width
LAYOUT_HTML = (
    f'<p style="display:flex"><img src="{DATA_URI}" alt="well-formed logo of the company">'
    '<a href="https://acme.test/shop">Shop the autumn roasts</a></p>'
)


@pytest.fixture(scope="module")
def inbox_sandbox():
    """A small sandbox with one email of each kind in its outbox, then one with a long address, a data-URI image
    and a flexbox paragraph (links, images and compatibility findings with long values)."""
    with Sandbox(seed=0, contacts=40) as sb:
        post(
            sb,
            "/messages",
            "b1",
            {"channel": "email", "to": "ada@example.com", "subject": "Order shipped", "html": "<p>Your parcel</p>"},
        )
        post(sb, "/templates/1/send_test", "b2", {"email": "qa@example.com"})
        yield sb


@pytest.fixture(scope="module")
def layout_email(inbox_sandbox) -> int:
    """The id of an email whose address, image and checks hold long values."""
    body = {"channel": "email", "to": LONG_ADDRESS, "subject": "Layout", "html": LAYOUT_HTML}
    post(inbox_sandbox, "/messages", "layout", body)
    [item] = requests.get(
        inbox_sandbox.root_url + "/_sandbox/messages", params={"query": "subject:Layout"}, timeout=30
    ).json()
    return item["id"]


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
    logo = page.frame_locator("#view iframe.desktop").locator('img[src$="/_sandbox/images/acme-coffee-logo.png"]')
    expect(logo).to_have_js_property("complete", True)
    assert logo.evaluate("img => img.naturalWidth") == 360  # the seeded PNG logo, fetched from the sandbox
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
        "checks": "none of the risky constructs found",  # the seeded template passes its own checks
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


def test_checks_tables_give_short_columns_their_width_and_clip_long_values(
    page: Page, inbox_sandbox, layout_email, tmp_path
):
    page.goto(f"{inbox_sandbox.root_url}/_sandbox/#/messages/{layout_email}")
    expect(page.locator("#subject")).to_have_text("Layout", timeout=TIMEOUT_MS)
    page.click('#tabs button[data-view="checks"]')
    tables = page.locator("#view .checks table")
    expect(tables).to_have_count(2, timeout=TIMEOUT_MS)  # links and images; compatibility
    page.locator("#view").screenshot(path=tmp_path / "inbox-checks.png")
    assert (tmp_path / "inbox-checks.png").stat().st_size > 0
    for index in range(2):
        expect(tables.nth(index).locator("th")).not_to_have_count(0)
        assert_columns_fit(tables.nth(index))

    links = tables.first
    expect(links.locator("th")).to_have_text(["Kind", "Address", "Text / alt", "Result"])
    image = links.locator("tr", has_text="well-formed logo").locator(".clipped")
    expect(image).to_have_attribute("title", DATA_URI)  # the whole value on hover
    assert image.evaluate("e => e.scrollWidth > e.clientWidth")  # ellipsized on one line
    table_width = links.bounding_box()["width"]
    assert image.bounding_box()["width"] < table_width / 2
    one_line = image.bounding_box()["height"]
    image.click()  # and whole on click
    expect(image).to_have_class("clipped expanded")
    assert image.bounding_box()["height"] > 3 * one_line
    found = tables.nth(1).locator("tr", has_text="Inline data: URI images").locator(".clipped")
    expect(found).to_have_attribute("title", "1\u00d7, e.g. " + DATA_URI[:40])

    page.click('#tabs button[data-view="headers"]')
    assert_columns_fit(page.locator("#view table"))


def test_a_long_address_never_hides_the_time_in_the_list(page: Page, inbox_sandbox, layout_email):
    page.goto(inbox_sandbox.root_url + "/_sandbox/")
    item = page.locator(f'#list li[data-id="{layout_email}"]')
    address, when = item.locator(".to"), item.locator("time.when")
    expect(address).to_have_attribute("title", LONG_ADDRESS)
    assert address.evaluate("e => e.scrollWidth > e.clientWidth")  # ellipsized
    line = item.locator(".envelope").bounding_box()
    time_box = when.bounding_box()
    assert time_box["x"] + time_box["width"] <= line["x"] + line["width"] + 0.5  # the time is wholly visible
    assert when.evaluate("e => e.scrollWidth <= e.clientWidth + 1")


def test_each_email_has_its_own_address_and_back_and_forward_work(page: Page, inbox_sandbox, layout_email):
    root = inbox_sandbox.root_url + "/_sandbox/"
    page.goto(root)
    items = page.locator("#list li")
    expect(items.first).to_be_visible(timeout=TIMEOUT_MS)
    page.evaluate("window.__sameDocument = true")
    expect(page.locator("#placeholder")).to_be_visible()
    first, second = (int(items.nth(i).get_attribute("data-id")) for i in (0, 1))
    subjects = {ident: items.nth(i).locator(".subject").inner_text() for i, ident in enumerate((first, second))}

    items.nth(0).click()
    expect(page).to_have_url(f"{root}#/messages/{first}")
    expect(page.locator("#subject")).to_have_text(subjects[first], timeout=TIMEOUT_MS)
    items.nth(1).click()
    expect(page).to_have_url(f"{root}#/messages/{second}")
    expect(page.locator("#subject")).to_have_text(subjects[second], timeout=TIMEOUT_MS)
    expect(page.locator("#list li.selected")).to_have_attribute("data-id", str(second))

    page.go_back()
    expect(page).to_have_url(f"{root}#/messages/{first}")
    expect(page.locator("#subject")).to_have_text(subjects[first], timeout=TIMEOUT_MS)
    expect(page.locator("#list li.selected")).to_have_attribute("data-id", str(first))
    page.go_forward()
    expect(page.locator("#subject")).to_have_text(subjects[second], timeout=TIMEOUT_MS)
    page.go_back()
    page.go_back()
    expect(page).to_have_url(root)
    expect(page.locator("#placeholder")).to_be_visible()
    expect(page.locator("#detail")).to_be_hidden()
    assert page.evaluate("window.__sameDocument") is True  # history moved within the page, never reloaded it

    page.goto("about:blank")
    page.goto(f"{root}#/messages/{layout_email}")  # the address alone opens that email
    expect(page.locator("#subject")).to_have_text("Layout", timeout=TIMEOUT_MS)
    expect(page).to_have_title("Layout \u00b7 Sandbox inbox")


def test_the_page_has_a_favicon_and_no_failed_request(page: Page, inbox_sandbox):
    failed: list[str] = []
    console_errors: list[str] = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    page.goto(inbox_sandbox.root_url + "/_sandbox/")
    expect(page.locator("#list li").first).to_be_visible(timeout=TIMEOUT_MS)
    icon = page.evaluate(
        "fetch(document.querySelector('link[rel=icon]').href).then(r => [r.status, r.headers.get('content-type')])"
    )
    assert icon == [200, "image/x-icon"]
    page.wait_for_timeout(300)  # the browser's own favicon request, if it makes one, has answered
    assert failed == [] and console_errors == []
