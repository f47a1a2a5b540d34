"""docs/iam-staff-policy.json: what staff may do on S3, and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

POLICY = Path(__file__).resolve().parents[2] / "docs" / "iam-staff-policy.json"
BUCKET_ARN = "arn:aws:s3:::SUBMISSIONS_BUCKET"


def statements() -> list[dict]:
    policy = json.loads(POLICY.read_text(encoding="utf-8"))
    assert policy["Version"] == "2012-10-17"
    return policy["Statement"]


def actions(statement: dict) -> list[str]:
    value = statement["Action"]
    return [value] if isinstance(value, str) else value


def resources(statement: dict) -> list[str]:
    value = statement["Resource"]
    return [value] if isinstance(value, str) else value


def by_sid(sid: str) -> dict:
    (statement,) = [s for s in statements() if s["Sid"] == sid]
    return statement


def test_only_list_read_conditional_writes_closing_marks_and_access_records():
    granted = {(a, r) for s in statements() if s["Effect"] == "Allow"
               for a in actions(s) for r in resources(s)}
    assert granted == {
        ("s3:ListBucket", BUCKET_ARN),
        ("s3:GetObject", f"{BUCKET_ARN}/applications/*"),
        ("s3:GetObject", f"{BUCKET_ARN}/index/tracking/*"),
        ("s3:GetObjectTagging", f"{BUCKET_ARN}/applications/*"),
        ("s3:GetObjectTagging", f"{BUCKET_ARN}/index/tracking/*"),
        ("s3:PutObject", f"{BUCKET_ARN}/applications/*/record.json"),
        ("s3:PutObjectTagging", f"{BUCKET_ARN}/applications/*/record.json"),
        ("s3:PutObject", f"{BUCKET_ARN}/applications/*"),
        ("s3:PutObjectTagging", f"{BUCKET_ARN}/applications/*"),
        ("s3:PutObject", f"{BUCKET_ARN}/index/tracking/*"),
        ("s3:PutObjectTagging", f"{BUCKET_ARN}/index/tracking/*"),
        ("s3:PutObject", f"{BUCKET_ARN}/audit/*"),
        ("s3:PutObject", f"{BUCKET_ARN}/applications/*/results/*"),
        ("s3:PutObjectTagging", f"{BUCKET_ARN}/applications/*/results/*"),  # their expiry tag
    }


def test_staff_can_never_write_the_scan_verdict():
    """A scan verdict is GuardDuty's tag: staff read it and can never write it (closing an
    application rewrites objects with a retention tag, so tagging itself is allowed)."""
    deny = by_sid("NeverWriteTheMalwareScanVerdict")
    assert deny["Effect"] == "Deny" and deny["Resource"] == f"{BUCKET_ARN}/*"
    assert set(actions(deny)) == {"s3:PutObject", "s3:PutObjectTagging"}
    assert deny["Condition"] == {"ForAnyValue:StringEquals": {
        "s3:RequestObjectTagKeys": ["GuardDutyMalwareScanStatus"]}}
    assert "DeleteObjectTagging" not in POLICY.read_text(encoding="utf-8")


def test_status_writes_must_be_conditional_updates():
    write = by_sid("WriteStatusOnlyAsConditionalUpdateOfARecord")
    # Without If-Match a write is refused: no blind overwrite, no new records.
    assert write["Condition"] == {"Null": {"s3:if-match": "false"}}


def test_finished_documents_can_be_added_never_overwritten():
    (write,) = [s for s in statements() if resources(s) == [f"{BUCKET_ARN}/applications/*/results/*"]]
    assert write["Condition"] == {"Null": {"s3:if-none-match": "false"}}
def test_closing_marks_are_only_copies_of_existing_objects():
    mark = by_sid("MarkClosedApplicationsOnlyByCopyingObjectsOntoThemselves")
    assert mark["Condition"]["StringLike"]["s3:x-amz-copy-source"] == [
        "SUBMISSIONS_BUCKET/applications/*", "SUBMISSIONS_BUCKET/index/tracking/*"]
    assert mark["Condition"]["StringEquals"] == {"s3:x-amz-metadata-directive": "REPLACE"}


def test_access_records_are_created_never_overwritten_or_read():
    audit = by_sid("CreateAccessRecordsNeverOverwriteOrReadThem")
    assert audit["Condition"] == {"Null": {"s3:if-none-match": "false"}}
    assert not any("audit/" in r for s in statements() if "s3:GetObject" in actions(s)
                   for r in resources(s))


def test_no_wildcards_deletes_or_pending_uploads():
    text = POLICY.read_text(encoding="utf-8")
    for forbidden in ('"s3:*"', "DeleteObject", "pending/", "idempotency", "quota/", '"*"'):
        assert forbidden not in text
