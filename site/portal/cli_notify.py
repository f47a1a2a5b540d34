"""Staff commands for residents' notifications: the local outbox and retries.

    portal outbox                 # messages written on the embedded default, oldest first
    portal outbox --show 3        # one message in full (headers and text)
    portal notify-retry           # send again the messages kept after a failed send

The outbox is ``<local storage folder>/outbox`` (``MAIL_OUTBOX_DIR`` to change it); the
storage and mail settings are those of the functions (see
:func:`chalicelib.notify.notifier_from_env` and ``chalicelib.storage.storage_from_env``).
Messages hold residents' addresses and tracking codes: they are printed to the terminal
only.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from .cli_common import content_option

LOCAL_STORAGE_DEFAULT = Path(__file__).resolve().parents[2] / "var" / "storage"


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    backend = (env.get("STORAGE_BACKEND") or "local").strip().lower() or "local"
    if backend == "local" and not env.get("LOCAL_STORAGE_DIR", "").strip():
        env["LOCAL_STORAGE_DIR"] = str(LOCAL_STORAGE_DEFAULT)
    return env


def _outbox_folder(env: dict[str, str]) -> Path | None:
    configured = env.get("MAIL_OUTBOX_DIR", "").strip()
    if configured:
        return Path(configured)
    local = env.get("LOCAL_STORAGE_DIR", "").strip()
    return Path(local) / "outbox" if local else None


@click.command("outbox")
@click.option("--show", "number", type=click.IntRange(min=1),
              help="Tampilkan satu pesan lengkap (nomor dari daftar).")
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path),
              help="Folder kotak keluar. Bawaan: MAIL_OUTBOX_DIR, atau outbox/ di folder "
                   "penyimpanan lokal.")
def outbox(number: int | None, folder: Path | None) -> None:
    """Daftar email dan SMS yang ditulis ke kotak keluar lokal (bukan dikirim sungguhan).

    Berisi alamat dan kode pelacakan warga: hanya dicetak ke terminal."""
    from chalicelib.notify import list_outbox, message_text, read_message

    env = _environment()
    where = folder or _outbox_folder(env)
    if where is None:
        raise click.ClickException("Kotak keluar hanya ada pada penyimpanan lokal "
                                   "(STORAGE_BACKEND=local); pakai --folder.")
    entries = list_outbox(where)
    if not entries:
        click.echo(f"Kotak keluar {where} kosong.")
        return
    if number is not None:
        if number > len(entries):
            raise click.ClickException(f"Tidak ada pesan nomor {number}; ada {len(entries)} pesan.")
        entry = entries[number - 1]
        message = read_message(entry.path)
        for header in ("Date", "From", "To", "Reply-To", "Subject", "X-Portal-Event"):
            if message[header]:
                click.echo(f"{header}: {message[header]}")
        click.echo(f"Berkas: {entry.path}")
        click.echo("")
        click.echo(message_text(message).rstrip("\n"))
        return
    rows = [("NO", "WAKTU (WIB)", "JENIS", "PESAN", "KEPADA", "JUDUL")]
    rows += [(str(e.number), e.sent_at.strftime("%Y-%m-%d %H.%M") if e.sent_at else "-",
              "SMS" if e.channel == "sms" else "email", e.event or "-", e.to,
              "" if e.channel == "sms" else e.subject) for e in entries]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[-1]]).rstrip())
    click.echo(f"{len(entries)} pesan di {where}. Lihat satu pesan: portal outbox --show NO")


@click.command("notify-retry")
@content_option
@click.option("--all", "force", is_flag=True,
              help="Coba semua pesan sekarang, juga yang belum waktunya dicoba lagi.")
def notify_retry(content_dir: Path, force: bool) -> None:
    """Kirim ulang pemberitahuan yang gagal terkirim (email atau SMS yang tertahan).

    Pesan yang gagal disimpan di notifications/pending/ dan dicoba lagi dengan jeda
    yang makin panjang; setelah 12 kali gagal dipindah ke notifications/failed/."""
    from chalicelib.notify import notifier_from_env
    from chalicelib.storage import storage_from_env

    env = _environment()
    try:
        storage = storage_from_env(env)
        notifier = notifier_from_env(storage, env, content=content_dir)
    except ValueError as exc:
        raise click.ClickException(f"Pengaturan salah: {exc}") from None
    report = notifier.retry(force=force)
    click.echo(f"Terkirim: {report.sent}. Gagal lagi: {report.failed}. "
               f"Menunggu giliran: {report.waiting}.")
    if report.gave_up:
        click.echo(f"{report.gave_up} pesan gagal terus dan dipindah ke notifications/failed/: "
                   "hubungi warga lewat telepon.")
