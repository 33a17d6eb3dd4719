"""ContactExplorer against a real sandbox: paging, debounced search, list filter, errors."""

from __future__ import annotations

import nitrosend_nb as nb
from nitrosend_nb.widgets import ContactExplorer


def explorer(ns) -> ContactExplorer:
    return ContactExplorer(ns, search_delay=60)  # tests flush the debounce themselves


def test_pages_through_all_contacts(ns):
    view = explorer(ns)
    total = ns.contacts.list(limit=1).total
    pages = -(-total // 25)
    assert view.page_label.value == f"page 1 of {pages} ({total:,} contacts)"
    assert len(view.frame) == 25 and view.frame.index.name == "id"
    assert view.prev_button.disabled and not view.next_button.disabled
    first_page = list(view.frame.index)
    assert view.frame.iloc[0]["email"] in view.table.value

    view.next_button.click()
    assert view.page_label.value.startswith("page 2 of") and not set(view.frame.index) & set(first_page)
    assert not view.prev_button.disabled

    view.go_to(pages)
    assert view.next_button.disabled and len(view.frame) == total - 25 * (pages - 1)
    view.prev_button.click()
    assert view.page_label.value.startswith(f"page {pages - 1} of")


def test_search_is_debounced_and_restarts_at_page_one(ns):
    view = explorer(ns)
    view.next_button.click()
    view.search.value = "gm"
    view.search.value = "gmail"
    assert view.page_label.value.startswith("page 2 of")  # nothing fetched while typing
    view.search_debounce.flush()
    expected = ns.contacts.list(search="gmail", limit=1).total
    assert 0 < expected < 250
    assert view.page == 1 and view.page_label.value.endswith(f"({expected:,} contacts)")
    assert view.frame["email"].str.contains("gmail").all()


def test_list_filter_and_no_match(ns):
    view = explorer(ns)
    vip = next(item for item in ns.lists.list(limit=100) if item["name"] == "VIP")
    view.list_filter.value = vip["id"]
    assert view.page_label.value.endswith(f"({vip['contacts_count']:,} contacts)")
    assert all(vip["id"] in ids for ids in view.frame["list_ids"])

    view.search.value = "no-such-contact-anywhere"
    view.refresh()
    assert view.frame.empty and "No contacts match" in view.table.value
    assert view.prev_button.disabled and view.next_button.disabled


def test_an_unreachable_server_keeps_the_last_page(sb):
    view = explorer(nb.connect(sandbox=sb, retries=0))
    shown = list(view.frame.index)
    sb.stop()
    view.next_button.click()
    assert "Could not reach Nitrosend" in view.status.text
    assert list(view.frame.index) == shown and view.page == 1 and view.page_label.value.startswith("page 1 of")
    assert not view.next_button.disabled


def test_a_closed_explorer_sends_no_more_searches(ns):
    view = explorer(ns)
    view.close()
    view.search.value = "ada"
    assert not view.search_debounce.pending and view.search.comm is None
