"""A 429 from the service reaches the browser as JSON with Retry-After, like every refusal."""

from __future__ import annotations

import json

import pytest
from api_support import Api
from chalicelib.errors import TooManyRequests


def test_a_full_quota_is_a_429_with_retry_after_and_the_usual_shape(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUOTA_MAX_SUBMISSIONS", "1")
    monkeypatch.setenv("QUOTA_SHARDS", "1")
    monkeypatch.setattr(api.module, "_service", None)  # built again with the quota
    assert api.create(key="kunci-kuota-0001").status_code == 201
    assert api.create(key="kunci-kuota-0001").status_code == 200  # a replay is not counted
    before = sorted(api.storage.list_keys("pending/"))
    refused = api.create(key="kunci-kuota-0002")
    assert refused.status_code == 429
    body = json.loads(refused.body)
    assert set(body) == {"message", "code"} and body["code"] == "submission_quota_reached"
    assert body["message"].startswith("Layanan daring sedang menerima terlalu banyak permohonan.")
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    assert refused.headers["Cache-Control"] == "no-store"
    assert refused.headers["Content-Type"].startswith("application/json")
    assert sorted(api.storage.list_keys("pending/")) == before  # nothing kept for a refusal
    monkeypatch.setattr(api.module, "_service", None)


def test_other_refusals_carry_no_retry_after(api: Api) -> None:
    missing = api.post("/status", {"tracking_code": "K7QM-2XRD-9F", "token": "salah"})
    assert missing.status_code == 404 and "Retry-After" not in missing.headers
    assert TooManyRequests("x", retry_after=0).retry_after == 1  # never "retry now"
