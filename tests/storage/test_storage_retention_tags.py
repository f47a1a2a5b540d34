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


def test_closing_never_carries_or_forges_a_guardduty_verdict(storage) -> None:
    from chalicelib.retention import mark_application
    from chalicelib.scanning import GUARDDUTY_TAG

    folder = "applications/2020-09-26/uji-ktp/K7QM-2XRD-9F/"
    record = folder + "record.json"
    storage.put_json(record, {"status": "selesai"})
    for name in ("00-kk.pdf", "01-foto.jpg"):
        storage.put_bytes(folder + "files/" + name, b"%PDF-1.4 x", content_type="application/pdf")
    storage.put_tags(folder + "files/00-kk.pdf", {GUARDDUTY_TAG: "NO_THREATS_FOUND"})
    storage.put_tags(folder + "files/01-foto.jpg", {GUARDDUTY_TAG: "THREATS_FOUND"})
    assert mark_application(storage, record, None, closed=True) == 1
    clean = storage.get_tags(folder + "files/00-kk.pdf")
    assert clean == {"retention": "closed"}  # a new version: GuardDuty scans it again
    threat = storage.get_tags(folder + "files/01-foto.jpg")
    assert threat == {GUARDDUTY_TAG: "THREATS_FOUND"}  # never rewritten: stays quarantined
