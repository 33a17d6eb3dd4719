"""CampaignLauncher against a real sandbox: audience sizes, launch, locked campaigns, live-mode name check."""

from __future__ import annotations

import re

from nitrosend_nb.widgets import CampaignLauncher

DRAFT = 10  # "VIP tasting invite", a seeded draft e-mail campaign
SENT = 1  # "Spring sale", seeded as completed


def campaign_emails(sb, campaign_id: int) -> list[dict]:
    return [e for e in sb.outbox() if e["kind"] == "campaign" and e["campaign_id"] == campaign_id]


def sizes(ns) -> dict[int, int]:
    return {item["id"]: item["contacts_count"] for item in ns.lists.list(limit=100)}


def test_summary_and_live_audience_sizes(ns):
    launcher = ns.campaign_launcher(DRAFT)
    campaign = ns.campaigns.get(DRAFT)
    assert campaign["name"] in launcher.summary.value and "draft" in launcher.summary.value
    assert "none chosen" in launcher.audience_size.value and launcher.launch_button.disabled

    list_sizes = sizes(ns)
    launcher.lists.value = (2, 3)
    assert f"{list_sizes[2] + list_sizes[3]:,} contact(s)" in launcher.audience_size.value
    assert not launcher.launch_button.disabled

    segment = next(s for s in ns.segments.list() if s["name"] == "VIP customers")
    launcher.segment.value = segment["id"]
    assert launcher.lists.value == ()  # one kind of audience at a time
    assert f"{ns.segments.count(segment['filters']):,} contact(s)" in launcher.audience_size.value

    launcher.all_contacts.value = True
    assert f"{ns.contacts.list(limit=1).total:,} contact(s)" in launcher.audience_size.value
    assert launcher.audience() == {"all_contacts": True}


def test_launch_sends_to_the_chosen_list_once(ns, sb):
    launcher = CampaignLauncher(ns, DRAFT)
    launcher.lists.value = (3,)
    launcher.launch_button.click()
    campaign = ns.campaigns.get(DRAFT)
    assert campaign["status"] == "completed" and campaign["sent_count"] > 0
    assert f"status completed, {campaign['sent_count']:,} e-mail(s) sent" in launcher.status.text
    assert launcher.locked and launcher.launch_button.disabled
    assert "Already sent" in launcher.summary.value

    launcher.launch_button.click()
    launcher.launch_button._click_handlers(launcher.launch_button)
    assert "already sent" in launcher.status.text
    assert len(campaign_emails(sb, DRAFT)) == campaign["sent_count"] == ns.campaigns.get(DRAFT)["sent_count"]


def test_launch_without_an_audience_sends_nothing(ns, sb):
    launcher = CampaignLauncher(ns, DRAFT)
    launcher.launch_button._click_handlers(launcher.launch_button)  # even if the disabled button fires
    assert sb.outbox() == [] and ns.campaigns.get(DRAFT)["status"] == "draft"
    assert "never goes to everyone" in launcher.errors.messages()["audience"]


def test_an_already_sent_campaign_cannot_be_launched(ns, sb):
    launcher = CampaignLauncher(ns, SENT)
    assert "Already sent" in launcher.summary.value and launcher.launch_button.disabled
    assert launcher.lists.disabled and launcher.all_contacts.disabled
    launcher.launch_button._click_handlers(launcher.launch_button)
    assert sb.outbox() == [] and "already sent" in launcher.status.text


def test_live_mode_launch_needs_the_exact_campaign_name(live_ns, sb):
    launcher = live_ns.campaign_launcher(DRAFT)
    name = live_ns.campaigns.get(DRAFT)["name"]
    assert launcher.confirm_name.layout.display != "none"
    launcher.lists.value = (3,)
    assert launcher.launch_button.disabled
    for attempt in ("", name.lower(), name + " "):
        launcher.confirm_name.value = attempt
        assert launcher.launch_button.disabled
        launcher.launch_button._click_handlers(launcher.launch_button)
        assert sb.outbox() == []
    assert "exact name" in launcher.errors.messages()["confirm_name"]
    launcher.confirm_name.value = name
    assert not launcher.launch_button.disabled
    launcher.launch_button.click()
    assert len(campaign_emails(sb, DRAFT)) == live_ns.campaigns.get(DRAFT)["sent_count"] > 0


