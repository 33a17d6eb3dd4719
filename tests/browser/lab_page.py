"""Driving JupyterLab and ipywidgets forms in Chromium: open a notebook, run it, find buttons and fields by label."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Locator, Page, expect

UI_TIMEOUT_MS = 30_000
PROMPTS = ".jp-Notebook .jp-CodeCell .jp-InputPrompt"


def open_notebook(page: Page, lab_server, name: str) -> None:
    """Open notebook ``name`` in Lab, in a workspace of its own (so no notebook an earlier test opened is restored
    beside it), and wait until its cells are shown and its kernel is idle."""
    page.goto(lab_server.url(f"lab/workspaces/{uuid.uuid4().hex}/tree/{name}"))
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=UI_TIMEOUT_MS)
    file_browser_tab = page.locator('.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="filebrowser"]')
    if "lm-mod-current" in (file_browser_tab.get_attribute("class") or ""):
        file_browser_tab.click()  # collapse the file browser: the notebook gets the width of the window
    wait_for_idle_kernel(page)


def wait_for_idle_kernel(page: Page) -> None:
    """Wait until the status bar reports the notebook's kernel connected and idle.

    (The toolbar's execution indicator already says "idle" before a kernel exists, so it cannot tell "ready".)
    """
    kernel_status = page.locator('#jp-main-statusbar .jp-StatusBar-TextItem[title^="Change kernel"]')
    expect(kernel_status).to_have_text(re.compile(r"\|\s*Idle$"), timeout=UI_TIMEOUT_MS)


def run_all_cells(page: Page) -> None:
    """Run > Run All Cells, wait until the run is over, and fail with the error output if a cell did not run."""
    page.locator('#jp-MainMenu .lm-MenuBar-itemLabel:text-is("Run")').click()
    page.locator('.lm-Menu-itemLabel:text-is("Run All Cells")').click()
    # Over when nothing is queued or running ("[*]") and the first code cell shows an execution count.
    page.wait_for_function(
        """selector => {
            const prompts = [...document.querySelectorAll(selector)].map(p => p.textContent);
            return prompts.length > 0 && /\\[\\d+\\]/.test(prompts[0]) && !prompts.some(p => p.includes('*'));
        }""",
        arg=PROMPTS,
        timeout=UI_TIMEOUT_MS,
    )
    wait_for_idle_kernel(page)
    not_run = [text for text in page.locator(PROMPTS).all_text_contents() if not re.search(r"\[\d+\]", text)]
    stderr = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    errors = "\n".join(stderr.all_inner_texts())
    assert not not_run, f"{len(not_run)} code cell(s) did not run; error output:\n{errors}"


def button(scope: Page | Locator, text: str) -> Locator:
    """The ipywidgets button labelled exactly ``text`` inside ``scope``."""
    return scope.locator("button.widget-button").filter(has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))


def field(composer: Locator, description: str) -> Locator:
    """The input or textarea of the Text/Textarea widget whose description is exactly ``description``."""
    exactly = re.compile(rf"^\s*{re.escape(description)}\s*$")
    label = composer.page.locator("label.widget-label").filter(has_text=exactly)
    widget = composer.locator(".widget-text, .widget-textarea").filter(has=label)
    return widget.locator("input, textarea").first


def type_into(composer: Locator, description: str, text: str) -> None:
    """Replace the value of the field ``description`` with ``text`` and leave the field (so it syncs either way)."""
    target = field(composer, description)
    target.fill(text)
    target.press("Tab")


def click(target: Locator) -> None:
    """Scroll ``target`` to the middle of the notebook, then click it. (Scrolled only "into view", an element at the
    bottom edge of the notebook sits under Lab's status bar, and the click reaches the status bar instead.)"""
    target.evaluate("element => element.scrollIntoView({block: 'center'})")
    target.click()
