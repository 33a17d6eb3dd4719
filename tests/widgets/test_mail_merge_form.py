"""MailMerge against a real sandbox: rows previewed and navigated, problems listed, a test of one row to yourself,
the send with its progress and results, double clicks and reruns that send nobody twice, live-mode confirmation."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from nitrosend_nb.widgets import MailMerge

SUBJECT = "Thanks, {{ data.first_name }}"
BODY = "<p>Hi {{ data.first_name }}, you spent {{ data.spent }} with us.</p>"


@pytest.fixture
def customers(ns):
    """Five subscribed contacts and one suppressed address, as a frame indexed by contact id."""
    contacts = ns.contacts.df()
    suppressed = set(ns.suppressions.df()["email"])
    chosen = contacts[contacts["subscribed_email"] & ~contacts["email"].isin(suppressed)].head(5)
    frame = chosen[["email", "first_name"]].assign(spent=["£10.00", "£20.00", "£30.00", "£40.00", "£50.00"])
    blocked = pd.DataFrame({"email": [sorted(suppressed)[0]], "first_name": ["Blocked"], "spent": ["£1.00"]}, index=[0])
    return pd.concat([frame, blocked])


def merge_form(ns, df, **values) -> MailMerge:
    return ns.mail_merge(df, subject=SUBJECT, html=BODY, **values)


def srcdoc(form: MailMerge) -> str:
    found = re.search(r'srcdoc="([^"]*)"', form.preview.value)
    return html.unescape(found.group(1)) if found else ""


def test_every_row_is_previewed_and_the_problems_are_listed(ns, sb, customers):
    form = merge_form(ns, customers)
    assert repr(form) == "<MailMerge rows=6 mode=sandbox>" and form.address_column.value == "email"
    assert "Dry run: would send 5, skip 1 (1 suppressed)." in form.summary.value
    assert "Not sent" in form.problems.value and "suppressed (" in form.problems.value
    first = customers.iloc[0]
    assert "Row 1 of 6" in form.row_label.value and "would send" in form.row_label.value
    assert 'sandbox=""' in form.preview.value
    assert "you spent £10.00" in srcdoc(form) and f"Thanks, {first['first_name']}" in html.unescape(form.preview.value)
    assert form.previous_button.disabled and not form.next_button.disabled
    form.next_button.click()
    assert "Row 2 of 6" in form.row_label.value and "£20.00" in srcdoc(form)
    form.preview_view.value = "text"
    assert "you spent £20.00 with us." in html.unescape(form.preview.value) and "iframe" not in form.preview.value
    for _ in range(9):
        form.next_button.click()
    assert "Row 6 of 6" in form.row_label.value and "not sent: suppressed" in form.row_label.value
    assert form.next_button.disabled and form.test_button.disabled
    assert sb.outbox() == []  # previewing sends nothing


def test_edits_prepare_the_merge_again(ns, customers):
    form = merge_form(ns, customers)
    form.subject.value = "Hello {{ data.nickname }}"
    form.refresh()  # what the debounced edit does
    assert "skip 6 (5 missing data.nickname, 1 suppressed)" in form.summary.value
    assert form.send_button.disabled
    form.subject.value = "Hi {% if %}"
    form.refresh()
    assert "Liquid error on line 1" in form.errors.messages()["subject"] and form.plan is None
    form.address_column.value = "first_name"
    form.subject.value = SUBJECT
    form.refresh()
    assert "6 invalid address" in form.summary.value


def test_a_template_replaces_the_subject_and_body(ns, customers):
    template = next(t for t in ns.templates.list() if t["name"] == "Welcome")
    form = ns.mail_merge(customers, template_id=template["id"])
    assert form.template.value == template["id"] and form.subject.disabled and form.body.disabled
    assert "Welcome to Acme" in html.unescape(form.preview.value)


def test_one_row_goes_to_me_as_a_test_once(ns, sb, customers):
    form = merge_form(ns, customers)
    form.next_button.click()
    form.test_to.value = "me@acme.test"
    form.test_button.click()
    (email,) = sb.outbox()
    assert email["to"] == "me@acme.test"
    assert email["subject"] == f"[Test] Thanks, {customers.iloc[1]['first_name']}" and "£20.00" in email["text"]
    assert form.status.kind == "success" and "as a test" in form.status.text
    form.test_button.click()
    assert len(sb.outbox()) == 1 and "already went to me@acme.test" in form.status.text
    form.test_to.value = "me@"
    form.test_button.click()
    assert "not a valid e-mail address" in form.errors.messages()["test_to"] and len(sb.outbox()) == 1
    form.test_to.value = "me@acme.test"
    for _ in range(5):
        form.next_button.click()
    form.test_button._click_handlers(form.test_button)  # even if the disabled button fires
    assert "this row is not sent: suppressed" in form.status.text and len(sb.outbox()) == 1


def test_send_needs_a_name_then_sends_each_row_once_with_progress_and_results(ns, sb, customers):
    form = merge_form(ns, customers)
    assert form.send_button.disabled  # no name yet
    form.send_button._click_handlers(form.send_button)
    assert sb.outbox() == [] and "Name the run" in form.errors.messages()["name"]
    form.name.value = "thanks-q4"
    form.refresh()
    assert not form.send_button.disabled and form.send_button.description == "Send 5 email(s)"
    form.send_button.click()
    assert sorted(e["to"] for e in sb.outbox()) == sorted(customers["email"].iloc[:5])
    assert form.status.kind == "success" and "sent 5, skipped 1 (1 suppressed)" in form.status.text
    assert form.progress.value == form.progress.max == 5
    assert form.results.value.index("skipped") < form.results.value.index(">sent<")  # problems first
    assert form.result.counts == {"sent": 5, "skipped": 1}

    form.send_button.click()  # a double click
    again = merge_form(ns, customers, name="thanks-q4")  # the cell run again
    again.send_button.click()
    assert len(sb.outbox()) == 5 and again.result.counts == {"already_sent": 5, "skipped": 1}


def test_a_click_while_a_send_is_running_is_ignored(ns, sb, customers):
    form = merge_form(ns, customers, name="reentrant")
    inner = []
    form.progress.observe(
        lambda change: inner.append(form.guard.run(form.send)) if change["new"] == 1 else None, names="value"
    )
    form.send_button.click()
    assert inner == [False] and len(sb.outbox()) == 5


def test_live_mode_sends_only_once_the_count_is_typed(live_ns, sb, customers):
    form = merge_form(live_ns, customers, name="live-thanks")
    assert repr(form) == "<MailMerge rows=6 mode=live>"
    assert form.confirm_count.layout.display is None and form.send_button.disabled
    form.send_button._click_handlers(form.send_button)
    assert sb.outbox() == [] and "Type 5" in form.errors.messages()["confirm_count"]
    form.confirm_count.value = "6"
    assert form.send_button.disabled
    form.confirm_count.value = "5"
    assert not form.send_button.disabled
    form.send_button.click()
    assert len(sb.outbox()) == 5 and form.result.counts == {"sent": 5, "skipped": 1}


def test_a_frame_without_the_named_column_is_refused(ns, customers):
    with pytest.raises(ValueError, match="to='mail' is not a column"):
        ns.mail_merge(customers, to="mail")
    with pytest.raises(TypeError, match="pandas DataFrame"):
        ns.mail_merge([{"email": "a@example.test"}])
