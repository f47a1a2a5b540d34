"""Staff reads leave an access record first: who, when, which codes; never answers."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest
from chalicelib.access_log import AccessLog, AccessNotRecorded, Actor, AuditedCasework
from chalicelib.clock import now_wib
from click.testing import CliRunner
from portal.cli import main
from staff_support import KK_HEAD, KTP_FORM, NAME, NIK

SECRETS = (NIK, "3322 0152", NAME, KK_HEAD, "0812", "siti.aminah", "Dusun Krajan", "%PDF")


@pytest.fixture
def portal(backend, content_dir):
    def run(*args: str, env: dict[str, str] | None = None):
        command, *rest = args
        return CliRunner().invoke(main, [command, "--content", str(content_dir), *rest],
                                  env={**backend.env, **(env or {})}, catch_exceptions=False)

    return run


def records(storage) -> list[dict]:
    return [storage.get_json(key)[0] for key in storage.list_keys("audit/")]


def assert_no_personal_data(storage) -> None:
    for key in storage.list_keys("audit/"):
        text = json.dumps(storage.get_json(key)[0], ensure_ascii=False)
        for secret in SECRETS:
            assert secret not in text, (key, secret)


def test_every_read_command_leaves_one_record(portal, backend, seeded, tmp_path):
    code = seeded["ktp_getasan"].tracking_code
    assert portal("show", code, "--by", "Rina").exit_code == 0
    assert portal("download", code, "--to", str(tmp_path / "unduhan"),
                  env={"PORTAL_STAFF": "Budi"}).exit_code == 0
    assert portal("export", "--date", "2020-09-26", "--form", KTP_FORM,
                  "--out", str(tmp_path / "e.csv"), "--by", "Rina").exit_code == 0
    assert portal("inbox", "--from", "2020-09-25", "--to", "2020-09-26",
                  "--by", "Rina").exit_code == 0
    found = sorted(records(backend.storage), key=lambda r: r["action"])
    assert [r["action"] for r in found] == ["download", "export", "inbox", "show"]
    download, export, inbox, show = found
    assert show["by"] == "Rina" and download["by"] == "Budi"
    assert show["codes"] == [code] and show["form_id"] == KTP_FORM
    assert show["days"] == ["2020-09-26"] and show["count"] == 1
    assert download["codes"] == [code]
    assert export["codes"] == [code] and export["days"] == ["2020-09-26"]
    assert sorted(inbox["codes"]) == sorted(seeded[n].tracking_code
                                            for n in ("ktp_bawen", "ktp_getasan", "kk_bawen"))
    assert inbox["days"] == ["2020-09-25", "2020-09-26"] and inbox["count"] == 3
    today = now_wib().date().isoformat()
    for record in found:
        assert record["at"].startswith(today) and record["at"].endswith("+07:00")
        assert record["os_user"] and record["host"]
    assert all(key.startswith(f"audit/{today}/") for key in backend.storage.list_keys("audit/"))
    assert_no_personal_data(backend.storage)


def test_without_a_name_the_operating_system_user_is_recorded(portal, backend, seeded):
    assert portal("show", seeded["kk_bawen"].tracking_code).exit_code == 0
    (record,) = records(backend.storage)
    assert record["by"] == record["os_user"] == getpass.getuser()


def test_two_records_in_the_same_second_never_collide(backend):
    log = AccessLog(backend.storage, Actor.current("Rina"), clock=lambda: now_wib())
    keys = {log.record("show", codes=["K7QM-2XRD-9F"]) for _ in range(20)}
    assert len(keys) == 20 and len(list(backend.storage.list_keys("audit/"))) == 20


def test_no_record_no_data(portal, backend, seeded, tmp_path):
    """When the record cannot be written, nothing is shown and nothing is downloaded."""
    if backend.name == "local":  # a file where the audit folder should be
        (backend.storage.root / "audit").write_text("bukan folder", encoding="utf-8")
    else:  # staff without the audit permission: refuse audit/ writes on the moto bucket
        backend.storage.client.put_bucket_policy(Bucket=backend.storage.bucket, Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                           "Resource": f"arn:aws:s3:::{backend.storage.bucket}/portal/audit/*"}]}))
    code = seeded["ktp_getasan"].tracking_code
    shown = portal("show", code, "--by", "Rina")
    assert shown.exit_code == 1
    assert "Catatan akses tidak bisa disimpan" in shown.output
    assert "data permohonan tidak ditampilkan" in shown.output
    for secret in SECRETS:
        assert secret not in shown.output
    target = tmp_path / "unduhan"
    fetched = portal("download", code, "--to", str(target), "--by", "Rina")
    assert fetched.exit_code == 1 and not (target / code).exists()


def test_the_wrapper_records_before_returning(backend, casework, seeded):
    calls: list[str] = []

    class Watching(AccessLog):
        def record(self, action, **kwargs):
            calls.append(action)
            return super().record(action, **kwargs)

    reads = AuditedCasework(casework, Watching(backend.storage, Actor("Rina", "rina", "loket")))
    application = reads.show(seeded["kk_bawen"].tracking_code)
    assert calls == ["show"] and application.tracking_code == seeded["kk_bawen"].tracking_code
    with pytest.raises(Exception) as refused:
        reads.download(seeded["kk_bawen"].tracking_code, Path("build") / "x",
                       forbidden=[Path("build")])
    assert type(refused.value).__name__ == "UnsafeDestination"
    assert calls == ["show"]  # a refused destination is refused before anything is read
    assert issubclass(AccessNotRecorded, Exception)
