"""The storage port: the local filesystem and an S3-compatible store behave the same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from casework.core.settings import ConfigurationError, load_settings
from casework.evidence import LocalStorage, S3Storage, Storage, StoredFileMissing, storage_for
from casework.evidence.storage import new_key


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    if request.param == "local":
        yield LocalStorage(tmp_path / "media")
        return
    with mock_aws():
        client = boto3.client("s3", region_name="eu-west-2")
        client.create_bucket(Bucket="evidence", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
        yield S3Storage(client, "evidence")


def test_put_get_delete(storage: Storage) -> None:
    key = new_key("img")
    storage.put(key, b"photo bytes", "image/jpeg")
    assert storage.get(key) == b"photo bytes"
    storage.delete(key)
    with pytest.raises(StoredFileMissing):
        storage.get(key)
    storage.delete(key)  # deleting twice is harmless


def test_keys_are_random_and_say_nothing_about_the_file() -> None:
    keys = {new_key("img") for _ in range(100)}
    assert len(keys) == 100
    assert all(k.startswith("img/") and len(k) > 30 for k in keys)


def test_a_path_like_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        LocalStorage(tmp_path).put("../../etc/passwd", b"x", "text/plain")


def test_local_files_are_private_to_the_service_user(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path / "media")
    key = new_key("img")
    store.put(key, b"x", "image/jpeg")
    assert ((tmp_path / "media" / key).stat().st_mode & 0o077) == 0


def test_settings_choose_the_store(tmp_path: Path) -> None:
    local = storage_for(load_settings(MEDIA_DIR=str(tmp_path)))
    assert isinstance(local, LocalStorage) and local.root == tmp_path
    s3 = storage_for(
        load_settings(
            MEDIA_STORAGE="s3",
            MEDIA_S3_BUCKET="b",
            MEDIA_S3_ENDPOINT_URL="http://minio:9000",
            MEDIA_S3_REGION="eu-west-2",
            MEDIA_S3_ACCESS_KEY_ID="k",
            MEDIA_S3_SECRET_ACCESS_KEY="s",
        )
    )
    assert isinstance(s3, S3Storage) and s3.bucket == "b"
    assert s3.client.meta.endpoint_url == "http://minio:9000"
    with pytest.raises(ConfigurationError, match="MEDIA_S3_BUCKET"):
        storage_for(load_settings(MEDIA_STORAGE="s3"))
    with pytest.raises(ConfigurationError, match="local or s3"):
        storage_for(load_settings(MEDIA_STORAGE="ftp"))
