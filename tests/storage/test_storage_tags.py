"""Object tags on both backends: written with a record, rewritten in place, read back."""

from __future__ import annotations

import time

import pytest
from chalicelib.storage import NotFound, S3Storage

CLOSED = {"retention": "closed"}


def test_a_record_written_with_tags_carries_them(storage) -> None:
    storage.put_json("applications/a/record.json", {"status": "selesai"}, tags=CLOSED)
    assert storage.tags("applications/a/record.json") == CLOSED
    storage.put_json("applications/a/record.json", {"status": "diproses"})
    assert storage.tags("applications/a/record.json") == {}  # a new version without tags
    assert storage.tags("applications/tidak-ada.json") is None


def test_rewriting_tags_keeps_bytes_and_type(storage) -> None:
    storage.put_json("index/tracking/K.json", {"record": "x"})
    before = storage.read_bytes("index/tracking/K.json")
    storage.rewrite_tags("index/tracking/K.json", CLOSED)
    assert storage.tags("index/tracking/K.json") == CLOSED
    assert storage.read_bytes("index/tracking/K.json") == before
    assert storage.head("index/tracking/K.json").content_type == "application/json"
    storage.rewrite_tags("index/tracking/K.json", {})
    assert storage.tags("index/tracking/K.json") == {}
    with pytest.raises(NotFound):
        storage.rewrite_tags("index/tracking/tidak-ada.json", CLOSED)


def test_on_s3_a_rewrite_is_a_new_version_so_lifecycle_age_restarts(s3_storage: S3Storage) -> None:
    client, bucket = s3_storage.client, s3_storage.bucket
    client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    key = s3_storage.prefix + "applications/d/f/K/files/00-kk.pdf"
    client.put_object(Bucket=bucket, Key=key, Body=b"%PDF-1.4 isi", ContentType="application/pdf")
    first = client.head_object(Bucket=bucket, Key=key)
    time.sleep(1.1)  # S3 times are whole seconds
    s3_storage.rewrite_tags("applications/d/f/K/files/00-kk.pdf", CLOSED)
    second = client.head_object(Bucket=bucket, Key=key)
    assert second["LastModified"] > first["LastModified"]  # expiration counts from here
    assert second["VersionId"] != first["VersionId"]
    assert second["ContentType"] == "application/pdf"
    assert second["ServerSideEncryption"] == "AES256"
    versions = client.list_object_versions(Bucket=bucket, Prefix=key)["Versions"]
    assert len(versions) == 2  # the old one is now noncurrent (its own lifecycle rule)
