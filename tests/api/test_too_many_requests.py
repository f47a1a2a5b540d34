"""A 429 from the service reaches the browser as JSON with Retry-After, like every refusal."""

from __future__ import annotations

import json

import pytest
from api_support import Api
from chalicelib.errors import TooManyRequests
from chalicelib.quota import QuotaSettings, SubmissionQuota


def test_a_full_quota_is_a_429_with_retry_after_and_the_usual_shape(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    service = api.module.get_service()
    quota = SubmissionQuota(api.storage, QuotaSettings(max_submissions=1, shards=1))
    real_create = service.create

    def create_with_quota(request):  # where the submission service will call it
        quota.reserve(submissions=1, declared_bytes=sum(f.size for f in request.files))
        return real_create(request)

    monkeypatch.setattr(service, "create", create_with_quota)
    assert api.create(key="kunci-kuota-0001").status_code == 201
    refused = api.create(key="kunci-kuota-0002")
    assert refused.status_code == 429
    body = json.loads(refused.body)
    assert set(body) == {"message", "code"} and body["code"] == "submission_quota_reached"
    assert body["message"].startswith("Layanan daring sedang menerima terlalu banyak permohonan.")
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    assert refused.headers["Cache-Control"] == "no-store"
    assert refused.headers["Content-Type"].startswith("application/json")


def test_other_refusals_carry_no_retry_after(api: Api) -> None:
    missing = api.post("/status", {"tracking_code": "K7QM-2XRD-9F", "token": "salah"})
    assert missing.status_code == 404 and "Retry-After" not in missing.headers
    assert TooManyRequests("x", retry_after=0).retry_after == 1  # never "retry now"
