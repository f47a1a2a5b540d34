"""The submission quota: a storage-backed counter per window, on both backends."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from chalicelib.clock import WIB
from chalicelib.errors import TooManyRequests
from chalicelib.quota import QuotaSettings, SubmissionQuota, quota_from_env

MB = 2**20


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2020, 9, 28, 10, 20, tzinfo=WIB))


def quota(storage, clock, **settings) -> SubmissionQuota:
    return SubmissionQuota(storage, QuotaSettings(**settings), clock=clock, sleep=lambda _: None)


def test_the_window_takes_exactly_its_allowance_then_says_when_to_come_back(storage, clock):
    counter = quota(storage, clock, max_submissions=10, max_bytes=0, shards=4)
    for _ in range(10):
        counter.reserve(submissions=1, declared_bytes=MB)
    with pytest.raises(TooManyRequests) as refused:
        counter.reserve(submissions=1)
    error = refused.value
    assert error.status == 429 and error.code == "submission_quota_reached"
    assert error.retry_after == 40 * 60  # 10.20 -> the window ends at 11.00 WIB
    assert error.headers == {"Retry-After": "2400"}
    assert error.message == ("Layanan daring sedang menerima terlalu banyak permohonan. Isian "
                             "Anda belum terkirim, tetapi belum hilang; coba lagi dalam 40 menit.")
    assert error.to_dict() == {"message": error.message, "code": "submission_quota_reached"}
    assert counter.usage() == (10, 10 * MB)
    clock.moment += timedelta(minutes=40)  # 11.00: a new window
    counter.reserve(submissions=1)
    assert counter.usage() == (1, 0)


def test_declared_bytes_are_bounded_too(storage, clock):
    counter = quota(storage, clock, max_submissions=0, max_bytes=10 * MB, shards=1)
    counter.reserve(declared_bytes=6 * MB)
    with pytest.raises(TooManyRequests):
        counter.reserve(declared_bytes=5 * MB)
    counter.reserve(declared_bytes=4 * MB)
    assert counter.usage() == (2, 10 * MB)


def test_zero_bounds_mean_no_bound_and_nothing_is_stored(storage, clock):
    counter = quota(storage, clock, max_submissions=0, max_bytes=0)
    for _ in range(50):
        counter.reserve(declared_bytes=100 * MB)
    assert list(storage.list_keys("quota/")) == []


def test_counters_are_filed_by_window_and_purged_after_a_day(storage, clock):
    counter = quota(storage, clock, max_submissions=100, shards=1)
    counter.reserve()
    assert list(storage.list_keys("quota/")) == ["quota/2020-09-28/1000-0.json"]
    assert storage.get_json("quota/2020-09-28/1000-0.json")[0] == {"submissions": 1, "bytes": 0}
    clock.moment += timedelta(days=1)
    assert counter.purge() == 0  # yesterday's counters are still kept
    clock.moment += timedelta(days=1)
    assert counter.purge() == 1
    assert list(storage.list_keys("quota/")) == []


def test_concurrent_reservations_never_exceed_the_allowance(local_storage, clock):
    counter = quota(local_storage, clock, max_submissions=12, shards=3)
    outcomes: list[str] = []
    lock = threading.Lock()

    def reserve() -> None:
        try:
            counter.reserve()
            result = "ok"
        except TooManyRequests as error:
            result = error.code
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=reserve) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcomes.count("ok") == 12
    assert set(outcomes) - {"ok"} <= {"submission_quota_reached", "service_busy"}
    assert counter.usage() == (12, 0)


def test_settings_come_from_the_environment():
    settings = QuotaSettings.from_env({"QUOTA_MAX_SUBMISSIONS": "50", "QUOTA_MAX_MEGABYTES": "512",
                                       "QUOTA_WINDOW_MINUTES": "30", "QUOTA_SHARDS": "2"})
    assert settings == QuotaSettings(window=timedelta(minutes=30), max_submissions=50,
                                     max_bytes=512 * MB, shards=2)
    assert QuotaSettings.from_env({}) == QuotaSettings()
    assert QuotaSettings().max_submissions == 200 and QuotaSettings().max_bytes == 2048 * MB
    for bad in ({"QUOTA_MAX_SUBMISSIONS": "banyak"}, {"QUOTA_WINDOW_MINUTES": "7"},
                {"QUOTA_SHARDS": "0"}, {"QUOTA_MAX_MEGABYTES": "-1"}):
        with pytest.raises(ValueError):
            QuotaSettings.from_env(bad)


def test_quota_from_env_uses_the_given_storage(local_storage):
    counter = quota_from_env(local_storage, {"QUOTA_MAX_SUBMISSIONS": "1"})
    counter.reserve()
    with pytest.raises(TooManyRequests):
        counter.reserve()
