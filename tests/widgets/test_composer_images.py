"""TemplateComposer's image chooser against a real sandbox: a picture chosen in the FileUpload goes up through
``ns.images.upload`` and its ``<img>`` lands in the body, the preview and the email sent; what is refused says so
and changes nothing."""

from __future__ import annotations

import html
import io

import requests
from PIL import Image


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#6f4e37").save(buffer, "PNG")
    return buffer.getvalue()


def choose(composer, data: bytes, name: str) -> None:
    """What the browser sends when a file is chosen in the FileUpload: its state message, deserialised by
    ipywidgets as a kernel receives it."""
    chosen = {"name": name, "type": "image/png", "size": len(data), "content": memoryview(data)}
    composer.image_upload.set_state({"value": [{**chosen, "last_modified": 1_767_225_600_000}]})


def test_a_chosen_picture_is_uploaded_inserted_previewed_and_sent(ns, sb):
    composer = ns.template_composer()
    composer.name.value, composer.subject.value, composer.body.value = "Spring", "Spring beans", "<p>New in:</p>"
    data = png(240, 120)
    choose(composer, data, "beans.png")
    body = composer.body.value
    assert body.startswith('<p>New in:</p><img src="') and 'width="240"' in body
    src = html.unescape(body.split('src="')[1].split('"')[0])
    assert requests.get(src, timeout=10).content == data  # the sandbox serves the uploaded bytes there
    assert "beans.png (240 x 120 px)" in composer.status.value and composer.image_upload.value == ()
    composer.refresh_preview()
    assert f'src="{src}"' in html.unescape(composer.preview.value)  # the preview's sandboxed iframe shows it
    composer.recipients.value = "qa@acme.test"
    composer.test_button.click()
    [email] = sb.outbox()
    assert src in email["html"]


def test_a_wide_picture_is_shown_at_most_600_px_wide(ns):
    composer = ns.template_composer()
    choose(composer, png(1200, 300), "banner.png")
    assert 'width="600"' in composer.body.value and "max-width:100%" in composer.body.value


def test_a_file_that_is_not_a_picture_or_too_big_changes_nothing(ns):
    composer = ns.template_composer()
    composer.body.value = "<p>Hi</p>"
    choose(composer, b"email\nada@example.com\n", "people.csv")
    assert composer.body.value == "<p>Hi</p>" and "people.csv was not inserted" in composer.status.value
    choose(composer, b"\x89PNG\r\n\x1a\n" + bytes(5 * 1024 * 1024), "huge.png")  # the server's bound: a 422
    assert composer.body.value == "<p>Hi</p>" and "byte_size" in composer.status.value


def test_beside_a_design_a_picture_is_uploaded_but_kept_out_of_the_plain_text_part(ns):
    composer = ns.template_composer(1)  # seeded "Welcome": the design makes the HTML, the field is plain text
    data = png(240, 120)
    asset = composer.insert_image(data, "beans.png")
    assert composer.body.value == ""  # no <img> in the plain-text part
    assert requests.get(asset["image_url"], timeout=10).content == data
    status = html.unescape(composer.status.value)
    assert f"beans.png (240 x 120 px): {asset['image_url']}" in status and "image sections" in status
    assert "plain-text part was left as it is" in status and "image section" in composer.image_upload.tooltip
    composer.close()
