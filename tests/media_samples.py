"""Small sample files for evidence tests, made on the spot (no binary fixtures in the repository)."""

from __future__ import annotations

import io
import zipfile

from PIL import Image
from PIL.ExifTags import GPS, IFD, Base

GPS_LATITUDE = (52.0, 40.0, 57.0)  # Lichfield, roughly


def jpeg_with_gps(size: tuple[int, int] = (1200, 900)) -> bytes:
    """A JPEG carrying GPS position, camera make and model and an XMP packet, as phones write them."""
    img = Image.new("RGB", size, (180, 40, 40))
    exif = Image.Exif()
    exif[Base.Make] = "PhoneMaker"
    exif[Base.Model] = "Phone 15 Pro"
    exif[Base.Orientation] = 1
    exif[IFD.GPSInfo] = {
        GPS.GPSLatitudeRef: "N",
        GPS.GPSLatitude: GPS_LATITUDE,
        GPS.GPSLongitudeRef: "W",
        GPS.GPSLongitude: (1.0, 49.0, 35.0),
    }
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>'
        b"<exif:GPSLatitude>52,40.95N</exif:GPSLatitude></rdf:RDF></x:xmpmeta>"
    )
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes(), xmp=xmp, quality=85)
    return out.getvalue()


def png() -> bytes:
    """A small PNG with transparency."""
    out = io.BytesIO()
    Image.new("RGBA", (64, 48), (0, 100, 0, 128)).save(out, format="PNG")
    return out.getvalue()


def webp() -> bytes:
    """A small WebP."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (0, 0, 200)).save(out, format="WEBP")
    return out.getvalue()


def zip_file() -> bytes:
    """A zip archive."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("photos/readme.txt", "not a photo")
    return out.getvalue()


def pdf() -> bytes:
    """The start of a PDF."""
    return b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b"0" * 200


def exe() -> bytes:
    """The start of a Windows program."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 300


def mp4(size: int = 4096) -> bytes:
    """Bytes that start like an MP4 video (ftyp box, isom brand), padded to ``size``."""
    head = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"
    return head + b"\x00\x00\x00\x08free" + b"\x00" * max(0, size - len(head) - 8)


def amr() -> bytes:
    """An AMR voice note header and a few frames."""
    return b"#!AMR\n" + b"\x3c" + b"\x00" * 400
