"""The client speaks today's API (API-NOTES.md, "Today's API"): one error class per status it names, brands and
brand scoping, the account's new calls, bulk list membership, message filters/tags/contact sends, send_test
results, campaign duplicate/send_test, the spec endpoints and idempotent flow creation. Over HTTP to a sandbox,
and to a scripted server or a silent socket only where a faithful sandbox cannot produce the answer."""

from __future__ import annotations

import socket

import pandas as pd
import pytest

import nitrosend_nb as nb

DEEP = {"data": {}}
for _ in range(70):
    DEEP = {"data": DEEP}
FLOW = {
    "name": "Welcome series",
    "status": "draft",
    "goal": "first order",
    "trigger": {"event": "signed_up"},
    "steps": [{"type": "wait", "duration": 60}],
}


def _scripted(server, **options) -> nb.Nitrosend:
    return nb.connect(api_key="nskey_test_scripted0000000001", base_url=server.url, progress=False, **options)


# ------------------------------------------------------------------------------------------------ errors
def test_400_is_a_bad_request_error(fresh_ns):
    with pytest.raises(nb.BadRequestError) as info:
        fresh_ns.contacts.create(email="deep@example.test", data=DEEP)
    assert info.value.status == 400 and info.value.code == "bad_request" and "nested" in info.value.message


def test_402_is_a_payment_required_error_when_the_plan_has_no_brand_left(fresh_ns):
    allowance = fresh_ns.account.get()["billing"]["brands"]
    for number in range(allowance["remaining"]):
        fresh_ns.brands.create(company_name=f"Extra {number}")
    with pytest.raises(nb.PaymentRequiredError) as info:
        fresh_ns.brands.create(company_name="One too many")
    assert info.value.status == 402 and info.value.code == "payment_required" and info.value.call == "POST /brands"
    assert len(fresh_ns.brands.df()) == allowance["limit"]


def test_403_is_a_permission_denied_error(fresh_ns, fresh_sandbox):
    with pytest.raises(nb.PermissionDeniedError) as info:
        fresh_ns.request(
            "POST",
            "/_sandbox/reset",
            json={},
            base_url=fresh_sandbox.root_url,
            headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
        )
    assert info.value.status == 403 and info.value.code == "forbidden"


@pytest.mark.parametrize("code, error_code", [("campaign_locked", "campaign_locked"), (422, None)])
def test_code_is_the_bodys_machine_code_string_or_integer(scripted_server, code, error_code):
    scripted_server.script = [(422, {}, {"error": True, "code": code, "message": "Nope"})]
    with pytest.raises(nb.ValidationError) as info:
        _scripted(scripted_server, retries=0).lists.update(3, name="x")
    assert info.value.status == 422 and info.value.code == code and info.value.error_code == error_code


@pytest.mark.parametrize("status, cls", [(402, nb.PaymentRequiredError), (403, nb.PermissionDeniedError)])
def test_new_classes_from_a_server_sending_integer_codes(scripted_server, status, cls):
    scripted_server.script = [(status, {}, {"error": True, "code": status, "message": "Nope"})]
    with pytest.raises(cls) as info:
        _scripted(scripted_server, retries=0).account.get()
    assert info.value.code == status and str(info.value) == f"GET /account -> {status} Nope"


def test_a_server_that_never_answers_is_a_request_timeout_error():
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections are accepted by the kernel, nothing ever answers
    try:
        port = silent.getsockname()[1]
        client = nb.connect(
            api_key="nskey_test_silent000000000001",
            base_url=f"http://127.0.0.1:{port}/v1/my",
            progress=False,
            timeout=0.2,
            retries=1,
        )
        with pytest.raises(nb.RequestTimeoutError) as info:
            client.account.get()
    finally:
        silent.close()
    err = info.value
    assert isinstance(err, nb.TransportError) and isinstance(err, TimeoutError)
    assert not isinstance(err, nb.ConnectionFailedError) and err.status is None
    assert str(err) == f"GET /account -> no response from 127.0.0.1:{port} within 0.2 s"


def test_a_refused_connection_is_a_connection_failed_error():
    client = nb.connect(
        api_key="nskey_test_closed000000000001", base_url="http://127.0.0.1:9/v1/my", progress=False, retries=1
    )
    with pytest.raises(ConnectionError) as info:  # Python's own class catches it too
        client.contacts.list()
    assert isinstance(info.value, nb.ConnectionFailedError) and not isinstance(info.value, TimeoutError)
    assert "connection refused" in str(info.value)


