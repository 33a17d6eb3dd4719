"""Every method of every endpoint group, against a real sandbox over HTTP."""

from __future__ import annotations

import pandas as pd
import pytest

import nitrosend_nb as nb
from nitrosend_nb.client.columnar import arrow_type
from nitrosend_nb.client.frames import SCHEMAS, numpy_dtype

GROUPS = ["messages", "campaigns", "contacts", "lists", "templates", "flows", "segments"]
DESIGN = {"sections": [{"type": "text", "props": {"text": "Hello {{ contact.first_name }}"}}]}


def _assert_schema_dtypes(frame: pd.DataFrame, name: str) -> None:
    schema = SCHEMAS[name]
    assert frame.index.name == "id" and str(frame.index.dtype) == "Int64"
    for column, dtype in schema.columns.items():
        if column == "id":
            continue
        assert column in frame.columns, column
        if isinstance(dtype, pd.CategoricalDtype):
            assert isinstance(frame[column].dtype, pd.CategoricalDtype), column
            assert list(frame[column].cat.categories[: len(dtype.categories)]) == list(dtype.categories)
        else:
            assert frame[column].dtype == numpy_dtype(dtype), column


def _assert_arrow_dtypes(frame: pd.DataFrame, name: str) -> None:
    schema = SCHEMAS[name]
    assert frame.index.name == "id" and frame.index.dtype == pd.ArrowDtype(arrow_type(schema.columns["id"]))
    for column, declared in schema.columns.items():
        if column != "id":
            assert frame[column].dtype == pd.ArrowDtype(arrow_type(declared)), column
    assert all(isinstance(dtype, pd.ArrowDtype) for dtype in frame.dtypes)  # undeclared fields too


@pytest.mark.parametrize("group", GROUPS)
def test_list_iter_df_and_get_agree(ns, group):
    resource = getattr(ns, group)
    page = resource.list()
    assert isinstance(page, nb.Page) and isinstance(page, list)
    assert page.page == 1 and page.total >= len(page) > 0
    frame = resource.df()
    records = list(resource.iter())
    assert len(frame) == len(records) == page.total
    assert frame.index.tolist() == [r["id"] for r in records]  # API order kept
    assert frame.index.is_unique
    _assert_schema_dtypes(frame, group)
    arrow = resource.df(dtype_backend="pyarrow")
    assert arrow.index.tolist() == frame.index.tolist() and list(arrow.columns) == list(frame.columns)
    _assert_arrow_dtypes(arrow, group)
    first = resource.get(page[0]["id"])
    assert first["id"] == page[0]["id"]


