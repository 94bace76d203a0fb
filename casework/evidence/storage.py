"""Where evidence files live: one small port, two adapters.

``LocalStorage`` keeps files under MEDIA_DIR (``var/media/`` by default); ``S3Storage`` uses any
S3-compatible object store (AWS S3, MinIO, Ceph, a council's own) through boto3, configured by
MEDIA_S3_ENDPOINT_URL, MEDIA_S3_BUCKET, MEDIA_S3_REGION, MEDIA_S3_ACCESS_KEY_ID and
MEDIA_S3_SECRET_ACCESS_KEY. Keys are random (``new_key``); a resident's file name never reaches a path.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any, Protocol

from casework.core.settings import ConfigurationError, Settings

KEY_PATTERN = re.compile(r"^[a-z]{1,8}/[A-Za-z0-9_-]{20,64}$")


class StoredFileMissing(Exception):
    """The stored object is not there (deleted, or the store was changed)."""


class Storage(Protocol):
    """Put, get and delete bytes under a key made by ``new_key``."""

    def put(self, key: str, data: bytes, media_type: str) -> None:
        """Store ``data`` under ``key`` (replacing anything there)."""

    def get(self, key: str) -> bytes:
        """The bytes under ``key``; StoredFileMissing when there are none."""

    def delete(self, key: str) -> None:
        """Remove ``key``; nothing happens when it is already gone."""


def new_key(prefix: str) -> str:
    """A fresh random key such as ``img/3k9...``: nothing of the file or its sender in it."""
    return f"{prefix}/{secrets.token_urlsafe(24)}"


def _checked(key: str) -> str:
    if not KEY_PATTERN.match(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalStorage:
    """Files on the local disk, under one root directory (created on first use, private to the user)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    def put(self, key: str, data: bytes, media_type: str) -> None:
        """Write atomically (temporary file, then rename)."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(data)
        os.chmod(tmp, 0o600)
        tmp.replace(path)

    def get(self, key: str) -> bytes:
        """Read the file."""
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise StoredFileMissing(key) from exc

    def delete(self, key: str) -> None:
        """Remove the file if it is there."""
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    """Objects in an S3-compatible bucket (server-side encryption requested where the store offers it)."""

    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def put(self, key: str, data: bytes, media_type: str) -> None:
        """PutObject, private, with the identified media type."""
        self.client.put_object(Bucket=self.bucket, Key=_checked(key), Body=data, ContentType=media_type)

    def get(self, key: str) -> bytes:
        """GetObject."""
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=_checked(key))
        except self.client.exceptions.NoSuchKey as exc:
            raise StoredFileMissing(key) from exc
        return bytes(response["Body"].read())

    def delete(self, key: str) -> None:
        """DeleteObject (S3 answers success for a key that is already gone)."""
        self.client.delete_object(Bucket=self.bucket, Key=_checked(key))


def storage_for(settings: Settings) -> Storage:
    """The configured store: MEDIA_STORAGE=local (default) or s3."""
    kind = settings.MEDIA_STORAGE.strip().lower()
    if kind == "local":
        return LocalStorage(settings.MEDIA_DIR)
    if kind != "s3":
        raise ConfigurationError(f"MEDIA_STORAGE must be local or s3, not {settings.MEDIA_STORAGE!r}")
    if not settings.MEDIA_S3_BUCKET:
        raise ConfigurationError("MEDIA_STORAGE=s3 needs MEDIA_S3_BUCKET (and usually the MEDIA_S3_* keys)")
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=settings.MEDIA_S3_ENDPOINT_URL or None,
        region_name=settings.MEDIA_S3_REGION or None,
        aws_access_key_id=settings.MEDIA_S3_ACCESS_KEY_ID or None,
        aws_secret_access_key=settings.MEDIA_S3_SECRET_ACCESS_KEY or None,
    )
    return S3Storage(client, settings.MEDIA_S3_BUCKET)