# ------------------------------------------------------------------------------------------------ brands
def test_brands_frame_get_and_onboarding(ns):
    brands = ns.brands.df()
    assert brands.index.name == "sid" and len(brands) == 2
    assert brands.from_email_domain_status.dtype.name == "category" and str(brands.can_send.dtype) == "boolean"
    sid = brands.index[0]
    brand = ns.brands.get(sid)
    assert brand["id"] == brands.loc[sid, "id"] and brand["company_name"] == brands.loc[sid, "company_name"]
    steps = ns.brands.onboarding(sid)
    assert set(steps["steps"]) == {"brand", "sender", "domain", "contacts", "first_campaign"}
    assert steps["progress"]["total"] == brands.loc[sid, "onboarding.progress.total"] == 5
    with pytest.raises(nb.NotFoundError):
        ns.brands.get("brd_nope")
    with pytest.raises(ValueError, match="sid"):
        ns.brands.get(3)


def test_the_current_brand_is_the_clients_or_else_the_default(ns):
    default, other = ns.brands.list()
    assert ns.brands.current()["sid"] == default["sid"]
    assert ns.with_brand(other["sid"]).brands.current()["sid"] == other["sid"]


def test_brand_create_update_delete(fresh_ns):
    brand = fresh_ns.brands.create(company_name="Tea House", email_from_name="Tea")
    assert brand["sid"] in fresh_ns.brands.df().index
    assert fresh_ns.brands.update(brand["sid"], company_name="Tea House Ltd")["company_name"] == "Tea House Ltd"
    fresh_ns.brands.delete(brand["sid"])
    assert brand["sid"] not in fresh_ns.brands.df().index
    default = fresh_ns.brands.df().index[0]
    with pytest.raises(nb.ConflictError):
        fresh_ns.brands.delete(default)


def test_with_brand_scopes_every_group_and_shares_no_secret(ns, sandbox):
    first, second = ns.brands.df().index[:2]
    mine, theirs = ns.with_brand(first), ns.with_brand(second)
    assert mine.brand_sid == first and ns.brand_sid is None
    assert f"brand_sid={second!r}" in repr(theirs) and sandbox.api_key not in repr(theirs)
    ids = {sid: set(client.contacts.df().index) for sid, client in ((first, mine), (second, theirs))}
    assert ids[first] and ids[second] and not ids[first] & ids[second]
    assert ids[first] == set(ns.contacts.df().index)  # no header: the default brand
    assert ns.with_brand(None).brand_sid is None
    via_connect = nb.connect(sandbox=sandbox, brand_sid=second, progress=False)
    assert set(via_connect.contacts.df().index) == ids[second]
    with pytest.raises(nb.NotFoundError):
        ns.with_brand("brd_unknown").contacts.list()
    with pytest.raises(ValueError):
        ns.with_brand("  ")


# ------------------------------------------------------------------------------------------------ account
def test_account_update_and_reach(fresh_ns):
    account = fresh_ns.account.update(name="Acme Roasters", safe_mode_enabled=True)
    assert account["name"] == "Acme Roasters" and account["safe_mode_enabled"] is True
    assert fresh_ns.account.df().loc[account["id"], "safe_mode_enabled"]
    reach = fresh_ns.account.reach(10)
    assert (reach["audience"], reach["covered"], reach["summary"]) == (10, True, None)  # a summary only when not
    beyond = fresh_ns.account.reach(10_000_000)
    assert beyond["covered"] is False and "talk to sales" in beyond["summary"]
    with pytest.raises(ValueError):
        fresh_ns.account.reach(-1)


# ------------------------------------------------------------------------------------------------ lists
def test_bulk_add_and_remove_contacts_by_email(fresh_ns):
    target = fresh_ns.lists.create(name="Bulk")
    emails = fresh_ns.contacts.df(max_rows=3)["email"].tolist()
    added = fresh_ns.lists.add_contacts(target["id"], [*emails, "nobody@example.test"])
    assert added["added"] == emails and added["not_found"] == ["nobody@example.test"]
    assert added["contacts_count"] == 3 == fresh_ns.lists.get(target["id"])["contacts_count"]
    assert fresh_ns.lists.add_contacts(target["id"], emails[0])["unchanged"] == [emails[0]]
    removed = fresh_ns.lists.remove_contacts(target["id"], emails[:2])
    assert removed["removed"] == emails[:2] and removed["contacts_count"] == 1
    with pytest.raises(ValueError):
        fresh_ns.lists.add_contacts(target["id"], [])


