"""Retention: closing marks objects for the S3 lifecycle; `portal purge` removes what is due.

Both backends (local folder, S3 through moto). moto does not run lifecycle rules, so on
S3 these tests prove the marks (tags, fresh versions) the rules act on; the rules
themselves are asserted on the packaged template (tests/api/test_package.py).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from chalicelib import layout
from chalicelib.casework import Casework
from chalicelib.clock import WIB
from chalicelib.errors import NotFound
from chalicelib.policy import load_policy
from chalicelib.purge import execute_purge, plan_purge
from chalicelib.retention import RetentionPolicy, closed_at
from click.testing import CliRunner
from portal.cli import main
from staff_support import MovableClock

CLOSED = {"retention": "closed"}
POLICY = RetentionPolicy(closed_applications_days=30, access_records_days=90)


def application_keys(storage, code: str) -> tuple[str, list[str]]:
    index = storage.get_json(layout.tracking_index_key(code))[0]
    record_key = index["record"]
    prefix = record_key.rsplit("/", 1)[0] + "/"
    return record_key, [k for k in storage.list_keys(prefix) if k != record_key]


def tags_of(storage, code: str) -> dict[str, dict]:
    record_key, others = application_keys(storage, code)
    keys = [record_key, *others, layout.tracking_index_key(code)]
    return {key: storage.tags(key) for key in keys}


# Cards are collected (no result file), so closing adds no object to count.
CARDS = dataclasses.replace(load_policy(Path(__file__).resolve().parents[2] / "content"),
                            cards=frozenset({"ktp-el", "kk"}))


def staff(backend, forms, moment: datetime) -> Casework:
    return Casework(backend.storage, forms, clock=MovableClock(moment), sleep=lambda s: None,
                    policy=CARDS)


def test_closing_marks_every_object_and_reopening_unmarks_them(backend, forms, seeded):
    code = seeded["ktp_getasan"].tracking_code
    casework = staff(backend, forms, datetime(2020, 10, 1, 9, 0, tzinfo=WIB))
    casework.set_status(code, "diproses", note="", by="Rina")
    assert all(tags == {} for tags in tags_of(backend.storage, code).values())
    casework.set_status(code, "selesai", note="KTP-el bisa diambil.", by="Rina", collect_at="dinas")
    marked = tags_of(backend.storage, code)
    assert len(marked) == 4  # record, two files, tracking index entry
    assert all(tags == CLOSED for tags in marked.values()), marked
    casework.set_status(code, "perlu-perbaikan", note="Foto buram; unggah ulang.", by="Budi",
                        attachments=["foto"])
    assert all(tags == {} for tags in tags_of(backend.storage, code).values())
    casework.set_status(code, "ditolak", note="Bukan warga Kabupaten Semarang.", by="Budi")
    assert all(tags == CLOSED for tags in tags_of(backend.storage, code).values())
    # Everything still reads as before: the rewrite kept the bytes.
    application = casework.get(code)
    record_key, files = application_keys(backend.storage, code)
    assert {f.rsplit("/", 1)[-1] for f in files} == set(seeded["ktp_getasan"].files)
    for key in files:
        assert backend.storage.read_bytes(key) == seeded["ktp_getasan"].files[key.rsplit("/", 1)[-1]]
    assert closed_at(application.record) == "2020-10-01T09:00:00+07:00"


def test_closing_on_s3_starts_every_object_afresh(backend, forms, seeded):
    if backend.name != "s3":
        pytest.skip("object age is an S3 notion")
    storage = backend.storage
    code = seeded["kk_bawen"].tracking_code
    record_key, files = application_keys(storage, code)
    keys = [record_key, *files, layout.tracking_index_key(code)]
    before = {k: storage.client.head_object(Bucket=storage.bucket, Key=storage.prefix + k)
              for k in keys}
    import time

    time.sleep(1.1)
    staff(backend, forms, datetime(2020, 10, 1, tzinfo=WIB)).set_status(
        code, "selesai", note="", by="Rina", collect_at="dinas")
    for key in keys:
        after = storage.client.head_object(Bucket=storage.bucket, Key=storage.prefix + key)
        assert after["LastModified"] > before[key]["LastModified"], key
        assert after["ContentType"] == before[key]["ContentType"]


def test_purge_removes_closed_applications_exactly_after_the_period(backend, forms, seeded, service):
    storage = backend.storage
    closing = datetime(2020, 10, 1, 9, 0, tzinfo=WIB)
    done, refused, still_open = (seeded[name].tracking_code
                                 for name in ("ktp_getasan", "kk_bawen", "ktp_bawen"))
    staff(backend, forms, closing).set_status(done, "selesai", note="", by="Rina", collect_at="dinas")
    staff(backend, forms, closing + timedelta(days=5)).set_status(
        refused, "ditolak", note="Berkas tidak lengkap.", by="Rina")
    staff(backend, forms, closing).set_status(still_open, "diproses", note="", by="Rina")

    almost = plan_purge(storage, POLICY, now=closing + timedelta(days=30, seconds=-1))
    assert almost.applications == []
    due = plan_purge(storage, POLICY, now=closing + timedelta(days=30))
    assert [item.tracking_code for item in due.applications] == [done]
    (item,) = due.applications
    assert item.keys[0] == layout.tracking_index_key(done) and item.keys[-1].endswith("record.json")
    assert len(item.keys) == 4

    years_later = closing + timedelta(days=3650)
    everything = plan_purge(storage, POLICY, now=years_later)
    assert sorted(i.tracking_code for i in everything.applications) == sorted([done, refused])
    removed = execute_purge(storage, everything)
    assert removed == everything.object_count
    for code in (done, refused):
        assert storage.get_json(layout.tracking_index_key(code)) is None
        with pytest.raises(NotFound):
            service.status(code, seeded["ktp_getasan"].token)
    assert not [k for k in storage.list_keys("applications/") if done in k or refused in k]
    # Open applications stay, however old.
    kept = staff(backend, forms, years_later).get(still_open)
    assert kept.status == "diproses"
    assert staff(backend, forms, years_later).get(seeded["ktp_old"].tracking_code).status == "diterima"
    assert plan_purge(storage, POLICY, now=years_later).object_count == 0


def test_purge_removes_old_access_records_and_quota_counters(backend):
    storage = backend.storage
    storage.put_json("audit/2020-01-01/090000-aa.json", {"action": "show"})
    storage.put_json("audit/2020-03-31/090000-bb.json", {"action": "show"})
    storage.put_json("quota/2020-03-30/1000-0.json", {"submissions": 1, "bytes": 0})
    storage.put_json("quota/2020-03-31/1000-0.json", {"submissions": 1, "bytes": 0})
    plan = plan_purge(storage, POLICY, now=datetime(2020, 4, 1, 8, 0, tzinfo=WIB))
    assert plan.access_records == ["audit/2020-01-01/090000-aa.json"]  # 91 days before
    assert plan.quota_counters == ["quota/2020-03-30/1000-0.json"]
    execute_purge(storage, plan)
    assert list(storage.list_keys("audit/")) == ["audit/2020-03-31/090000-bb.json"]
    assert list(storage.list_keys("quota/")) == ["quota/2020-03-31/1000-0.json"]


def test_portal_purge_dry_run_then_for_real(backend, forms, seeded, content_dir, tmp_path):
    content = tmp_path / "content"
    import shutil

    shutil.copytree(content_dir, content)
    (content / "retention.yml").write_text(
        "closed_applications_days: 30\naccess_records_days: 90\n", encoding="utf-8")
    old, recent = seeded["ktp_bawen"].tracking_code, seeded["kk_bawen"].tracking_code
    staff(backend, forms, datetime(2020, 10, 1, tzinfo=WIB)).set_status(old, "selesai", note="",
                                                                        by="Rina", collect_at="dinas")
    Casework(backend.storage, forms, policy=CARDS).set_status(recent, "selesai", note="", by="Rina",
                                                            collect_at="dinas")  # today

    def portal(*args: str):
        return CliRunner().invoke(main, ["purge", "--content", str(content), *args],
                                  env={**backend.env, "PORTAL_STAFF": "Admin Data"},
                                  catch_exceptions=False)

    dry = portal("--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Masa simpan: permohonan selesai/ditolak 30 hari, catatan akses 90 hari" in dry.stdout
    assert f"  {old}  uji-ktp  selesai sejak Kamis, 1 Oktober 2020 pukul 00.00 WIB  (3 objek)" \
        in dry.stdout
    assert recent not in dry.stdout
    assert "Uji coba: 1 permohonan, 0 catatan akses, 0 penghitung kuota, 0 dokumen hasil yang masa unduhnya habis; 3 objek akan dihapus." \
        in dry.stdout
    assert backend.storage.get_json(layout.tracking_index_key(old)) is not None
    assert list(backend.storage.list_keys("audit/")) == []

    asked = CliRunner().invoke(main, ["purge", "--content", str(content)], input="n\n",
                               env=backend.env)
    assert asked.exit_code == 1 and backend.storage.get_json(layout.tracking_index_key(old))

    done = portal("--yes")
    assert done.exit_code == 0, done.output
    assert "Dihapus: 1 permohonan, 0 catatan akses, 0 penghitung kuota, 0 dokumen hasil yang masa unduhnya habis; 3 objek (3 objek)." \
        in done.stdout
    assert backend.storage.get_json(layout.tracking_index_key(old)) is None
    assert backend.storage.get_json(layout.tracking_index_key(recent)) is not None
    (record_key,) = backend.storage.list_keys("audit/")
    record = backend.storage.get_json(record_key)[0]
    assert record["action"] == "purge" and record["codes"] == [old] and record["by"] == "Admin Data"

    again = portal("--dry-run")
    assert "Tidak ada yang melewati masa simpan; tidak ada yang dihapus." in again.stdout


def test_a_broken_retention_file_stops_purge_with_its_line(backend, content_dir, tmp_path):
    import shutil

    content = tmp_path / "content"
    shutil.copytree(content_dir, content)
    (content / "retention.yml").write_text("closed_applications_days: setahun\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["purge", "--content", str(content), "--dry-run"],
                                env=backend.env)
    assert result.exit_code == 1
    assert "retention.yml:1: 'closed_applications_days': 'setahun' harus bilangan bulat hari" \
        in result.output


def test_closing_keeps_other_tags_such_as_a_scanners_verdict(backend, forms, seeded):
    code = seeded["kk_bawen"].tracking_code
    _, files = application_keys(backend.storage, code)
    verdict = {"PortalScanStatus": "clean", "PortalScanEngine": "clamav"}  # (GuardDuty's is rescanned)
    for key in files:
        backend.storage.rewrite_tags(key, verdict)
    casework = staff(backend, forms, datetime(2020, 10, 1, tzinfo=WIB))
    casework.set_status(code, "selesai", note="", by="Rina", collect_at="dinas")
    assert all(backend.storage.tags(key) == {**verdict, **CLOSED} for key in files)
    casework.set_status(code, "diproses", note="", by="Rina")
    assert all(backend.storage.tags(key) == verdict for key in files)
