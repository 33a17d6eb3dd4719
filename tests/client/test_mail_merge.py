"""ns.messages.send_df: a mail merge over HTTP against a real sandbox. Dry run, strict rendering and checks; every
eligible row sent once; reruns, Ctrl-C, a killed process, faults and changed content never send twice or lose a
row; tests to yourself; the live-mode confirmation."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

import nitrosend_nb as nb
from nitrosend_nb.client.mail_merge import MergeInterrupted, default_key, json_value
from nitrosend_nb.rendering import MergeError
from nitrosend_nb.sandbox import limits

CONTENT = {
    "subject": "Your refund of {{ data.amount }}, {{ data.first_name }}",
    "html": "<p>Hi {{ data.first_name }}, we refunded {{ data.amount }} for order {{ data.order }}.</p>",
}


def customers(n: int, prefix: str = "customer") -> pd.DataFrame:
    """``n`` rows of refund notices to addresses no contact has, indexed by order number."""
    return pd.DataFrame(
        {
            "email": [f"{prefix}{i}@example.test" for i in range(n)],
            "first_name": [f"Name{i}" for i in range(n)],
            "amount": [f"£{i}.50" for i in range(n)],
            "order": [1000 + i for i in range(n)],
        },
        index=pd.Index([f"order-{1000 + i}" for i in range(n)], name="order_id"),
    )


def with_problems(df: pd.DataFrame, suppressed: list[str]) -> pd.DataFrame:
    """``df`` with six rows that must not be sent: no address, an invalid one, a duplicate (other case), two
    suppressed addresses and one row without first_name."""
    df = df.copy()
    df.iloc[10, df.columns.get_loc("email")] = None
    df.iloc[20, df.columns.get_loc("email")] = "not-an-address"
    df.iloc[30, df.columns.get_loc("email")] = df.iloc[0]["email"].upper()
    df.iloc[40, df.columns.get_loc("email")] = suppressed[0]
    df.iloc[41, df.columns.get_loc("email")] = suppressed[1].upper()
    df.iloc[50, df.columns.get_loc("first_name")] = np.nan
    return df


def sent_addresses(sandbox) -> Counter:
    return Counter(email["to"].lower() for email in sandbox.outbox())


@pytest.fixture
def merge_sandbox(make_sandbox):
    """A small fresh sandbox with an empty outbox."""
    sb = make_sandbox(seed=0, contacts=20)
    sb.clear_outbox()
    return sb


@pytest.fixture
def mns(merge_sandbox):
    client = nb.connect(sandbox=merge_sandbox, progress=False)
    yield client
    client.close()


def test_a_300_row_merge_previews_then_sends_every_eligible_row_once(mns, merge_sandbox):
    suppressed = sorted(mns.suppressions.df()["email"])
    df = with_problems(customers(300), suppressed)

    preview = mns.messages.send_df(df, **CONTENT, name="refunds")
    assert preview.summary == (
        "would send 294, skip 6 (2 suppressed, 1 no address, 1 invalid address, 1 duplicate address, "
        "1 missing data.first_name)"
    )
    assert preview.frame.index.equals(df.index) and preview.dry_run
    assert merge_sandbox.outbox() == []  # a dry run sends nothing
    row = preview.frame.loc["order-1007"]
    assert row["status"] == "would_send" and row["subject"] == "Your refund of £7.50, Name7"
    assert row["excerpt"] == "Hi Name7, we refunded £7.50 for order 1007."
    assert row["key"] == default_key(mns.brands.current()["sid"], "refunds", "customer7@example.test")
    problems = preview.frame["problem"]
    assert problems["order-1030"] == "duplicate address (first at row 'order-1000')"
    assert problems["order-1040"] == f"suppressed ({mns.suppressions.df(email=suppressed[0])['reason'].iloc[0]})"
    assert problems["order-1050"] == "missing data.first_name"
    assert problems["order-1020"] == "invalid address 'not-an-address'"

    result = mns.messages.send_df(df, **CONTENT, name="refunds", dry_run=False)
    assert result.summary == (
        "sent 294, skipped 6 (2 suppressed, 1 no address, 1 invalid address, 1 duplicate address, "
        "1 missing data.first_name)"
    )
    frame = result.frame
    assert frame.index.equals(df.index)
    eligible = frame["status"] == "sent"
    assert eligible.sum() == 294 and frame.loc[~eligible, "status"].eq("skipped").all()
    assert frame.loc[eligible, "message_id"].is_unique and frame.loc[~eligible, "message_id"].isna().all()
    outbox = sent_addresses(merge_sandbox)
    assert len(outbox) == 294 and set(outbox.values()) == {1}  # every eligible row once, the duplicate too
    assert set(outbox) == {address.lower() for address in frame.loc[eligible, "to"]}
    assert not {suppressed[0], suppressed[1], "not-an-address", "customer50@example.test"} & set(outbox)
    by_message = {email["message_id"]: email for email in merge_sandbox.outbox()}
    assert by_message[frame.loc["order-1299", "message_id"]]["subject"] == "Your refund of £299.50, Name299"
    messages = mns.messages.df()
    assert set(messages.loc[frame.loc[eligible, "message_id"].astype(int), "status"]) == {"sent"}


def test_a_rerun_sends_nobody_and_reports_already_sent(mns, merge_sandbox):
    df = customers(12)
    first = mns.messages.send_df(df, **CONTENT, name="rerun", dry_run=False)
    again = mns.messages.send_df(df, **CONTENT, name="rerun", dry_run=False)
    assert first.counts == {"sent": 12} and again.counts == {"already_sent": 12}
    assert again.summary == "sent 0, already sent 12"
    assert again.frame["message_id"].equals(first.frame["message_id"])  # the original messages, replayed
    assert len(merge_sandbox.outbox()) == 12
    default_brand = mns.brands.current()["sid"]
    same_brand = mns.with_brand(default_brand).messages.send_df(df, **CONTENT, name="rerun", dry_run=False)
    assert same_brand.counts == {"already_sent": 12}  # the brand named or not, the keys are the same
    renamed = mns.messages.send_df(df, **CONTENT, name="rerun, second wave", dry_run=False)
    assert renamed.counts == {"sent": 12} and len(merge_sandbox.outbox()) == 24  # a new name is a new run


def test_a_pilot_then_the_rest(mns, merge_sandbox):
    df = customers(20)
    pilot = mns.messages.send_df(df, **CONTENT, name="pilot", dry_run=False, limit=5)
    assert pilot.summary == "sent 5, pending 15 (beyond limit=5)"
    assert pilot.frame["status"].tolist() == ["sent"] * 5 + ["pending"] * 15
    rest = mns.messages.send_df(df, **CONTENT, name="pilot", dry_run=False)
    assert rest.frame["status"].tolist() == ["already_sent"] * 5 + ["sent"] * 15
    assert len(merge_sandbox.outbox()) == 20 and set(sent_addresses(merge_sandbox).values()) == {1}


def test_ctrl_c_inside_the_send_loop_loses_nothing_and_a_rerun_sends_the_rest(mns, merge_sandbox):
    df = customers(300)

    def interrupt_at_100(done: int, total: int) -> None:
        if done == 100:
            raise KeyboardInterrupt

    with pytest.raises(MergeInterrupted) as info:
        mns.messages.send_df(df, **CONTENT, name="interrupted", dry_run=False, on_progress=interrupt_at_100)
    partial = info.value.result
    sent = partial.counts["sent"]
    assert 100 <= sent < 300 and partial.counts["pending"] == 300 - sent  # in-flight requests were let finish
    assert "pending" in partial.summary and "interrupted" in partial.summary
    assert "run the same call again" in str(info.value)
    assert len(merge_sandbox.outbox()) == sent  # what it reports is exactly what went out

    rest = mns.messages.send_df(df, **CONTENT, name="interrupted", dry_run=False)
    assert rest.counts == {"sent": 300 - sent, "already_sent": sent}
    assert (rest.frame["status"] == "already_sent").equals(partial.frame["status"] == "sent")
    outbox = sent_addresses(merge_sandbox)
    assert len(outbox) == 300 and set(outbox.values()) == {1}


CHILD = """
import sys
import pandas as pd
import nitrosend_nb as nb
df = pd.read_csv(sys.argv[1], index_col="order_id")
ns = nb.connect(progress=False)
ns.messages.send_df(df, subject=sys.argv[2], html=sys.argv[3], name="killed", dry_run=False)
print("finished")
"""


def test_a_process_killed_mid_run_loses_nothing_and_a_rerun_sends_the_rest(make_sandbox, tmp_path):
    sb = make_sandbox(seed=0, contacts=20, latency_ms=20)  # about 200 sends a second: killable midway
    sb.clear_outbox()
    df = customers(300)
    path = tmp_path / "customers.csv"
    df.to_csv(path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NITROSEND_")}
    env.update(NITROSEND_SANDBOX_URL=sb.url, NITROSEND_SANDBOX_KEY=sb.api_key)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), CONTENT["subject"], CONTENT["html"]],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    ns = nb.connect(sandbox=sb, progress=False)
    try:
        deadline = time.monotonic() + 60
        while len(sb.outbox()) < 100:
            assert child.poll() is None, child.stderr.read().decode()
            assert time.monotonic() < deadline, "the child never got to 100 sends"
            time.sleep(0.01)
        child.kill()  # SIGKILL: no handler, no clean-up, like a dead kernel
    finally:
        child.wait(10)
    time.sleep(0.3)  # requests the server had received when the child died are processed all the same
    before = len(sb.outbox())
    assert 100 <= before < 300, "killed mid-run"

    rest = ns.messages.send_df(df, **CONTENT, name="killed", dry_run=False)
    assert rest.counts == {"sent": 300 - before, "already_sent": before}
    outbox = sent_addresses(sb)
    assert len(outbox) == 300 and set(outbox.values()) == {1}


def test_under_5xx_lost_responses_and_429_no_row_is_doubled_or_lost_over_20_runs(make_sandbox):
    sb = make_sandbox(seed=3, contacts=10)
    sb.clear_outbox()
    ns = nb.connect(sandbox=sb, progress=False)
    messages_before = ns.messages.list(limit=1, source_type="all").total
    sb.configure(error_rate=0.3)  # 30% of requests answered 503 before processing

    def run(number: int) -> None:
        """A merge and its rerun, each meeting lost responses (processed, then answered 503: the transport
        retries under the same key) and 429s without Retry-After (the client's short backoff: compressed waits)."""
        df = customers(6, prefix=f"run{number}-")
        ns = nb.connect(sandbox=sb, progress=False)  # its own limiter: a 429 pauses this merge, not the others
        sb.inject_faults(count=2, status=503, when="after", path="/messages", method="POST")
        sb.inject_faults(count=1, status=429, when="before", path="/messages", method="POST")
        first = ns.messages.send_df(df, **CONTENT, name=f"faults-{number}", dry_run=False)
        assert first.counts == {"sent": 6}, first.frame[["status", "error"]]
        sb.inject_faults(count=1, status=503, when="after", path="/messages", method="POST")
        again = ns.messages.send_df(df, **CONTENT, name=f"faults-{number}", dry_run=False)
        assert again.counts == {"already_sent": 6}, again.frame[["status", "error"]]
        assert again.frame["message_id"].equals(first.frame["message_id"])

    with ThreadPoolExecutor(20) as lanes:  # the 20 merges at once, sharing the sandbox and its faults
        list(lanes.map(run, range(20)))
    sb.configure(error_rate=0.0)
    outbox = sent_addresses(sb)
    assert len(outbox) == 120 and set(outbox.values()) == {1}
    assert ns.messages.list(limit=1, source_type="all").total == messages_before + 120  # none beyond the emails


def test_a_row_failing_after_the_transports_retries_gets_another_round(merge_sandbox):
    ns = nb.connect(sandbox=merge_sandbox, progress=False, retries=1, concurrency=1)
    merge_sandbox.inject_faults(count=2, status=503, when="before", path="/messages", method="POST")
    result = ns.messages.send_df(customers(3), **CONTENT, name="second round", dry_run=False)
    assert result.counts == {"sent": 3} and len(merge_sandbox.outbox()) == 3


def test_an_account_refusing_every_send_stops_the_run(mns, merge_sandbox):
    merge_sandbox.inject_faults(count=1, status=401, when="before", path="/messages", method="POST")
    ns = nb.connect(sandbox=merge_sandbox, progress=False, concurrency=1)
    result = ns.messages.send_df(customers(5), **CONTENT, name="refused", dry_run=False)
    assert result.frame["status"].tolist() == ["failed"] + ["pending"] * 4
    assert "401" in result.frame["error"].iloc[0] and "stopped: POST /messages -> 401" in result.summary
    assert merge_sandbox.outbox() == []


def test_strict_rendering_reports_missing_variables_and_skips_those_rows(mns, merge_sandbox):
    contacts = mns.contacts.df()
    subscribed = contacts[contacts["subscribed_email"]]
    df = pd.DataFrame(
        {
            "email": [subscribed["email"].iloc[0], subscribed["email"].iloc[1], "stranger@example.test"],
            "plan": ["gold", None, "silver"],
            "nickname": [None, None, "Bo"],
        }
    )
    content = {
        "subject": "{{ contact.first_name }}, your {{ data.plan }} plan",
        "html": '<p>Hi {{ data.nickname | default: "friend" }}</p>',
    }
    preview = mns.messages.send_df(df, **content, name="strict")
    assert preview.frame["problem"].fillna("").tolist() == ["", "missing data.plan", "missing contact.first_name"]
    assert preview.frame["subject"].iloc[0] == f"{subscribed['first_name'].iloc[0]}, your gold plan"
    assert preview.summary == "would send 1, skip 2 (1 missing data.plan, 1 missing contact.first_name)"
    result = mns.messages.send_df(df, **content, name="strict", dry_run=False)
    assert result.frame["status"].tolist() == ["sent", "skipped", "skipped"]
    assert [email["to"] for email in merge_sandbox.outbox()] == [df["email"].iloc[0]]


def test_subject_length_and_empty_subjects_are_problems(mns):
    df = pd.DataFrame({"email": ["a@example.test", "b@example.test"], "title": ["x" * 999, " "]})
    preview = mns.messages.send_df(df, subject="{{ data.title }}", text="Hello")
    assert preview.frame["problem"].tolist() == [
        f"subject: renders to 999 characters; a subject may be at most {limits.MAX_SUBJECT_LENGTH} characters",
        "the subject renders empty",
    ]


def test_changed_content_under_the_same_name_is_a_conflict_not_a_second_email(mns, merge_sandbox):
    df = customers(4)
    mns.messages.send_df(df, **CONTENT, name="apology", dry_run=False, limit=2)
    changed = {**CONTENT, "subject": "Sorry, {{ data.first_name }}"}
    result = mns.messages.send_df(df, **changed, name="apology", dry_run=False)
    assert result.frame["status"].tolist() == ["conflict", "conflict", "sent", "sent"]
    assert "new name=" in result.frame["error"].iloc[0]
    assert "conflict 2 (content changed under the same keys: not sent)" in result.summary
    assert len(result.failed) == 2 and len(merge_sandbox.outbox()) == 4


def test_a_key_column_gives_each_rows_key(mns, merge_sandbox):
    df = customers(4).assign(ref=["r1", "r2", "r2", None])
    preview = mns.messages.send_df(df, **CONTENT, key="ref", name="keyed")
    assert preview.frame["key"].tolist() == ["r1", "r2", "r2", pd.NA]
    assert preview.frame["problem"].fillna("").tolist() == [
        "",
        "",
        "duplicate key (first at row 'order-1001')",
        "no key",
    ]
    mns.messages.send_df(df, **CONTENT, key="ref", name="keyed", dry_run=False)
    again = mns.messages.send_df(df, **CONTENT, key="ref", name="keyed", dry_run=False)
    assert again.counts == {"already_sent": 2, "skipped": 2}
    renamed = mns.messages.send_df(df, **CONTENT, key="ref", name="renamed", dry_run=False)
    assert renamed.counts == {"conflict": 2, "skipped": 2}  # the keys identify the sends; the name tag changed
    assert len(merge_sandbox.outbox()) == 2


def test_live_mode_sends_only_with_the_confirmed_count(merge_sandbox):
    live = nb.connect(api_key=merge_sandbox.api_key, base_url=merge_sandbox.url, progress=False)
    assert live.mode == "live"
    df = customers(6)
    with pytest.raises(ValueError, match=r"live mode: this call sends 6 real email\(s\).*confirm=6"):
        live.messages.send_df(df, **CONTENT, name="live", dry_run=False)
    with pytest.raises(ValueError, match="confirm=5 does not match the 6 email"):
        live.messages.send_df(df, **CONTENT, name="live", dry_run=False, confirm=5)
    assert merge_sandbox.outbox() == []
    with pytest.raises(ValueError, match="confirm=6 does not match the 2"):
        live.messages.send_df(df, **CONTENT, name="live", dry_run=False, limit=2, confirm=6)
    assert live.messages.send_df(df, **CONTENT, name="live", dry_run=False, confirm=6).counts == {"sent": 6}
    assert len(merge_sandbox.outbox()) == 6


def test_a_test_to_yourself_is_personalised_marked_and_sent_once(mns, merge_sandbox):
    contacts = mns.contacts.df()
    contact, other = contacts[contacts["subscribed_email"]].iloc[2], contacts[contacts["subscribed_email"]].iloc[3]
    df = pd.DataFrame({"email": [contact["email"], other["email"]], "amount": ["£5", "£6"]})
    content = {"subject": "{{ contact.first_name }}: {{ data.amount }}", "html": "<p>{{ '{{' }} literal</p>"}
    preview = mns.messages.send_df(df, **content, name="tested", test_to="me@acme.test")
    assert preview.summary == "would send 1 to me@acme.test as tests, hold 1 (beyond limit=1)"
    result = mns.messages.send_df(df, **content, name="tested", test_to="me@acme.test", dry_run=False)
    assert result.frame["status"].tolist() == ["sent", "pending"]
    assert result.summary == "sent 1 test(s) to me@acme.test (marked [Test]; no recipient got one)"
    (email,) = merge_sandbox.outbox()
    assert email["to"] == "me@acme.test" and email["subject"] == f"[Test] {contact['first_name']}: £5"
    assert "{{ literal" in email["text"]  # rendered once, as the recipient would see it
    message = mns.messages.get(result.frame["message_id"].iloc[0])
    assert message["to"] == "me@acme.test"
    repeated = mns.messages.send_df(df, **content, name="tested", test_to="me@acme.test", dry_run=False)
    assert repeated.counts == {"already_sent": 1, "pending": 1} and len(merge_sandbox.outbox()) == 1


def test_a_template_test_goes_through_send_test(mns, merge_sandbox):
    template = mns.templates.create(
        name="Refund", subject="Refund {{ data.amount }} for {{ contact.first_name }}", body="<p>Hi</p>"
    )
    contacts = mns.contacts.df()
    contact = contacts[contacts["subscribed_email"]].iloc[0]
    df = pd.DataFrame({"email": [contact["email"]], "amount": ["£9"]})
    result = mns.messages.send_df(
        df, template_id=template["id"], name="template test", test_to="me@acme.test", dry_run=False
    )
    assert result.counts == {"sent": 1}
    (email,) = merge_sandbox.outbox()
    assert email["kind"] == "test" and email["subject"] == f"[Test] Refund £9 for {contact['first_name']}"
    tests = mns.messages.df(source_type="test")
    assert result.frame["message_id"].iloc[0] in tests.index  # marked by the service: source_type test
    real = mns.messages.send_df(df, template_id=template["id"], name="template test", dry_run=False)
    assert real.counts == {"sent": 1} and merge_sandbox.outbox()[-1]["to"] == contact["email"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"to": "mail"}, "to='mail' is not a column of the DataFrame (its columns: 'email', 'first_name'"),
        ({"data": ["nope"]}, "data='nope' is not a column"),
        ({"key": "nope"}, "key='nope' is not a column"),
        ({"subject": None}, "send_df needs content"),
        ({"html": None}, "send_df needs a body"),
        ({"template_id": 1}, "template_id= sends the template as stored (subject, body, sender); subject, html"),
        ({"subject": "{% if x %}"}, "Liquid error on line 1"),
        ({"name": " "}, "name= names the run"),
        ({"tags": ["a"]}, "tags must be a dict"),
        ({"limit": 0}, "limit must be a positive integer"),
    ],
)
def test_bad_arguments_are_refused_before_any_request(ns, arguments, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ns.messages.send_df(customers(2), **{**CONTENT, "name": "x", **arguments})


def test_a_liquid_syntax_error_names_the_field(ns):
    with pytest.raises(MergeError) as info:
        ns.messages.send_df(customers(2), subject="Hi", html="<p>\n{% if data.x %}</p>")
    assert info.value.field == "html" and info.value.line == 2


def test_sending_needs_a_name_and_a_test_needs_an_address(ns):
    with pytest.raises(ValueError, match="name= is required to send"):
        ns.messages.send_df(customers(2), **CONTENT, dry_run=False)
    with pytest.raises(ValueError, match="test_to must be one e-mail address"):
        ns.messages.send_df(customers(2), **CONTENT, test_to="me", dry_run=False)
    with pytest.raises(TypeError, match="pandas DataFrame"):
        ns.messages.send_df([{"email": "a@example.test"}], **CONTENT)


def test_cells_become_json_merge_data():
    assert json_value(np.int64(3)) == 3 and isinstance(json_value(np.int64(3)), int)
    assert json_value(np.float64(2.5)) == 2.5 and json_value(np.bool_(True)) is True
    assert json_value(pd.Timestamp("2026-11-01 12:00", tz="UTC")) == "2026-11-01T12:00:00+00:00"
    assert json_value(date(2026, 11, 1)) == "2026-11-01" and json_value(Decimal("12.10")) == "12.10"
    assert [json_value(v) for v in (None, np.nan, pd.NaT, pd.NA)] == [None] * 4
    assert json_value({"a": [np.int64(1), None]}) == {"a": [1, None]} and json_value("") == ""


def test_typed_columns_render_as_their_values(mns):
    df = pd.DataFrame(
        {
            "email": ["a@example.test"],
            "when": [pd.Timestamp("2026-11-01", tz="UTC")],
            "n": pd.array([3], dtype="Int64"),
            "vip": [True],
        }
    )
    preview = mns.messages.send_df(df, subject="{{ data.n }} {{ data.vip }} {{ data.when }}", text="x")
    assert preview.frame["subject"].iloc[0] == "3 true 2026-11-01T00:00:00+00:00"
