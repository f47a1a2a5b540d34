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


def test_only_list_read_and_conditional_record_writes():
    granted = {(a, r) for s in statements() if s["Effect"] == "Allow"
               for a in actions(s) for r in resources(s)}
    assert granted == {
        ("s3:ListBucket", BUCKET_ARN),
        ("s3:GetObject", f"{BUCKET_ARN}/applications/*"),
        ("s3:GetObject", f"{BUCKET_ARN}/index/tracking/*"),
        ("s3:GetObjectTagging", f"{BUCKET_ARN}/applications/*"),  # malware-scan verdicts
        ("s3:PutObject", f"{BUCKET_ARN}/applications/*/record.json"),
        ("s3:PutObject", f"{BUCKET_ARN}/applications/*/results/*"),
    }


def test_staff_cannot_change_tags():
    """A scan verdict is GuardDuty's tag: staff read it and can never rewrite it."""
    text = POLICY.read_text(encoding="utf-8")
    assert "PutObjectTagging" not in text and "DeleteObjectTagging" not in text


def test_status_writes_must_be_conditional_updates():
    (write,) = [s for s in statements() if resources(s) == [f"{BUCKET_ARN}/applications/*/record.json"]]
    # Without If-Match a write is refused: no blind overwrite, no new records.
    assert write["Condition"] == {"Null": {"s3:if-match": "false"}}


def test_finished_documents_can_be_added_never_overwritten():
    (write,) = [s for s in statements() if resources(s) == [f"{BUCKET_ARN}/applications/*/results/*"]]
    assert write["Condition"] == {"Null": {"s3:if-none-match": "false"}}


def test_no_wildcards_deletes_or_pending_uploads():
    text = POLICY.read_text(encoding="utf-8")
    for forbidden in ('"s3:*"', "DeleteObject", "pending/", "idempotency", '"*"'):
        assert forbidden not in text
