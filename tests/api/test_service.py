"""The submission service without HTTP: time, races, crashes half way, expiry, codes."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from api_support import FORM_ID, PDF, UPLOAD_SECRET, VALUES, file_decl
from chalicelib import layout, tracking
from chalicelib.clock import WIB, format_wib, isoformat_wib
from chalicelib.errors import Conflict, NotFound, Unprocessable
from chalicelib.forms import load_forms
from chalicelib.payloads import parse_create_request
from chalicelib.storage import LocalStorage
from chalicelib.submissions import SubmissionService
from hypothesis import given
from hypothesis import strategies as st


class FrozenClock:
    """A clock the test moves by hand."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "storage", "http://127.0.0.1:8000/upload",
                        UPLOAD_SECRET.encode())


@pytest.fixture
def clock() -> FrozenClock:
    # Friday 25 September 2020, 18:30 UTC = Saturday 26 September, 01:30 WIB.
    return FrozenClock(datetime(2020, 9, 25, 18, 30, tzinfo=UTC).astimezone(WIB))


@pytest.fixture
def service(storage: LocalStorage, clock: FrozenClock, content_dir: Path) -> SubmissionService:
    forms = load_forms(content_dir / "forms", content_dir / "offices.yml",
                       provinces_file=content_dir / "data" / "provinces.csv")
    return SubmissionService(storage, forms, clock=clock)


KEY = "kunci-pengiriman-layanan-01"


def request(key: str = KEY, **changes: Any) -> Any:
    body = {"form_id": FORM_ID, "idempotency_key": key, "values": VALUES,
            "files": [file_decl("kk", PDF, "application/pdf")], **changes}
    return parse_create_request(body)


def upload_all(storage: LocalStorage, offer: dict) -> None:
    for upload in offer["uploads"]:
        with storage.open_write(upload["fields"]["key"], content_type=upload["type"]) as staged:
            staged.write(PDF)


def test_dates_are_wib_and_folders_use_the_wib_day(service: SubmissionService,
                                                   storage: LocalStorage) -> None:
    offer = service.create(request())
    upload_all(storage, offer)
    receipt = service.complete(offer["submission_id"], KEY)
    assert receipt["received_at"] == "2020-09-26T01:30:00+07:00"
    assert receipt["received_at_text"] == "Sabtu, 26 September 2020 pukul 01.30 WIB"
    code = receipt["tracking_code"]
    assert storage.head(f"applications/2020-09-26/{FORM_ID}/{code}/record.json") is not None
    assert receipt["status_token_expires_at"] == "2021-03-25T01:30:00+07:00"  # 180 days


def test_validation_uses_today_in_wib(service: SubmissionService, clock: FrozenClock) -> None:
    values = {**VALUES, "tanggal_lahir": "2020-09-26"}  # "today" in WIB, tomorrow in UTC
    with pytest.raises(Unprocessable) as caught:
        service.create(request(values=values))
    assert ("tanggal_lahir", "tanggal_di_masa_depan") not in {
        (e["field"], e["code"]) for e in caught.value.errors
    }