# ------------------------------------------------------------------------------------------------ messages
def test_messages_filters_as_keyword_arguments(ns):
    campaigns = ns.campaigns.df()
    campaign_id = int(campaigns[campaigns.sent_count > 0].index[0])
    sent = ns.messages.df(campaign_id=campaign_id)
    assert len(sent) == campaigns.loc[campaign_id, "sent_count"] and set(sent.source_type) == {"campaign"}
    tests = ns.messages.df(source_type="test")
    assert len(tests) and set(tests.source_type) == {"test"}
    transactional = ns.messages.df()
    assert transactional.source_type.isna().all()  # the API's null, kept
    day = transactional.created_at.iloc[0].date()
    on_day = ns.messages.df(date=day)
    assert len(on_day) and (on_day.created_at.dt.date == day).all()
    failed = ns.messages.df(source_type="all", status="failed")
    assert failed.failure_category.notna().all() and failed.failure_category.dtype.name == "category"


def test_send_to_a_contact_with_a_named_sender_and_tags(fresh_ns, fresh_sandbox):
    contact = fresh_ns.contacts.list(limit=1)[0]
    message = fresh_ns.messages.send(
        contact_id=contact["id"],
        subject="Hi {{ contact.first_name }}",
        body="Hello",
        from_="Roastery <hello@acme.test>",
        tags={"campaign": "welcome", "step": 1},
    )
    assert message["brand_id"] == contact["brand_id"]
    captured = fresh_sandbox.outbox()[-1]
    assert captured["from"] == "Roastery <hello@acme.test>" and contact["first_name"] in captured["subject"]


@pytest.mark.parametrize(
    "tags, problem",
    [
        (["vip"], "not a list"),
        ({"message_id": "x"}, "reserved"),
        ({"nested": {"a": 1}}, "string, number or boolean"),
        ({"": 1}, "non-blank"),
    ],
)
def test_bad_tags_are_refused_before_any_request(scripted_server, tags, problem):
    with pytest.raises(ValueError, match=problem):
        _scripted(scripted_server).messages.send(to="a@example.test", subject="s", body="b", tags=tags)
    assert scripted_server.requests == []


# ------------------------------------------------------------------------------------------------ tests, specs
def test_template_send_test_results_with_a_sample_contact(fresh_ns):
    template_id = int(fresh_ns.templates.df().index[0])
    contact = fresh_ns.contacts.list(limit=1)[0]
    result = fresh_ns.templates.send_test(
        template_id, email=["qa@example.test", "x@blocked.invalid"], sample_contact_id=contact["id"]
    )
    by_email = {item["email"]: item for item in result["results"]}
    assert by_email["qa@example.test"]["status"] == "delivered" and by_email["qa@example.test"]["message_id"]
    assert by_email["qa@example.test"]["code"] == "delivered" and result["sent"] == 1
    refused = by_email["x@blocked.invalid"]  # refused alone: the other recipient still got the test
    assert refused["success"] is False and refused["status"] == "failed" and refused["code"] == "invalid_recipient"
    assert refused["error"] and "message_id" not in refused
    with pytest.raises(ValueError, match="sample_contact_id"):
        fresh_ns.templates.send_test(template_id, sample_contact_id=contact["id"])


def test_campaign_send_test_and_duplicate(fresh_ns):
    campaigns = fresh_ns.campaigns.df()
    sent_id = int(campaigns[(campaigns.status == "completed") & (campaigns.channel == "email")].index[0])
    result = fresh_ns.campaigns.send_test(sent_id, email="qa@example.test")
    assert result["sent"] == 1 and result["results"][0]["status"] == "delivered"
    copy = fresh_ns.campaigns.duplicate(sent_id, name="Again")
    assert copy["name"] == "Again" and copy["status"] == "draft" and copy["editable"] is True
    assert copy["approval_state"] == "pending_review" and copy["id"] != sent_id
    draft_id = copy["id"]
    second = fresh_ns.campaigns.duplicate(draft_id, cancel_source=True)
    assert second["name"] == "Again (copy)" and fresh_ns.campaigns.get(draft_id)["status"] == "cancelled"


def test_spec_endpoints(ns):
    assert ns.templates.spec() and ns.flows.spec()


def test_creating_the_same_flow_twice_makes_one_per_brand(fresh_ns):
    first = fresh_ns.flows.create(**FLOW)
    again = fresh_ns.flows.create(**FLOW)
    assert again["id"] == first["id"] and first["goal"] == "first order" and first["status"] == "draft"
    assert fresh_ns.flows.create(**{**FLOW, "name": "Other"})["id"] != first["id"]
    other_brand = fresh_ns.with_brand(fresh_ns.brands.df().index[1])
    elsewhere = other_brand.flows.create(**FLOW)
    assert elsewhere["id"] != first["id"] and elsewhere["brand_id"] != first["brand_id"]
    frame = fresh_ns.flows.df()
    assert list(frame.status.cat.categories[:5]) == ["draft", "live", "paused", "archived", "cancelled"]
    assert isinstance(frame.approval_state.dtype, pd.CategoricalDtype)