def test_a_lost_launch_response_is_reconciled_and_never_resent(ns, sb):
    launcher = CampaignLauncher(ns, DRAFT)
    launcher.lists.value = (3,)
    sb.inject_faults(count=1, status=501, when="after", method="POST")
    launcher.launch_button.click()
    sent = ns.campaigns.get(DRAFT)["sent_count"]
    assert sent > 0 and "did go out" in launcher.status.text
    assert launcher.locked and launcher.launch_button.disabled
    launcher.launch_button._click_handlers(launcher.launch_button)
    assert len(campaign_emails(sb, DRAFT)) == sent


def test_send_test_of_the_campaign_content(ns, sb):
    launcher = CampaignLauncher(ns, DRAFT)
    launcher.recipients.value = "qa@acme.test, nope"
    launcher.test_button.click()
    assert sb.outbox() == [] and "'nope'" in launcher.errors.messages()["recipients"]
    launcher.recipients.value = "qa@acme.test"
    launcher.test_button.click()
    launcher.test_button.click()
    [email] = sb.outbox()
    assert email["kind"] == "test" and email["to"] == "qa@acme.test"
    assert ns.campaigns.get(DRAFT)["status"] == "draft"  # a test is not a launch
    assert "already went out" in launcher.status.text and launcher.status.kind == "success"


def test_a_test_after_the_content_changed_is_sent_again_with_the_new_content(ns, sb):
    launcher = CampaignLauncher(ns, DRAFT)
    launcher.recipients.value = "qa@acme.test"
    launcher.test_button.click()
    ns.templates.update(launcher.campaign["template"]["id"], subject="Edited after opening")
    launcher.test_button.click()
    assert [email["subject"] for email in sb.outbox()][1] == "[Test] Edited after opening"
    assert len(sb.outbox()) == 2


def test_a_campaign_without_content_reports_the_server_checks(ns, sb):
    draft = ns.campaigns.create(name="December newsletter")
    launcher = ns.campaign_launcher(draft["id"])
    assert launcher.test_button.disabled and "(no subject)" in launcher.summary.value
    launcher.lists.value = (3,)
    launcher.launch_button.click()
    assert sb.outbox() == [] and not launcher.locked and not launcher.launch_button.disabled
    assert "template_attributes.subject: is required" in launcher.status.text


def test_unknown_campaign(ns):
    launcher = CampaignLauncher(ns, 9999)
    assert launcher.locked and launcher.launch_button.disabled and launcher.test_button.disabled
    assert "Not found" in launcher.status.text


def test_a_cancelled_campaign_cannot_be_launched_and_says_why(ns, sb):
    cancelled = ns.campaigns.create(name="Called off")
    ns.campaigns.update(cancelled["id"], status="cancelled")
    launcher = ns.campaign_launcher(cancelled["id"])
    assert launcher.locked and launcher.launch_button.disabled and launcher.lists.disabled
    assert "Cancelled: launch is disabled" in launcher.summary.value
    assert "is cancelled; only a draft, scheduled or paused campaign" in launcher.status.text
    launcher.launch()
    assert sb.outbox() == [] and ns.campaigns.get(cancelled["id"])["status"] == "cancelled"


def test_a_scheduled_campaign_can_be_launched(ns):
    ns.campaigns.update(DRAFT, scheduled_at="2030-01-01T09:00:00Z")
    launcher = ns.campaign_launcher(DRAFT)
    assert launcher.campaign["status"] == "scheduled" and not launcher.locked


def test_a_test_shows_each_recipients_status_and_refusal(ns, sb):
    launcher = CampaignLauncher(ns, DRAFT)
    launcher.recipients.value = "qa@acme.test, nobody@bounce.invalid"
    result = launcher.send_test()
    assert [(r["email"], r["status"]) for r in result["results"]] == [
        ("qa@acme.test", "delivered"),
        ("nobody@bounce.invalid", "failed"),
    ]
    assert [e["to"] for e in sb.outbox()] == ["qa@acme.test"]
    text = launcher.status.text
    assert launcher.status.kind == "error" and "sent to 1 of 2 recipient(s)" in text
    assert re.search(r"qa@acme\.test\s+delivered\s+message #\d+", text)
    assert re.search(r"nobody@bounce\.invalid\s+failed\s+invalid_recipient: ", text)
