"""Today's API, the last mile, through the client: ``ns.images`` (ingest by URL, upload through the direct-upload
flow), the plan and reach fits as frames, the full brand frame, the import spec's shape, and inbound replies
(``ns.inbox.reply``) arriving as verified ``email.received`` events in the listener and the deliveries log."""

from __future__ import annotations

import base64
import io

import pandas as pd
import pytest
from PIL import Image
from todays_api import BRAND, IMAGE_ASSET, IMPORT_POLICY, PLAN_FIT, assert_today

import nitrosend_nb as nb


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#4f46e5").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def small_ns(make_sandbox):
    """A client on a small sandbox this test may write to, its webhook schedule 600x faster."""
    with nb.connect(sandbox=make_sandbox(contacts=10, webhook_time_scale=600), progress=False) as client:
        yield client


# ------------------------------------------------------------------------------------------------ images
def test_ingest_by_url_and_data_url(small_ns):
    remote = small_ns.images.ingest("https://cdn.acme.test/spring/hero.jpg")
    assert_today(remote, IMAGE_ASSET, "ImageAsset", exact=True)
    assert (remote["filename"], remote["image_url"], remote["width"]) == (
        "hero.jpg",
        "https://cdn.acme.test/spring/hero.jpg",
        None,
    )
    inline = small_ns.images.ingest("data:image/png;base64," + base64.b64encode(png(5, 4)).decode(), filename="d.png")
    assert (inline["filename"], inline["width"], inline["height"]) == ("d.png", 5, 4)
    for bad in ("ftp://x.test/a.png", "", None, "cdn.acme.test/a.png"):
        with pytest.raises(ValueError, match="http, https or data: URL"):
            small_ns.images.ingest(bad)
    with pytest.raises(nb.ValidationError) as refused:
        small_ns.images.ingest("https://cdn.acme.test/brochure.pdf")
    assert "image_url" in refused.value.validation_errors


def test_upload_bytes_or_a_path_through_the_direct_upload_flow(small_ns, tmp_path):
    data = png(120, 80)
    asset = small_ns.images.upload(data)
    assert_today(asset, IMAGE_ASSET, "ImageAsset", exact=True)
    assert (asset["filename"], asset["content_type"], asset["byte_size"]) == ("image.png", "image/png", len(data))
    assert (asset["width"], asset["height"]) == (120, 80) and asset["image_url"].startswith(small_ns.inbox_url[:20])
    path = tmp_path / "logo.png"
    path.write_bytes(png(30, 10))
    from_path = small_ns.images.upload(path, purpose="media_asset")
    assert (from_path["filename"], from_path["width"], from_path["height"]) == ("logo.png", 30, 10)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="16"></svg>'
    assert small_ns.images.upload(svg, filename="badge.svg")["content_type"] == "image/svg+xml"


