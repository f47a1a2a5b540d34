"""Staff commands: `portal outbox` lists and shows the local outbox, `portal notify-retry`
sends again what failed."""

from __future__ import annotations

from pathlib import Path

import pytest
from chalicelib.notify import OutboxSender, Outgoing, list_outbox
from chalicelib.notify.pending import PENDING_PREFIX, record_failure
from chalicelib.storage import LocalStorage
from click.testing import CliRunner
from notify_support import CONTENT
from portal.cli import main

EMAIL = "siti.aminah@contoh.id"
SUBJECT = "Permohonan KTP-el baru sudah kami terima (K7QM-2XRD-9F)"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name in ("STORAGE_BACKEND", "MAIL_BACKEND", "MAIL_OUTBOX_DIR", "SMS_ENABLED", "SITE_URL",
                 "SITE_ORIGIN", "MAIL_SENDER"):
        monkeypatch.delenv(name, raising=False)
    return {"LOCAL_STORAGE_DIR": str(tmp_path / "storage")}


def message(event: str = "tanda-terima", text: str = "Permohonan Anda sudah kami terima.\n") -> Outgoing:
    return Outgoing.email(to=EMAIL, subject=SUBJECT, text=text, event=event, form_id="ktp-el-baru")


def test_outbox_lists_messages_and_shows_one(env: dict[str, str], clock) -> None:
    sender = OutboxSender(Path(env["LOCAL_STORAGE_DIR"]) / "outbox", clock=clock)
    sender.send(message())
    clock.advance(hours=1)
    sender.send(Outgoing.sms(to="+6281234567890", text="Permohonan K7QM-2XRD-9F selesai.",
                             event="selesai"))
    runner = CliRunner()
    listed = runner.invoke(main, ["outbox"], env=env)
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0].split() == ["NO", "WAKTU", "(WIB)", "JENIS", "PESAN", "KEPADA", "JUDUL"]
    assert lines[1].split()[:6] == ["1", "2020-09-25", "10.15", "email", "tanda-terima", EMAIL]
    assert lines[1].endswith(SUBJECT)
    assert lines[2].split() == ["2", "2020-09-25", "11.15", "SMS", "selesai", "+6281234567890"]
    assert "2 pesan" in lines[3]
    shown = runner.invoke(main, ["outbox", "--show", "1"], env=env)
    assert shown.exit_code == 0
    assert f"To: {EMAIL}" in shown.output and f"Subject: {SUBJECT}" in shown.output
    assert shown.output.rstrip().endswith("Permohonan Anda sudah kami terima.")
    missing = runner.invoke(main, ["outbox", "--show", "3"], env=env)
    assert missing.exit_code == 1 and "Tidak ada pesan nomor 3; ada 2 pesan." in missing.output


def test_an_empty_outbox_says_so(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["outbox"], env=env)
    assert result.exit_code == 0 and "kosong" in result.output


def test_notify_retry_sends_kept_messages_into_the_outbox(env: dict[str, str]) -> None:
    storage = LocalStorage(Path(env["LOCAL_STORAGE_DIR"]), "http://127.0.0.1:8000/upload", b"x" * 32)
    record_failure(storage, message(text="Dikirim ulang.\n"), code="ServiceUnavailable")
    runner = CliRunner()
    waiting = runner.invoke(main, ["notify-retry", "--content", str(CONTENT)], env=env)
    assert waiting.exit_code == 0, waiting.output
    assert "Terkirim: 0. Gagal lagi: 0. Menunggu giliran: 1." in waiting.output
    result = runner.invoke(main, ["notify-retry", "--all", "--content", str(CONTENT)], env=env)
    assert result.exit_code == 0, result.output
    assert "Terkirim: 1. Gagal lagi: 0. Menunggu giliran: 0." in result.output
    [entry] = list_outbox(Path(env["LOCAL_STORAGE_DIR"]) / "outbox")
    assert entry.to == EMAIL and entry.subject == SUBJECT
    assert list(storage.list_keys(PENDING_PREFIX)) == []


def test_notify_retry_refuses_settings_that_cannot_work(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["notify-retry"], env={**env, "MAIL_BACKEND": "smtp"})
    assert result.exit_code == 1 and "Pengaturan salah: MAIL_BACKEND" in result.output
