"""Object tags and the scan verdicts kept in them, on both backends (S3 through moto).

GuardDuty Malware Protection writes its verdict as the object tag
``GuardDutyMalwareScanStatus``; moto does not scan, so the tests put the tag as GuardDuty
would (adding it to the object's tags with PutObjectTagging).
"""

from __future__ import annotations

import pytest
from chalicelib.scanning import (
    CLEAN,
    FAILED,
    GUARDDUTY_TAG,
    INFECTED,
    MISSING,
    NOT_SCANNED,
    ScanResult,
    record_scan,
    scan_state,
)
from chalicelib.storage import NotFound, S3Storage

KEY = "applications/2020-09-26/uji-ktp/K7QM2XRD9F/files/00-kk.pdf"


def store(storage, key: str = KEY, data: bytes = b"%PDF-1.4 isi") -> None:
    if isinstance(storage, S3Storage):
        storage.client.put_object(Bucket=storage.bucket, Key=storage.prefix + key, Body=data,
                                  ContentType="application/pdf")
    else:
        with storage.open_write(key, content_type="application/pdf") as staged:
            staged.write(data)


def guardduty_tags(storage: S3Storage, key: str, status: str) -> None:
    """What GuardDuty does after scanning: add its tag, keeping the object's others."""
    full = storage.prefix + key
    tags = storage.client.get_object_tagging(Bucket=storage.bucket, Key=full)["TagSet"]
    tags = [t for t in tags if t["Key"] != GUARDDUTY_TAG] + [{"Key": GUARDDUTY_TAG, "Value": status}]
    storage.client.put_object_tagging(Bucket=storage.bucket, Key=full, Tagging={"TagSet": tags})


def test_a_new_object_has_no_tags_and_tags_merge(storage) -> None:
    store(storage)
    assert storage.get_tags(KEY) == {}
    storage.put_tags(KEY, {"a": "1", "b": "2"})
    storage.put_tags(KEY, {"b": "3"})
    assert storage.get_tags(KEY) == {"a": "1", "b": "3"}
    assert storage.read_bytes(KEY) == b"%PDF-1.4 isi"  # tagging leaves the bytes alone


def test_writing_the_object_again_drops_its_tags(storage) -> None:
    store(storage)
    storage.put_tags(KEY, {"PortalScanStatus": "infected"})
    store(storage, data=b"%PDF-1.4 baru")
    assert storage.get_tags(KEY) == {}


def test_tags_of_a_missing_object(storage) -> None:
    with pytest.raises(NotFound):
        storage.get_tags(KEY)
    with pytest.raises(NotFound):
        storage.put_tags(KEY, {"a": "1"})
    assert scan_state(storage, KEY) == ScanResult(MISSING)


def test_a_recorded_scan_is_the_files_state(storage) -> None:
    store(storage)
    assert scan_state(storage, KEY) == ScanResult(NOT_SCANNED)
    record_scan(storage, KEY, ScanResult(NOT_SCANNED))  # scanning off: nothing recorded
    assert storage.get_tags(KEY) == {}
    record_scan(storage, KEY, ScanResult(INFECTED, signature="Win.Test.EICAR_HDB-1 (x)",
                                         engine="clamav"))
    state = scan_state(storage, KEY)
    assert state == ScanResult(INFECTED, signature="Win.Test.EICAR_HDB-1 _x_", engine="clamav")
    record_scan(storage, KEY, ScanResult(FAILED, engine="clamav", detail="CommunicationError"))
    assert scan_state(storage, KEY) == ScanResult(FAILED, engine="clamav")


@pytest.mark.parametrize(("status", "expected"), [
    ("NO_THREATS_FOUND", CLEAN), ("THREATS_FOUND", INFECTED), ("ACCESS_DENIED", FAILED),
])
def test_guardduty_verdicts_on_s3(s3_storage, status: str, expected: str) -> None:
    store(s3_storage)
    s3_storage.put_tags(KEY, {"Owner": "dukcapil"})
    guardduty_tags(s3_storage, KEY, status)
    assert scan_state(s3_storage, KEY) == ScanResult(expected, engine="guardduty")
    assert s3_storage.get_tags(KEY)["Owner"] == "dukcapil"


def test_a_guardduty_threat_outranks_a_clean_clamav_verdict(s3_storage) -> None:
    store(s3_storage)
    record_scan(s3_storage, KEY, ScanResult(CLEAN, engine="clamav"))
    guardduty_tags(s3_storage, KEY, "THREATS_FOUND")
    assert scan_state(s3_storage, KEY).infected