@pytest.mark.parametrize("fmt,content_type", [("GIF", "image/gif"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")])
def test_each_picture_type_is_recognised_from_its_bytes_as_the_server_reads_it(small_ns, fmt, content_type):
    buffer = io.BytesIO()
    Image.new("RGB", (9, 7), "#4f46e5").save(buffer, fmt)
    asset = small_ns.images.upload(buffer.getvalue())
    assert (asset["content_type"], asset["width"], asset["height"]) == (content_type, 9, 7)
    assert asset["filename"] == "image" + {"GIF": ".gif", "JPEG": ".jpg", "WEBP": ".webp"}[fmt]


def test_upload_refuses_what_is_not_a_picture_before_sending_and_surfaces_the_servers_bounds(small_ns):
    for data, words in ((b"", "empty"), (b"email\na@b.co\n", "not a PNG"), (b"%PDF-1.7", "not a PNG")):
        with pytest.raises(ValueError, match=words):
            small_ns.images.upload(data)
    with pytest.raises(ValueError, match="purpose"):
        small_ns.images.upload(png(1, 1), purpose="import")
    with pytest.raises(TypeError):
        small_ns.images.upload(12)
    too_big = b"\x89PNG\r\n\x1a\n" + bytes(5 * 1024 * 1024)
    with pytest.raises(nb.ValidationError) as refused:
        small_ns.images.upload(too_big)
    assert "blob.byte_size" in refused.value.validation_errors


# ---------------------------------------------------------------------------------------- account, brands, imports
def test_plan_and_reach_fits_as_frames(ns):
    plan = ns.account.plan()
    billing = ns.account.get()["billing"]
    assert list(plan.index) == [billing["plan"]["id"]] and plan.loc[billing["plan"]["id"], "slug"] == "pro"
    assert plan["emails_per_month"].item() == billing["resources"]["email"]["allowance"]
    remaining = billing["resources"]["email"]["remaining"]
    fits = ns.account.reach_fits(remaining + 1)
    assert list(fits.index) == ["current", "recommended"] and fits.index.name == "role"
    assert list(fits.columns) == list(PLAN_FIT)
    assert fits.loc["current", "covers"] == False and pd.isna(fits.loc["current", "days_to_reach"])  # noqa: E712
    assert fits.loc["recommended", "slug"] == "ultra" and fits.loc["recommended", "covers"] == True  # noqa: E712
    assert str(fits["days_to_reach"].dtype) == "Int64" and "Ultra plan covers it" in fits.attrs["summary"]
    covered = ns.account.reach_fits(10)
    assert list(covered.index) == ["current"] and covered.attrs["summary"] is None


def test_the_brand_frame_has_every_field_of_todays_brand(ns):
    brands = ns.brands.df()
    flat = {name for name in BRAND if name not in ("sid", "onboarding")}
    assert flat | {"onboarding.steps", "onboarding.progress.completed", "onboarding.progress.total"} <= set(
        brands.columns
    )
    assert not {"tone", "style_notes", "using_sandbox"} & set(brands.columns)
    default = brands.iloc[0]
    assert default["onboarding.progress.completed"] == sum(
        state == "complete" for state in default["onboarding.steps"].values()
    )
    assert str(brands["heading_size"].dtype) == "Int64" and str(brands["last_scraped_at"].dtype).startswith("datetime")
    assert brands["spacing_density"].dtype.name == "category" and default["effective_from_email"]


def test_the_import_spec_has_todays_shape(ns):
    spec = ns.imports.spec()
    assert set(spec) == {"resource", "parser", "ui", "required_rules", "fields", "guardrails"}
    assert_today(spec["guardrails"], IMPORT_POLICY, "ImportPolicy", exact=True)


# ------------------------------------------------------------------------------------------------ replies
def test_a_reply_arrives_verified_and_flattened_in_the_listener_and_the_log(small_ns):
    with nb.webhook_listener() as listener:
        hook = small_ns.webhooks.create(listener.url, ["email.received"])
        listener.secret = hook["secret"]
        sent = small_ns.messages.send(to="ada@example.com", subject="Your order", html="<p>Shipped</p>")
        stored = small_ns.inbox.reply(
            sent["id"],
            "When will it arrive?",
            attachments=[{"filename": "photo.jpg", "content_type": "image/jpeg", "size": 1234}],
        )
        row = listener.wait_for(1, timeout=10).iloc[0]
    assert (row["type"], row["message_id"], row["from"], row["text"]) == (
        "email.received",
        sent["id"],
        "ada@example.com",
        "When will it arrive?",
    )
    assert (row["truncated"], row["auto_submitted"], row["conversation_id"]) == (
        False,
        False,
        stored["conversation_id"],
    )
    assert row["attachments"][0]["filename"] == "photo.jpg" and row["attachments"][0]["scanned"] is True
    log = small_ns.webhooks.deliveries(hook["id"]).df()
    entry = log.iloc[0]
    assert (entry["event_type"], entry["from"], entry["conversation_message_id"]) == (
        "email.received",
        "ada@example.com",
        stored["conversation_message_id"],
    )
    assert str(log["truncated"].dtype) == "boolean" and str(log["received_at"].dtype).startswith("datetime")
    thread = small_ns.inbox.get(small_ns.inbox.search(f"to:{sent['to']}")[0]["id"])["replies"]
    assert [reply["text"] for reply in thread] == ["When will it arrive?"]


def test_a_reply_needs_a_sandbox_and_a_message():
    live = nb.Nitrosend("nskey_live_example0000000001", "http://127.0.0.1:9/v1/my")
    with pytest.raises(nb.NitrosendError, match="sandbox mode"):
        live.inbox.reply(1, "hi")
    with pytest.raises(ValueError):
        live.inbox.reply("first", "hi")
