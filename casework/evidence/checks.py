"""What evidence is accepted: photos and short recordings, identified from their bytes, images cleaned.

- Images: JPEG, PNG, WebP and HEIC/HEIF (iPhones; read with pillow-heif, kept as JPEG so every browser
  shows it). Each is decoded and re-encoded from its pixels with Pillow, so EXIF, XMP, GPS, camera
  make and model and embedded thumbnails are all left behind; the picture is first turned upright
  from its EXIF orientation. A small JPEG thumbnail is made for the staff page.
- Sound and video: MP3, M4A/AAC, AMR, MP4, 3GP, QuickTime and WebM, identified by ``filetype`` from
  their first bytes. They are kept as sent (not played on the staff page; opened as a download).
- Everything else (PDF, zip, programs, unknown bytes) is refused, whatever type it claims to be.
Size limits come from settings (MEDIA_MAX_IMAGE_MB, MEDIA_MAX_AV_MB).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import filetype
import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()
# A phone photo is at most ~50 megapixels; anything bigger is a decompression bomb, not evidence.
Image.MAX_IMAGE_PIXELS = 60_000_000

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/jpeg"}
AV_TYPES = {
    "audio/mpeg": "audio",
    "audio/mp4": "audio",
    "audio/aac": "audio",
    "audio/amr": "audio",
    "audio/ogg": "audio",
    "audio/x-wav": "audio",
    "video/mp4": "video",
    "video/x-m4v": "video",
    "video/3gpp": "video",
    "video/quicktime": "video",
    "video/webm": "video",
}
# Types a declared Content-Type may name for us to bother fetching (the bytes decide in the end).
DECLARED_OK = {"image/jpeg", "image/jpg", "image/png", "image/webp", "image/heic", "image/heif"}
DECLARED_OK |= set(AV_TYPES) | {"audio/amr-wb", "audio/3gpp", "audio/x-m4a", "audio/mp3", "audio/wav"}
ACCEPTED_WORDS = "photos (JPEG, PNG, HEIC or WebP) and short sound or video clips (MP3, M4A, AMR, MP4, 3GP)"
THUMB_SIZE = (320, 320)
MB = 1024 * 1024


class Refused(ValueError):
    """The file cannot be accepted; the message says why, in words a resident understands."""


@dataclass(frozen=True)
class Limits:
    """Largest accepted sizes, in bytes."""

    image: int
    av: int

    @property
    def largest(self) -> int:
        """The most any download or upload may be before it is known what it is."""
        return max(self.image, self.av)

    @classmethod
    def from_settings(cls, settings: object) -> Limits:
        """From MEDIA_MAX_IMAGE_MB and MEDIA_MAX_AV_MB."""
        return cls(
            image=int(getattr(settings, "MEDIA_MAX_IMAGE_MB", 10)) * MB,
            av=int(getattr(settings, "MEDIA_MAX_AV_MB", 20)) * MB,
        )


@dataclass(frozen=True)
class Checked:
    """An accepted file: what it is, the bytes to store (cleaned for images) and a thumbnail."""

    kind: str  # image | audio | video
    media_type: str
    data: bytes
    thumbnail: bytes | None = None


def declared_type_refusal(declared: str) -> str | None:
    """Why a file of this declared type will not be fetched (None when it may be what we accept)."""
    base = (declared or "").split(";")[0].strip().lower()
    if base in DECLARED_OK:
        return None
    return f"we can only accept {ACCEPTED_WORDS}"


def too_large(size: int, limits: Limits) -> str:
    """The refusal for a file over the largest limit."""
    return f"it is larger than {limits.largest // MB} MB"


def check_file(data: bytes, limits: Limits) -> Checked:
    """Identify the file from its bytes and accept it (cleaned) or raise Refused with the reason."""
    if not data:
        raise Refused("the file was empty")
    if len(data) > limits.largest:
        raise Refused(too_large(len(data), limits))
    guess = filetype.guess(data)
    mime = guess.mime if guess else ""
    if mime in AV_TYPES:
        return Checked(kind=AV_TYPES[mime], media_type=mime, data=data)
    if mime.startswith("image/") or mime in ("", "application/octet-stream"):
        return _check_image(data, limits)
    raise Refused(f"we can only accept {ACCEPTED_WORDS}")


def _check_image(data: bytes, limits: Limits) -> Checked:
    if len(data) > limits.image:
        raise Refused(f"the photo is larger than {limits.image // MB} MB")
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format or ""
            if fmt not in IMAGE_FORMATS:
                raise Refused(f"we can only accept {ACCEPTED_WORDS}")
            img.load()
            upright = ImageOps.exif_transpose(img)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, Refused):
            raise
        raise Refused(f"we could not open it: we can only accept {ACCEPTED_WORDS}") from exc
    media_type = IMAGE_FORMATS[fmt]
    clean = _pixels_only(upright, keep_alpha=media_type != "image/jpeg")
    out = io.BytesIO()
    if media_type == "image/jpeg":
        clean.save(out, format="JPEG", quality=90, optimize=True)
    elif media_type == "image/png":
        clean.save(out, format="PNG", optimize=True)
    else:
        clean.save(out, format="WEBP", quality=90)
    return Checked(kind="image", media_type=media_type, data=out.getvalue(), thumbnail=_thumbnail(clean))


def _pixels_only(img: Image.Image, *, keep_alpha: bool) -> Image.Image:
    """A new image holding only the pixels: no EXIF, XMP, GPS, ICC comments or embedded previews."""
    has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
    mode = "RGBA" if keep_alpha and has_alpha else ("L" if img.mode in ("L", "1") else "RGB")
    converted = img.convert(mode)
    return Image.frombytes(mode, converted.size, converted.tobytes())


def _thumbnail(img: Image.Image) -> bytes:
    small = img.convert("RGB")
    small.thumbnail(THUMB_SIZE)
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=80)
    return out.getvalue()
