"""Layout assertions measured in the browser: tables whose columns are never narrower than their header."""

from __future__ import annotations

from playwright.sync_api import Locator

# Per header cell: its width inside the padding, and the natural (one-line) width of its text in its own font.
HEADER_WIDTHS = """table => [...table.querySelectorAll("th")].map(th => {
    const style = getComputedStyle(th);
    const probe = document.createElement("span");
    probe.textContent = th.textContent;
    probe.style.cssText = `position:absolute; visibility:hidden; white-space:nowrap; font:${style.font}`;
    document.body.append(probe);
    const natural = probe.getBoundingClientRect().width;
    probe.remove();
    const inner = th.getBoundingClientRect().width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return {header: th.textContent, inner, natural};
})"""
SPILLED_CELLS = (
    "t => [...t.querySelectorAll('th, td')].filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent)"
)
FITS_ITS_BOX = "t => t.getBoundingClientRect().width <= t.parentElement.clientWidth + 1"


def assert_columns_fit(table: Locator) -> None:
    """No header cell of ``table`` is narrower than its text on one line, no cell's content spills out of it, and
    the table is no wider than the element holding it (nothing scrolls sideways)."""
    widths = table.evaluate(HEADER_WIDTHS)
    narrow = [w for w in widths if w["inner"] + 0.5 < w["natural"]]
    assert not narrow, f"columns narrower than their header: {narrow}"
    spilled = table.evaluate(SPILLED_CELLS)
    assert not spilled, f"cells whose content is wider than the cell: {spilled}"
    assert table.evaluate(FITS_ITS_BOX), "the table is wider than the element holding it"
