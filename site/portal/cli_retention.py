"""``portal purge``: remove closed applications past their retention period.

    portal purge --dry-run        # what would go, nothing deleted
    portal purge                  # asks, then deletes (--yes skips the question)

The period is ``content/retention.yml``; the logic is :mod:`chalicelib.purge`. Storage
is configured as for the other staff commands (``STORAGE_BACKEND``, ...; the local folder
defaults to the repository's ``var/storage``). On S3 the bucket's lifecycle rules already
do this; running it there needs ``s3:DeleteObject`` (an administrator's credentials).
"""

from __future__ import annotations

from pathlib import Path

import click

from .cli_applications import _casework, _staff_errors, reader_option
from .cli_common import content_option


@click.command("purge")
@content_option
@click.option("--dry-run", is_flag=True, help="Hanya tampilkan yang akan dihapus; tidak ada "
                                              "yang dihapus.")
@click.option("--yes", is_flag=True, help="Hapus tanpa bertanya lagi (untuk cron).")
@reader_option
@_staff_errors
def purge(content_dir: Path, dry_run: bool, yes: bool, by: str | None) -> None:
    """Hapus permohonan selesai/ditolak yang melewati masa simpan (content/retention.yml).

    Permohonan yang masih berjalan tidak pernah dihapus. Juga menghapus catatan akses
    dan penghitung kuota yang sudah lewat masanya. Jalankan dulu dengan --dry-run."""
    from chalicelib.access_log import AccessLog, Actor
    from chalicelib.clock import format_wib
    from chalicelib.purge import execute_purge, plan_purge
    from chalicelib.retention import RETENTION_FILE, RetentionPolicyError, load_retention

    try:
        policy = load_retention(content_dir / RETENTION_FILE)
    except RetentionPolicyError as exc:
        raise click.ClickException(f"Masa simpan tidak bisa dibaca:\n{exc}") from None
    storage = _casework(content_dir).storage
    plan = plan_purge(storage, policy)
    click.echo(f"Masa simpan: permohonan selesai/ditolak {policy.closed_applications_days} "
               f"hari, catatan akses {policy.access_records_days} hari ({RETENTION_FILE}).")
    for item in plan.applications:
        click.echo(f"  {item.tracking_code}  {item.form_id}  {item.status} sejak "
                   f"{format_wib(item.closed_at)}  ({len(item.keys)} objek)")
    summary = (f"{len(plan.applications)} permohonan, {len(plan.access_records)} catatan akses, "
               f"{len(plan.quota_counters)} penghitung kuota, {len(plan.finished_documents)} dokumen "
               f"hasil yang masa unduhnya habis; {plan.object_count} objek")
    if not plan.object_count:
        click.echo("Tidak ada yang melewati masa simpan; tidak ada yang dihapus.")
        return
    if dry_run:
        click.echo(f"Uji coba: {summary} akan dihapus. Tidak ada yang dihapus.")
        return
    if not yes:
        click.confirm(f"Hapus {summary}? Tidak bisa dibatalkan", abort=True)
    AccessLog(storage, Actor.current(by)).record(
        "purge", codes=[item.tracking_code for item in plan.applications],
        count=len(plan.applications))
    deleted = execute_purge(storage, plan)
    click.echo(f"Dihapus: {summary} ({deleted} objek).")
