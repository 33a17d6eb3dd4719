"""Images over HTTP: ``POST /images`` by URL (remote, ``data:``, the sandbox's own), by bytes and by a direct
upload of purpose ``image`` or ``media_asset`` through the signed PUT; every answer an exact ImageAsset (the SDK's
type); real dimensions read from the file; every bound a clear 4xx."""

from __future__ import annotations

import base64
import io

import pytest
import requests
from PIL import Image
from sandbox_helpers import Api, assert_error, direct_upload
from todays_api import DIRECT_UPLOAD, IMAGE_ASSET, assert_today

from nitrosend_nb.sandbox import Sandbox, limits


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    """A real PNG of ``width`` x ``height`` pixels."""
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def data_url(data: bytes, content_type: str = "image/png") -> str:
    return f"data:{content_type};base64," + base64.b64encode(data).decode()


@pytest.fixture(scope="module")
def images():
    """One small sandbox for this module (every test adds its own images; none reads another's)."""
    with Sandbox(seed=0, contacts=10) as sb:
        yield Api(sb)


def ingest(api: Api, **body) -> dict:
    response = api.post("/images", json=body)
    assert response.status_code == 201, response.text
    assert_today(response.json(), IMAGE_ASSET, "ImageAsset", exact=True)
    return response.json()


def upload(api: Api, data: bytes, purpose: str, filename: str = "hero.png", content_type: str = "image/png") -> dict:
    """Declare, PUT the bytes to the signed URL, and return the DirectUpload."""
    declared = direct_upload(api, data, purpose, filename, content_type)
    assert_today(declared, DIRECT_UPLOAD, "DirectUpload")
    target = declared["direct_upload"]
    assert requests.put(target["url"], data=data, headers=target["headers"], timeout=10).status_code == 204
    return declared


def test_a_remote_url_is_recorded_with_its_file_name(images):
    asset = ingest(images, image_url="https://cdn.acme.test/spring/hero%20shot.jpg?v=2")
    assert asset["image_url"] == asset["media_url"] == "https://cdn.acme.test/spring/hero%20shot.jpg?v=2"
    assert (asset["media_kind"], asset["filename"], asset["content_type"]) == ("image", "hero shot.jpg", "image/jpeg")
    assert (asset["byte_size"], asset["width"], asset["height"]) == (0, None, None)  # never fetched
    named = ingest(images, image_url="https://cdn.acme.test/i/12345", filename="logo.webp")
    assert (named["filename"], named["content_type"]) == ("logo.webp", "image/webp")


def test_a_data_url_is_read_stored_and_served_with_its_real_size(images):
    picture = png(37, 21)
    asset = ingest(images, image_url=data_url(picture))
    assert (asset["width"], asset["height"], asset["byte_size"]) == (37, 21, len(picture))
    assert (asset["filename"], asset["content_type"]) == ("image.png", "image/png")
    served = requests.get(asset["image_url"], timeout=10)  # no key: the signed id in the URL is the authorisation
    assert served.status_code == 200 and served.content == picture
    assert served.headers["Content-Type"] == "image/png" and "sandbox" in served.headers["Content-Security-Policy"]
    again = ingest(images, image_url=asset["image_url"])  # the sandbox's own URL: read, not just recorded
    assert (again["width"], again["height"], again["byte_size"], again["filename"]) == (
        37,
        21,
        len(picture),
        "image.png",
    )
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"><rect width="120" height="40"/></svg>'
    drawn = ingest(images, image_data=base64.b64encode(svg).decode(), filename="badge.svg")
    assert (drawn["content_type"], drawn["width"], drawn["height"]) == ("image/svg+xml", 120, 40)


@pytest.mark.parametrize("purpose", ["image", "media_asset"])
def test_a_direct_upload_becomes_an_image_asset(images, purpose):
    picture = png(64, 48)
    declared = upload(images, picture, purpose)
    assert declared["direct_upload"]["url"].startswith(images.sb.root_url)
    asset = ingest(images, signed_id=declared["signed_id"])
    assert (asset["filename"], asset["byte_size"], asset["width"], asset["height"]) == (
        "hero.png",
        len(picture),
        64,
        48,
    )
    assert asset["signed_id"] == declared["signed_id"]
    assert requests.get(asset["image_url"], timeout=10).content == picture


def test_an_upload_serves_only_the_purpose_it_was_declared_for(images):
    image = upload(images, png(2, 2), "image")
    as_import = images.post("/imports", json={"signed_id": image["signed_id"]})
    assert "signed_id" in assert_error(as_import, 422)["validation_errors"]
    csv = b"email\na@example.com\n"
    declared = direct_upload(images, csv)
    target = declared["direct_upload"]
    assert requests.put(target["url"], data=csv, headers=target["headers"], timeout=10).status_code == 204
    as_image = images.post("/images", json={"signed_id": declared["signed_id"]})
    assert "not for image" in assert_error(as_image, 422)["validation_errors"]["signed_id"][0]
    csv_url = images.sb.root_url + f"/rails/active_storage/blobs/{declared['signed_id']}/people.csv"
    assert_error(requests.get(csv_url, timeout=10), 404)  # an import's file is never served
    never_put = direct_upload(images, png(3, 3), "image", "later.png", "image/png")
    assert (
        "never uploaded"
        in assert_error(images.post("/images", json={"signed_id": never_put["signed_id"]}), 422)["validation_errors"][
            "signed_id"
        ][0]
    )


def declare(api: Api, **blob) -> requests.Response:
    body = {"filename": "x.png", "byte_size": 10, "checksum": "A" * 22 + "==", "content_type": "image/png", **blob}
    return api.session.post(api.sb.root_url + "/v1/direct_uploads", json={"purpose": "image", "blob": body}, timeout=10)


def test_bounds_answer_a_clear_4xx(images):
    too_big = assert_error(declare(images, byte_size=limits.MAX_IMAGE_BYTES + 1), 422)["validation_errors"]
    assert f"{limits.MAX_IMAGE_BYTES:,} bytes for image uploads" in too_big["blob.byte_size"][0]
    not_a_picture = assert_error(declare(images, content_type="application/pdf"), 422)["validation_errors"]
    assert "image/png" in not_a_picture["blob.content_type"][0]
    refusals = {
        "image_url": [
            {"image_url": "ftp://cdn.acme.test/a.png"},
            {"image_url": "https://cdn.acme.test/brochure.pdf"},
            {"image_url": "https://cdn.acme.test/" + "a" * limits.MAX_URL_FIELD_LENGTH},
            {"image_url": "data:image/png;base64,@@@"},
            {"image_url": images.sb.root_url + "/rails/active_storage/blobs/forged/x.png"},
        ],
        "image": [
            {"image_url": data_url(b"plain text, not a picture", "text/plain")},
            {"image_data": base64.b64encode(png(2, 2)).decode(), "content_type": "image/jpeg"},  # not as declared
            {"image_data": base64.b64encode(png(8000, 6000, "1")).decode()},  # 48 million pixels
        ],
        "image_data": [{"image_data": "not base64!"}],
        "signed_id": [{"image_url": "https://cdn.acme.test/a.png", "signed_id": "x"}],
    }
    for field, bodies in refusals.items():
        for body in bodies:
            errors = assert_error(images.post("/images", json=body), 422)["validation_errors"]
            assert field in errors, (body, errors)
    assert "image_url" in assert_error(images.post("/images", json={}), 422)["validation_errors"]
    huge = base64.b64encode(b"\0" * limits.MAX_BODY_BYTES).decode()  # bytes in the body: the body's own limit
    assert_error(images.post("/images", json={"image_data": huge}), 413)