def test_concurrent_completes_give_one_receipt(service: SubmissionService,
                                               storage: LocalStorage) -> None:
    offer = service.create(request())
    upload_all(storage, offer)
    receipts: list[dict] = []
    barrier = threading.Barrier(6)

    def complete() -> None:
        barrier.wait()
        receipts.append(service.complete(offer["submission_id"], KEY))

    threads = [threading.Thread(target=complete) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(receipts) == 6
    assert all(r == receipts[0] for r in receipts)
    assert len(list(storage.list_keys("index/tracking/"))) == 1
    assert len([k for k in storage.list_keys("applications/") if k.endswith("record.json")]) == 1


def test_concurrent_creates_with_one_key_give_one_submission(service: SubmissionService,
                                                             storage: LocalStorage) -> None:
    ids: list[str] = []
    barrier = threading.Barrier(5)

    def create() -> None:
        barrier.wait()
        ids.append(service.create(request())["submission_id"])

    threads = [threading.Thread(target=create) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 1
    assert len([k for k in storage.list_keys("pending/") if k.endswith("submission.json")]) == 1


def test_a_complete_that_stopped_half_way_is_finished_by_the_retry(
    service: SubmissionService, storage: LocalStorage
) -> None:
    offer = service.create(request())
    upload_all(storage, offer)
    pending, _ = storage.get_json(layout.pending_record_key(offer["submission_id"]))
    receiving = service.receiving
    checked = receiving.verify_uploads(service.form(FORM_ID), pending)
    claim, _, won = receiving._claim(service.form(FORM_ID), pending, checked, KEY)  # then a crash
    assert won and not list(storage.list_keys("applications/"))
    assert not list(storage.list_keys("index/tracking/"))  # no orphan index entry
    receipt = service.complete(offer["submission_id"], KEY)
    assert receipt["tracking_code"] == claim["tracking_code"]
    assert storage.head(claim["record"]) is not None
    assert len(list(storage.list_keys("index/tracking/"))) == 1
    assert not list(storage.list_keys(f"pending/{offer['submission_id']}/uploads/"))
    assert not list(storage.list_keys(f"pending/{offer['submission_id']}/checked/"))


def test_create_is_one_write_that_is_also_the_idempotency_claim(
    service: SubmissionService, storage: LocalStorage
) -> None:
    offer = service.create(request())
    assert list(storage.list_keys("")) == [layout.pending_record_key(offer["submission_id"])]
    storage.delete(layout.pending_record_key(offer["submission_id"]))  # purged, say
    again = service.create(request())
    assert again["submission_id"] == offer["submission_id"]
    assert storage.head(layout.pending_record_key(offer["submission_id"])) is not None


def test_idempotency_key_expires_after_a_day(service: SubmissionService,
                                             clock: FrozenClock) -> None:
    first = service.create(request())
    assert service.create(request())["replayed"]
    clock.moment += timedelta(hours=25)
    second = service.create(request())  # the same submission, started afresh
    assert second["submission_id"] == first["submission_id"]
    assert not second["replayed"]


def test_conflicting_payload_raises_conflict(service: SubmissionService) -> None:
    service.create(request())
    with pytest.raises(Conflict):
        service.create(request(values={**VALUES, "keterangan": "lain"}))


def test_pending_submission_expires_after_two_days(service: SubmissionService,
                                                   storage: LocalStorage,
                                                   clock: FrozenClock) -> None:
    offer = service.create(request())
    upload_all(storage, offer)
    clock.moment += timedelta(days=2, seconds=1)
    with pytest.raises(NotFound):
        service.complete(offer["submission_id"], KEY)


def test_purge_expired_removes_old_pending_and_keys(service: SubmissionService,
                                                    storage: LocalStorage,
                                                    clock: FrozenClock) -> None:
    old = service.create(request("kunci-pengiriman-lama-0001"))
    upload_all(storage, old)
    clock.moment += timedelta(days=1, hours=12)
    fresh = service.create(request("kunci-pengiriman-baru-0001"))
    clock.moment += timedelta(hours=20)
    storage.put_json("index/idempotency/0000.json", {"created_at": "2020-09-20T00:00:00+07:00"})
    assert service.purge_expired() == 2  # the old submission and a schema-1 idempotency entry
    remaining = list(storage.list_keys("pending/"))
    assert remaining and all(fresh["submission_id"] in key for key in remaining)
    assert not list(storage.list_keys("index/idempotency/"))


def test_status_token_expires(service: SubmissionService, storage: LocalStorage,
                              clock: FrozenClock) -> None:
    offer = service.create(request())
    upload_all(storage, offer)
    receipt = service.complete(offer["submission_id"], KEY)
    assert service.status(receipt["tracking_code"], receipt["status_token"])["status"] == "diterima"
    clock.moment += timedelta(days=180)
    with pytest.raises(NotFound):
        service.status(receipt["tracking_code"], receipt["status_token"])


def test_status_shows_history_appended_by_staff(service: SubmissionService,
                                                storage: LocalStorage) -> None:
    offer = service.create(request())
    upload_all(storage, offer)
    receipt = service.complete(offer["submission_id"], KEY)
    index, _ = storage.get_json(layout.tracking_index_key(receipt["tracking_code"]))
    record, etag = storage.get_json(index["record"])
    record["history"].append({"at": "2020-09-28T09:00:00+07:00", "by": "petugas-1",
                              "from": "diterima", "to": "perlu_perbaikan",
                              "note": "Foto KK buram, unggah ulang."})
    record["status"] = "perlu_perbaikan"
    storage.put_json(index["record"], record, if_match=etag)
    status = service.status(receipt["tracking_code"], receipt["status_token"])
    assert status["status_label"] == "Perlu perbaikan"
    assert [h["status"] for h in status["history"]] == ["diterima", "perlu_perbaikan"]
    assert "by" not in status["history"][1]  # staff names stay inside the office


# --------------------------------------------------------------------------- tracking codes


def test_tracking_code_shape_and_alphabet() -> None:
    codes = {tracking.new_tracking_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == 12 and code[4] == "-" and code[9] == "-"
        assert set(code.replace("-", "")) <= set(tracking.ALPHABET)
    assert not set(tracking.ALPHABET) & set("01OIL")
    assert len(tracking.ALPHABET) ** tracking.RANDOM_LENGTH >= 2**40


@given(st.integers(0, 9), st.sampled_from(tracking.ALPHABET))
def test_check_character_catches_any_single_typo(position: int, replacement: str) -> None:
    code = tracking.new_tracking_code().replace("-", "")
    if code[position] == replacement:
        return
    typo = code[:position] + replacement + code[position + 1:]
    assert tracking.normalise_tracking_code(typo) is None


@given(st.integers(0, 8))
def test_check_character_catches_swapped_neighbours(position: int) -> None:
    code = tracking.new_tracking_code().replace("-", "")
    if code[position] == code[position + 1]:
        return
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2:]
    assert tracking.normalise_tracking_code(swapped) is None


@given(st.text(max_size=60))
def test_normalise_never_raises(text: str) -> None:
    result = tracking.normalise_tracking_code(text)
    assert result is None or len(result) == 12


def test_token_comparison() -> None:
    token = tracking.new_status_token()
    digest = tracking.token_digest(token)
    assert tracking.token_matches(token, digest)
    assert tracking.token_matches(token.lower().replace("-", " "), digest)
    assert not tracking.token_matches(token + "x", digest)
    assert not tracking.token_matches(None, digest)
    assert not tracking.token_matches("", digest)


def test_wib_formatting() -> None:
    moment = datetime(2020, 10, 8, 16, 59, tzinfo=UTC)
    assert isoformat_wib(moment) == "2020-10-08T23:59:00+07:00"
    assert format_wib(moment) == "Kamis, 8 Oktober 2020 pukul 23.59 WIB"
