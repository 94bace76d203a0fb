"""What evidence is accepted: identified from the bytes, images cleaned of location and camera data."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from casework.evidence import Limits, Refused, check_file
from tests import media_samples as samples

LIMITS = Limits(image=10 * 1024 * 1024, av=20 * 1024 * 1024)


def test_a_phone_photo_loses_its_gps_camera_and_xmp_but_keeps_its_picture() -> None:
    original = samples.jpeg_with_gps()
    before = Image.open(io.BytesIO(original))
    assert before.getexif().get_ifd(0x8825), "the sample must carry GPS for the test to mean anything"
    assert b"PhoneMaker" in original and b"exif:GPSLatitude" in original

    checked = check_file(original, LIMITS)

    assert checked.kind == "image" and checked.media_type == "image/jpeg"
    after = Image.open(io.BytesIO(checked.data))
    assert dict(after.getexif()) == {}
    assert "exif" not in after.info and "xmp" not in after.info
    assert b"PhoneMaker" not in checked.data and b"GPSLatitude" not in checked.data
    assert after.size == before.size
    r, g, b = after.getpixel((10, 10))  # type: ignore[misc]
    assert abs(r - 180) < 8 and abs(g - 40) < 8 and abs(b - 40) < 8


def test_a_thumbnail_is_a_small_jpeg() -> None:
    checked = check_file(samples.jpeg_with_gps(), LIMITS)
    assert checked.thumbnail is not None
    thumb = Image.open(io.BytesIO(checked.thumbnail))
    assert thumb.format == "JPEG" and max(thumb.size) <= 320


@pytest.mark.parametrize(
    ("make", "media_type"),
    [
        (samples.png, "image/png"),
        (samples.webp, "image/webp"),
        (samples.mp4, "video/mp4"),
        (samples.amr, "audio/amr"),
    ],
)
def test_accepted_kinds_are_identified_from_their_bytes(make, media_type) -> None:  # type: ignore[no-untyped-def]
    assert check_file(make(), LIMITS).media_type == media_type


def test_an_iphone_heic_photo_is_kept_as_a_jpeg_every_browser_shows() -> None:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (9, 9, 9)).save(out, format="HEIF")
    checked = check_file(out.getvalue(), LIMITS)
    assert checked.media_type == "image/jpeg"
    assert Image.open(io.BytesIO(checked.data)).format == "JPEG"


@pytest.mark.parametrize("make", [samples.zip_file, samples.pdf, samples.exe, lambda: b"just some text"])
def test_anything_else_is_refused_whatever_it_claims_to_be(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Refused, match="we can only accept photos"):
        check_file(make(), LIMITS)


def test_a_30_mb_video_is_refused_as_too_large() -> None:
    with pytest.raises(Refused, match="larger than 20 MB"):
        check_file(samples.mp4(30 * 1024 * 1024), LIMITS)


def test_a_photo_over_the_image_limit_is_refused() -> None:
    small = Limits(image=len(samples.jpeg_with_gps()) - 1, av=20 * 1024 * 1024)
    with pytest.raises(Refused, match="photo is larger than"):
        check_file(samples.jpeg_with_gps(), small)


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(Refused, match="empty"):
        check_file(b"", LIMITS)
