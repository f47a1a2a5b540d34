"""Casework without the CLI, on both backends: inbox, read, status history, concurrency."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import asdict
from datetime import date

import pytest
from chalicelib.casework import (
    NOTE_MAX_LENGTH,
    ApplicationNotFound,
    Casework,
    ConcurrentChange,
    InvalidInput,
    kecamatan_field,
    parse_status,
)
from chalicelib.storage import PreconditionFailed
from chalicelib.submissions import SubmissionService
from staff_support import KK_FORM, KK_HEAD, KK_NUMBER, KTP_FORM, NAME, NIK

WEEK = (date(2020, 9, 20), date(2020, 9, 26))


# --------------------------------------------------------------------------- inbox


def test_inbox_lists_a_date_range_oldest_first(casework, seeded):
    entries = casework.inbox(*WEEK)
    assert [e.tracking_code for e in entries] == [
        seeded["ktp_bawen"].tracking_code,
        seeded["ktp_getasan"].tracking_code,
        seeded["kk_bawen"].tracking_code,
    ]
    first = entries[0]
    assert first.received_at.isoformat() == "2020-09-25T23:59:00+07:00"
    assert (first.day, first.form_id, first.kecamatan, first.status) == (
        "2020-09-25", KTP_FORM, "bawen", "diterima")
    assert first.kecamatan_label == "Kecamatan Bawen"
    assert first.status_label == "Diterima"
    assert len(casework.inbox(date(2020, 9, 19), date(2020, 9, 19))) == 1


def test_inbox_entries_hold_no_personal_data(casework, seeded):
    text = repr([asdict(e) for e in casework.inbox(date(2020, 9, 19), date(2020, 9, 26))])
    for secret in (NIK, NAME, "3322 0152", KK_NUMBER, KK_HEAD, "0812", "siti.aminah", "Krajan"):
        assert secret not in text


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"form_id": KTP_FORM}, ["ktp_bawen", "ktp_getasan"]),
        ({"form_id": KK_FORM}, ["kk_bawen"]),
        ({"kecamatan": "bawen"}, ["ktp_bawen", "kk_bawen"]),  # two forms, two field ids
        ({"kecamatan": "Kecamatan Bawen"}, ["ktp_bawen", "kk_bawen"]),
        ({"kecamatan": "GETASAN"}, ["ktp_getasan"]),
        ({"kecamatan": "bawen", "form_id": KK_FORM}, ["kk_bawen"]),
        ({"kecamatan": "ambarawa"}, []),
        ({"status": "diterima"}, ["ktp_bawen", "ktp_getasan", "kk_bawen"]),
        ({"status": "selesai"}, []),
    ],
)
def test_inbox_filters(casework, seeded, filters, expected):
    codes = [e.tracking_code for e in casework.inbox(*WEEK, **filters)]
    assert codes == [seeded[name].tracking_code for name in expected]


def test_inbox_filters_by_status_after_a_change(casework, seeded):
    code = seeded["kk_bawen"].tracking_code
    casework.set_status(code, "diproses", note="", by="Rina")
    assert [e.tracking_code for e in casework.inbox(*WEEK, status="diproses")] == [code]


@pytest.mark.parametrize(
    ("first", "last", "options", "message"),
    [
        (date(2020, 9, 26), date(2020, 9, 20), {}, "lebih awal"),
        (date(2019, 1, 1), date(2020, 9, 26), {}, "paling panjang 366 hari"),
        (*WEEK, {"form_id": "../rahasia"}, "bukan id formulir"),
        (*WEEK, {"status": "hilang"}, "tidak dikenal"),
    ],
)
def test_inbox_refuses_bad_input(casework, first, last, options, message):
    with pytest.raises(InvalidInput, match=message):
        casework.inbox(first, last, **options)


def test_kecamatan_question_is_found_by_its_office_source(forms):
    assert kecamatan_field(forms[KTP_FORM]).id == "kecamatan"
    assert kecamatan_field(forms[KK_FORM]).id == "kecamatan_tinggal"


# --------------------------------------------------------------------------- read


def test_get_reads_the_record_by_a_code_typed_loosely(casework, seeded):
    code = seeded["ktp_getasan"].tracking_code
    application = casework.get(code.lower().replace("-", " "))
    assert application.tracking_code == code
    assert application.record["values"]["nik"] == NIK
    assert [f["attachment"] for f in application.record["files"]] == ["kk", "foto"]
    assert application.history[0]["to"] == "diterima"


def test_get_refuses_a_mistyped_code(casework, seeded):
    code = seeded["ktp_getasan"].tracking_code
    typo = code[:-1] + ("A" if code[-1] != "A" else "B")
    with pytest.raises(InvalidInput, match="bukan kode pelacakan"):
        casework.get(typo)  # the check character catches a single wrong character


def test_get_well_formed_but_unknown_code(casework, seeded):
    from chalicelib.tracking import new_tracking_code

    with pytest.raises(ApplicationNotFound, match="tidak ditemukan"):
        casework.get(new_tracking_code())


# --------------------------------------------------------------------------- status


def test_set_status_appends_to_history_and_keeps_it(casework, seeded, service):
    app = seeded["ktp_getasan"]
    before = casework.get(app.tracking_code).history
    change = casework.set_status(app.tracking_code, "perlu-perbaikan",
                                 note="  Foto KK buram.\nUnggah ulang   yang jelas. ", by="Rina",
                                 attachments=["kk"])
    assert change.attempts == 1
    entry = change.entry
    assert (entry["by"], entry["from"], entry["to"]) == ("Rina", "diterima", "perlu_perbaikan")
    assert entry["note"] == "Foto KK buram. Unggah ulang yang jelas."
    assert entry["at"].endswith("+07:00")
    casework.set_status(app.tracking_code, "selesai", note="Silakan ambil di kecamatan.", by="Adi",
                        collect_at="getasan")
    stored = casework.get(app.tracking_code)
    assert stored.status == "selesai"
    assert stored.history[: len(before)] == before  # never rewritten
    assert [(h["from"], h["to"]) for h in stored.history] == [
        (None, "diterima"), ("diterima", "perlu_perbaikan"), ("perlu_perbaikan", "selesai")]
    # The resident reads the notes in the status check.
    status = service.status(app.tracking_code, app.token)
    assert status["status"] == "selesai"
    assert [h["note"] for h in status["history"]][1:] == [
        "Foto KK buram. Unggah ulang yang jelas.", "Silakan ambil di kecamatan."]
    assert "by" not in str(status["history"])  # staff names stay internal


@pytest.mark.parametrize("typed", ["perlu-perbaikan", "perlu_perbaikan", "Perlu perbaikan",
                                   " PERLU-PERBAIKAN "])
def test_status_spellings(typed):
    assert parse_status(typed) == "perlu_perbaikan"


@pytest.mark.parametrize(
    ("status", "note", "by", "message"),
    [
        ("ditolak", "", "Rina", "wajib diberi catatan"),
        ("perlu-perbaikan", "   ", "Rina", "wajib diberi catatan"),
        ("diproses", "x" * (NOTE_MAX_LENGTH + 1), "Rina", "terlalu panjang"),
        ("diproses", "", "  ", "wajib diisi"),
        ("dibatalkan", "", "Rina", "tidak dikenal"),
    ],
)
def test_set_status_refuses_bad_input_and_writes_nothing(casework, seeded, status, note, by,
                                                         message):
    code = seeded["ktp_getasan"].tracking_code
    before = casework.get(code)
    with pytest.raises(InvalidInput, match=message):
        casework.set_status(code, status, note=note, by=by)
    assert casework.get(code).etag == before.etag


def test_note_at_the_limit_is_kept_whole(casework, seeded):
    code = seeded["ktp_getasan"].tracking_code
    change = casework.set_status(code, "ditolak", note="y" * NOTE_MAX_LENGTH, by="Rina")
    assert len(change.entry["note"]) == NOTE_MAX_LENGTH


class _BothReadFirst:
    """Storage wrapper: the first read of a record in each thread waits for the other
    thread's, so both changes start from the same version (a guaranteed race).

    On moto, conditional puts are serialised here because moto checks ``If-Match`` and
    then writes in two steps without a lock; S3 (and the local backend, with its per-key
    ``flock``, tested as is) do both atomically.
    """

    def __init__(self, storage, parties: int, *, serialise_puts: bool) -> None:
        self._storage = storage
        self._serialise_puts = serialise_puts
        self._barrier = threading.Barrier(parties, timeout=60)  # generous: CI runs other suites beside it
        self._seen = threading.local()
        self._put_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self.conflicts = 0

    def __getattr__(self, name):
        return getattr(self._storage, name)

    def get_json(self, key):
        # moto (in process) is not thread-safe either when a read meets a write of the same
        # key ("I/O operation on closed file"); real S3 is, so on moto reads queue too.
        with self._put_lock if self._serialise_puts else contextlib.nullcontext():
            loaded = self._storage.get_json(key)
        if key.endswith("/record.json") and not getattr(self._seen, "done", False):
            self._seen.done = True
            self._barrier.wait()
        return loaded

    def put_json(self, key, data, **conditions):
        with self._put_lock if self._serialise_puts else contextlib.nullcontext():
            try:
                return self._storage.put_json(key, data, **conditions)
            except PreconditionFailed:
                with self._count_lock:
                    self.conflicts += 1
                raise


def _run_in_threads(functions):
    errors = []

    def run(function):
        try:
            function()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors


def test_two_staff_changing_one_application_at_once_lose_nothing(backend, forms, seeded):
    code = seeded["ktp_getasan"].tracking_code
    racing = _BothReadFirst(backend.storage, parties=2, serialise_puts=backend.name == "s3")
    casework = Casework(racing, forms, sleep=lambda seconds: None)
    changes = {}

    def change(name, status, note):
        def run():
            changes[name] = casework.set_status(
                code, status, note=note, by=name,
                attachments=["kk"] if status.startswith("perlu") else [])
        return run

    _run_in_threads([change("Rina", "diproses", "Sedang diverifikasi."),
                     change("Adi", "perlu-perbaikan", "Foto KK buram.")])
    assert racing.conflicts == 1  # one write lost the race...
    assert sorted(c.attempts for c in changes.values()) == [1, 2]  # ...and was re-applied
    history = Casework(backend.storage, forms).get(code).history
    assert len(history) == 3
    assert {h["by"] for h in history[1:]} == {"Rina", "Adi"}
    assert {h["note"] for h in history[1:]} == {"Sedang diverifikasi.", "Foto KK buram."}
    _assert_chain(history)
    assert Casework(backend.storage, forms).get(code).status == history[-1]["to"]


def test_many_concurrent_changes_all_survive_in_one_consistent_order(backend, forms, seeded):
    code = seeded["kk_bawen"].tracking_code
    racing = _BothReadFirst(backend.storage, parties=4, serialise_puts=backend.name == "s3")
    casework = Casework(racing, forms, sleep=lambda seconds: None, max_attempts=20)
    statuses = ["diproses", "diterima", "ditolak", "diproses"]

    def staff(number):
        def run():
            for round_ in range(3):
                status = statuses[(number + round_) % len(statuses)]
                casework.set_status(code, status, note=f"catatan {number}-{round_}",
                                    by=f"Petugas {number}")
        return run

    _run_in_threads([staff(n) for n in range(4)])
    history = Casework(backend.storage, forms).get(code).history
    assert len(history) == 1 + 4 * 3
    assert sorted(h["note"] for h in history[1:]) == sorted(
        f"catatan {n}-{r}" for n in range(4) for r in range(3))
    for number in range(4):  # each staff member's own changes stay in their order
        mine = [h["note"] for h in history if h["by"] == f"Petugas {number}"]
        assert mine == [f"catatan {number}-{r}" for r in range(3)]
    _assert_chain(history)
    assert [h["at"] for h in history] == sorted(h["at"] for h in history)


def _assert_chain(history):
    """Each entry starts from the status the previous entry set: no change was lost."""
    for previous, entry in zip(history, history[1:], strict=False):
        assert entry["from"] == previous["to"]


def test_gives_up_after_bounded_attempts(backend, forms, seeded):
    code = seeded["ktp_getasan"].tracking_code

    class AlwaysStale:
        def __init__(self, storage):
            self._storage = storage

        def __getattr__(self, name):
            return getattr(self._storage, name)

        def put_json(self, key, data, **conditions):
            raise PreconditionFailed(key)

    casework = Casework(AlwaysStale(backend.storage), forms, sleep=lambda s: None, max_attempts=3)
    with pytest.raises(ConcurrentChange):
        casework.set_status(code, "diproses", note="", by="Rina")
    assert len(Casework(backend.storage, forms).get(code).history) == 1


def test_service_and_casework_share_the_record_shape(service: SubmissionService, casework,
                                                     seeded):
    app = seeded["kk_bawen"]
    record = casework.get(app.tracking_code).record
    assert record["form_id"] == KK_FORM
    assert record["received_at"] == app.received_at