@pytest.mark.parametrize("group", ["messages", "contacts"])
def test_paginated_list_pages_walk_the_whole_collection(ns, group):
    resource = getattr(ns, group)
    first = resource.list(limit=100)
    assert first.total_pages == -(-first.total // 100) and first.next_page == 2 and first.limit == 100
    last = resource.list(page=first.total_pages, limit=100)
    assert last.next_page is None and len(last) == first.total - 100 * (first.total_pages - 1)
    ids = [r["id"] for n in range(1, first.total_pages + 1) for r in resource.list(page=n, limit=100)]
    assert ids == resource.df().index.tolist()


@pytest.mark.parametrize("group", ["templates", "segments"])
def test_unpaginated_groups_return_the_whole_array_as_one_page(ns, group):
    resource = getattr(ns, group)
    page = resource.list(limit=2)
    assert len(page) == page.total > 2 and page.total_pages == 1 and page.next_page is None
    assert resource.list(page=2) == [] and resource.list(page=2).total == page.total
    assert len(resource.df()) == page.total


def test_get_unknown_id_is_not_found(ns):
    with pytest.raises(nb.NotFoundError) as info:
        ns.contacts.get(999_999)
    assert info.value.status == 404 and str(info.value).startswith("GET /contacts/999999 -> 404")


def test_filters_are_sent_as_query_parameters(ns):
    emails = ns.messages.df(channel="email", source_type="all")
    assert len(emails) > 0 and set(emails.channel) == {"email"}
    assert ns.messages.df(source_type="all").shape[0] > ns.messages.df().shape[0]
    assert ns.messages.df().source_type.isna().all()  # transactional only by default
    tagged = ns.contacts.df(tag="vip")
    assert len(tagged) > 0 and all("vip" in tags for tags in tagged["data.tags"])
    members = ns.contacts.df(list_id=1)
    assert all(1 in ids for ids in members.list_ids)
    assert len(ns.contacts.df(max_rows=30)) == 30


def test_contacts_crud_and_search(fresh_ns):
    created = fresh_ns.contacts.create(
        email="ada@example.test", first_name="Ada", last_name="Lovelace", data={"tags": ["math"]}, list_ids=[1]
    )
    assert created["first_name"] == "Ada" and created["list_ids"] == [1]
    assert fresh_ns.contacts.get(created["id"])["last_name"] == "Lovelace"
    updated = fresh_ns.contacts.update(created["id"], first_name="Augusta")
    assert updated["first_name"] == "Augusta"
    found = fresh_ns.contacts.search("Augusta")
    assert list(found.index) == [created["id"]] and found.loc[created["id"], "email"] == "ada@example.test"
    assert fresh_ns.contacts.search("no-such-person-zzz").empty
    assert fresh_ns.contacts.delete(created["id"])["id"] == created["id"]
    with pytest.raises(nb.NotFoundError):
        fresh_ns.contacts.get(created["id"])


def test_invalid_contact_is_a_validation_error_naming_each_field(fresh_ns):
    before = fresh_ns.contacts.list().total
    with pytest.raises(nb.ValidationError) as info:
        fresh_ns.contacts.create(first_name="No address")
    err = info.value
    assert err.status == 422 and "email" in err.validation_errors
    message = err.validation_errors["email"][0]
    assert str(err).startswith("POST /contacts -> 422 ") and f"email {message}" in str(err)
    assert str(err).count(message) == 1
    assert fresh_ns.contacts.list().total == before


def test_lists_crud(fresh_ns):
    created = fresh_ns.lists.create(name="Beta testers", contact_ids=[1, 2, 3])
    assert created["name"] == "Beta testers" and created["contacts_count"] == 3
    assert fresh_ns.lists.update(created["id"], name="Beta")["name"] == "Beta"
    assert fresh_ns.lists.get(created["id"])["name"] == "Beta"
    assert created["id"] in fresh_ns.lists.df().index
    fresh_ns.lists.delete(created["id"])
    assert created["id"] not in fresh_ns.lists.df().index


def test_segments_crud_and_count(fresh_ns):
    filters = [{"name": "contact_country", "predicate": "eq", "value": "NZ"}]
    expected = int((fresh_ns.contacts.df().country_code == "NZ").sum())
    assert fresh_ns.segments.count(filters) == expected
    assert fresh_ns.segments.count([]) == fresh_ns.contacts.list().total
    segment = fresh_ns.segments.create(name="Kiwis", filters=filters)
    assert segment["filters"] == filters
    assert fresh_ns.segments.update(segment["id"], name="New Zealand")["name"] == "New Zealand"
    frame = fresh_ns.segments.df()
    assert frame.loc[segment["id"], "filters"] == filters
    fresh_ns.segments.delete(segment["id"])
    with pytest.raises(nb.NotFoundError):
        fresh_ns.segments.get(segment["id"])


def test_templates_crud_preview_and_send_test(fresh_ns, fresh_sandbox):
    template = fresh_ns.templates.create(name="Welcome", subject="Hi {{ contact.first_name }}", design=DESIGN)
    assert fresh_ns.templates.get(template["id"])["design"]["sections"][0]["type"] == "text"
    assert fresh_ns.templates.update(template["id"], preheader="Glad you're here")["preheader"] == "Glad you're here"
    summary = fresh_ns.templates.df().loc[template["id"]]
    assert summary["section_count"] == 1 and summary["section_types"] == ["text"]
    html = fresh_ns.templates.preview(DESIGN)
    assert isinstance(html, str) and "Hello" in html
    fresh_sandbox.clear_outbox()
    result = fresh_ns.templates.send_test(template["id"], email=["qa@example.test", "pm@example.test"])
    assert result["sent"] == 2 and all(r["success"] for r in result["results"])
    suppressed = set(fresh_ns.suppressions.df().email)
    contacts = fresh_ns.contacts.df()
    contact = contacts[contacts.subscribed_email & ~contacts.email.isin(suppressed)].iloc[0]
    personal = fresh_ns.templates.send_test(template["id"], contact_id=int(contact.name))
    assert personal["sent"] == 1
    outbox = fresh_ns.outbox()
    assert len(outbox) == 3 and set(outbox.kind) == {"test"}
    assert contact["first_name"] in outbox.iloc[-1]["subject"]
    with pytest.raises(NotImplementedError, match="DELETE /templates"):
        fresh_ns.templates.delete(template["id"])


def test_send_test_fills_data_merge_tags(fresh_ns, fresh_sandbox):
    template = fresh_ns.templates.create(name="Refund", subject="Refund of {{ data.amount }}", body="<p>Hi</p>")
    fresh_sandbox.clear_outbox()
    fresh_ns.templates.send_test(template["id"], email="qa@example.test", data={"amount": "£12.50"})
    assert fresh_ns.outbox()["subject"].tolist() == ["[Test] Refund of £12.50"]


def test_a_bad_send_test_address_is_one_clear_sentence(ns):
    with pytest.raises(nb.ValidationError) as info:
        ns.templates.send_test(3, email="nope")
    assert str(info.value) == "POST /templates/3/send_test -> 422 Validation failed: email is not a valid email address"
    assert info.value.validation_errors == {"email": ["is not a valid email address"]}


def test_send_test_always_carries_an_idempotency_key(fresh_ns, fresh_sandbox):
    fresh_sandbox.clear_outbox()
    fresh_ns.templates.send_test(1, email="qa@example.test", idempotency_key="test-send-1")
    fresh_ns.templates.send_test(1, email="qa@example.test", idempotency_key="test-send-1")  # a rerun
    assert len(fresh_ns.outbox()) == 1


def test_messages_send_get_and_list(fresh_ns, fresh_sandbox):
    fresh_sandbox.clear_outbox()
    message = fresh_ns.messages.send(to="ada@example.test", subject="Receipt", html="<p>Thanks</p>", data={"order": 42})
    assert message["status"] == "queued" and message["channel"] == "email"
    assert fresh_ns.messages.get(message["id"])["status"] == "sent"
    assert fresh_ns.messages.df().index[0] == message["id"]
    via_template = fresh_ns.messages.create(to="bob@example.test", template_id=1)
    assert via_template["id"] != message["id"]
    outbox = fresh_ns.outbox()
    assert outbox.to.tolist() == ["ada@example.test", "bob@example.test"]
    assert outbox.message_id.tolist() == [message["id"], via_template["id"]]


def test_message_rerun_with_the_same_key_sends_once(fresh_ns, fresh_sandbox):
    fresh_sandbox.clear_outbox()
    first = fresh_ns.messages.send(to="ada@example.test", subject="Hi", body="Hi", idempotency_key="order-42")
    again = fresh_ns.messages.send(to="ada@example.test", subject="Hi", body="Hi", idempotency_key="order-42")
    assert again["id"] == first["id"] and len(fresh_ns.outbox()) == 1
    with pytest.raises(nb.ConflictError):
        fresh_ns.messages.send(to="ada@example.test", subject="Changed", body="Hi", idempotency_key="order-42")


def test_invalid_message_names_its_fields(fresh_ns):
    with pytest.raises(nb.ValidationError) as info:
        fresh_ns.messages.send(to="not-an-address", subject="Hi")
    assert {"to", "html"} <= set(info.value.validation_errors)
    assert str(info.value).startswith("POST /messages -> 422 ")


def test_messages_cannot_be_updated_or_deleted(ns):
    with pytest.raises(NotImplementedError, match="PATCH /messages"):
        ns.messages.update(1, subject="x")
    with pytest.raises(NotImplementedError, match="DELETE /messages"):
        ns.messages.delete(1)


def test_campaigns_crud_and_send_to_a_list(fresh_ns, fresh_sandbox):
    campaign = fresh_ns.campaigns.create(name="Spring sale")
    assert campaign["status"] == "draft" and campaign["channel"] == "email"
    updated = fresh_ns.campaigns.update(campaign["id"], template_attributes={"subject": "Spring!", "body": "Sale"})
    assert updated["template"]["subject"] == "Spring!"
    frame = fresh_ns.campaigns.df()
    assert frame.loc[campaign["id"], "template.subject"] == "Spring!"
    fresh_sandbox.clear_outbox()
    members = fresh_ns.contacts.df(list_id=2)
    lists = fresh_ns.lists.df()
    newsletter = lists.index[lists["name"] == "Customers"][0]  # a numpy integer, as a DataFrame hands it out
    assert newsletter == 2
    sent = fresh_ns.campaigns.send(campaign["id"], lists=newsletter, subject="Spring sale!")
    assert sent["status"] == "completed" and sent["trigger"]["contact_list_ids"] == [2]
    outbox = fresh_ns.outbox()
    assert set(outbox.kind) == {"campaign"} and set(outbox.campaign_id) == {campaign["id"]}
    assert len(outbox) == sent["sent_count"] == reachable(fresh_ns, members)
    assert set(outbox.subject) == {"Spring sale!"}
    with pytest.raises(nb.ValidationError) as info:  # content is locked once sent
        fresh_ns.campaigns.update(campaign["id"], template_attributes={"subject": "Changed"})
    assert info.value.error_code == "campaign_locked"
    assert fresh_ns.campaigns.update(campaign["id"], name="Spring sale 2026")["name"] == "Spring sale 2026"
    fresh_ns.campaigns.delete(campaign["id"])
    with pytest.raises(nb.NotFoundError):
        fresh_ns.campaigns.get(campaign["id"])


def reachable(ns, contacts) -> int:
    """How many of ``contacts`` a campaign reaches: subscribed to email, address not suppressed."""
    suppressed = set(ns.suppressions.df().email)
    return int((contacts.subscribed_email & ~contacts.email.isin(suppressed)).sum())


def test_campaign_needs_an_explicit_audience(fresh_ns, fresh_sandbox):
    campaign = fresh_ns.campaigns.create(name="Nobody yet")
    fresh_sandbox.clear_outbox()
    with pytest.raises(nb.ValidationError) as info:
        fresh_ns.campaigns.send(campaign["id"], subject="Hi", body="Hi")
    assert "audience" in info.value.validation_errors
    assert fresh_ns.outbox().empty
    with pytest.raises(ValueError):
        fresh_ns.campaigns.send(campaign["id"], lists=[1], all_contacts=True)
    segment = fresh_ns.segments.create(
        name="Kiwis", filters=[{"name": "contact_country", "predicate": "eq", "value": "NZ"}]
    )
    sent = fresh_ns.campaigns.send(campaign["id"], segment=segment["id"], subject="Kia ora", body="Hi")
    assert sent["trigger"]["segment_id"] == segment["id"]
    everyone = fresh_ns.campaigns.create(name="Everyone")
    result = fresh_ns.campaigns.send(everyone["id"], all_contacts=True, subject="All", body="Hi")
    assert result["sent_count"] == reachable(fresh_ns, fresh_ns.contacts.df())


def test_flows_crud_with_optimistic_concurrency(fresh_ns):
    flow = fresh_ns.flows.create(
        name="Welcome series",
        trigger={"event": "contact_created"},
        steps=[{"type": "email", "subject": "Welcome"}, {"type": "wait", "duration": 86400}],
    )
    assert flow["status"] == "draft" and [s["type"] for s in flow["steps"]] == ["email", "wait"]
    assert fresh_ns.flows.df().loc[flow["id"], "trigger.event"] == "contact_created"
    renamed = fresh_ns.flows.update(flow["id"], name="Welcome", updated_at=flow["updated_at"])
    assert renamed["name"] == "Welcome"
    with pytest.raises(nb.ConflictError):
        fresh_ns.flows.update(flow["id"], name="Stale", updated_at=flow["updated_at"])
    assert fresh_ns.flows.get(flow["id"])["name"] == "Welcome"
    fresh_ns.flows.delete(flow["id"])
    with pytest.raises(nb.NotFoundError):
        fresh_ns.flows.get(flow["id"])


def test_account_get_and_usage(ns):
    account = ns.account.get()
    assert account["commercial_tier"] in {"unsubscribed", "free", "pro", "ultra", "enterprise"}
    assert account["billing"]["plan_name"] and "brands" not in account
    usage = ns.account.usage()
    assert usage.index.name == "resource" and list(usage.index) == ["email", "sms", "ai"]
    assert list(usage.columns) == ["used", "allowance", "remaining", "overage_rate", "mode", "budget", "budget_used"]
    assert [str(t) for t in usage.dtypes] == ["Int64", "Int64", "Int64", "float64", "category", "float64", "float64"]
    resources = account["billing"]["resources"]
    for name, values in resources.items():
        row = usage.loc[name]
        assert row["used"] == values["used"] and row["mode"] == values["mode"]
        for field in ("allowance", "remaining", "budget"):  # null (unlimited / no budget) is <NA>
            assert pd.isna(row[field]) if values[field] is None else row[field] == values[field], (name, field)
    assert any(values["allowance"] is None for values in resources.values())  # the seed has an unlimited one


def test_account_frame_is_one_row_with_billing_flattened(ns):
    account = ns.account.get()
    frame = ns.account.df()
    assert list(frame.index) == [account["id"]] and frame.index.name == "id"
    row = frame.loc[account["id"]]
    assert row["billing.plan_name"] == account["billing"]["plan_name"]
    assert row["billing.lifetime.email_sent"] == account["billing"]["lifetime"]["email_sent"]
    assert row["billing.resources"] == account["billing"]["resources"]
    assert row["billing.brands.used"] == account["billing"]["brands"]["used"]
    assert row["team.seat_count"] == account["team"]["seat_count"]
    assert row["access.source"] == account["access"]["source"]
    assert frame["commercial_tier"].dtype.name == "category" and row["commercial_tier"] == account["commercial_tier"]
    assert str(frame["created_at"].dtype) == "datetime64[ns, UTC]"
    assert row["billing.plan.slug"] == account["billing"]["plan"]["slug"]
    assert str(frame["billing.plan.emails_per_month"].dtype) == "Int64"
    assert "billing.wallet_balance_cents" not in frame  # retired: billing.funding holds the wallet


def test_outbox_frame(fresh_ns, fresh_sandbox):
    fresh_sandbox.clear_outbox()
    empty = fresh_ns.outbox()
    assert empty.empty and empty.index.name == "id" and empty.kind.dtype.name == "category"
    assert str(empty.created_at.dtype) == "datetime64[ns, UTC]"
    fresh_ns.messages.send(to="ada@example.test", subject="Hi", body="Hello")
    outbox = fresh_ns.outbox()
    assert len(outbox) == len(fresh_sandbox.outbox()) == 1
    row = outbox.iloc[0]
    assert row["kind"] == "transactional" and row["subject"] == "Hi" and row["created_at"].tzname() == "UTC"


def test_outbox_is_refused_in_live_mode(sandbox):
    live = nb.connect(api_key=sandbox.api_key, base_url=sandbox.url, progress=False)
    assert live.mode == "live"
    with pytest.raises(nb.NitrosendError, match="sandbox mode"):
        live.outbox()
    assert live.contacts.list().total == 250  # the same server is otherwise usable


def test_widget_delegations_build_their_widgets(ns):
    for method, cls in [
        ("contact_explorer", "ContactExplorer"),
        ("message_composer", "MessageComposer"),
        ("outbox_viewer", "OutboxViewer"),
    ]:
        assert type(getattr(ns, method)()).__name__ == cls
