"""`portal publish`: check, build and sync the site to an S3 bucket or a folder.

    portal publish --bucket dukcapil-situs --dry-run     # the plan, nothing changes
    portal publish --bucket dukcapil-situs --distribution-id E2ABC   # sync, then invalidate
    portal publish --to /var/www/portal                  # another host: a plain folder
    portal headers csp [--path /admin/]                  # the build's CSP (deploy/site.json)

The sync itself is :mod:`portal.publish`, the invalidation :mod:`portal.cdn`; this
module only reads options and prints.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import click

from .cli_common import DEFAULT_SITE_OUT, content_option
from .publish import (
    Destination,
    FolderDestination,
    Plan,
    PublishError,
    S3Destination,
)
from .publish import publish as run_publish

DEFAULT_REGION = "ap-southeast-3"
ACTION_WORDS = {"upload": "baru", "update": "ubah", "delete": "hapus", "unchanged": "tetap"}


@click.command("publish")
@content_option
@click.option("--bucket", help="Bucket S3 tujuan situs (mis. dukcapil-situs).")
@click.option("--prefix", default="", envvar="SITE_PREFIX",
              help="Awalan kunci di dalam bucket (kosong: akar bucket). Env: SITE_PREFIX.")
@click.option("--to", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Terbitkan ke folder ini, untuk host lain (ganti --bucket).")
@click.option("--region", envvar=["AWS_REGION", "AWS_DEFAULT_REGION"], default=DEFAULT_REGION,
              show_default=True, help="Region AWS bucket. Env: AWS_REGION, AWS_DEFAULT_REGION.")
@click.option("--endpoint-url", envvar="SITE_S3_ENDPOINT_URL",
              help="Alamat S3 lain (penyimpanan kompatibel S3). Env: SITE_S3_ENDPOINT_URL.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_SITE_OUT,
              show_default=True, help="Folder hasil build yang diterbitkan.")
@click.option("--no-build", is_flag=True,
              help="Jangan periksa dan bangun ulang; terbitkan isi --out apa adanya.")
@click.option("--dry-run", is_flag=True,
              help="Tampilkan rencana saja; tujuan dan --out tidak diubah.")
@click.option("--force", is_flag=True,
              help="Kirim ulang semua berkas (mis. setelah aturan header diubah).")
@click.option("--distribution-id", envvar="SITE_DISTRIBUTION_ID",
              help="Distribusi CloudFront di depan bucket: alamat yang berubah diinvalidasi sekaligus "
                   "(output DistributionId dari deploy/site.json). Env: SITE_DISTRIBUTION_ID.")
def publish(content_dir: Path, bucket: str | None, prefix: str, folder: Path | None, region: str,
            endpoint_url: str | None, out: Path, no_build: bool, dry_run: bool,
            force: bool, distribution_id: str | None) -> None:
    """Periksa konten, bangun situs, lalu sinkronkan ke bucket S3 atau ke folder.

    Hanya berkas yang berubah yang dikirim; berkas yang tidak ada lagi di hasil build
    dihapus dari tujuan. Halaman, umpan, kalender dan status.json diberi cache pendek;
    aset Material yang ber-hash diberi cache panjang (immutable).
    """
    if (bucket is None) == (folder is None):
        raise click.UsageError("Isi salah satu: --bucket (S3) atau --to (folder).")
    if distribution_id and folder is not None:
        raise click.UsageError("--distribution-id hanya untuk --bucket (CloudFront di depan S3).")
    scratch: Path | None = None
    try:
        site_dir = out
        if not no_build:
            if dry_run:  # build elsewhere: a dry run leaves build/site as it was
                scratch = Path(tempfile.mkdtemp(prefix="portal-publish-"))
                site_dir = scratch / "site"
            _build(content_dir, site_dir)
        destination = _destination(bucket, prefix, folder, region, endpoint_url, site_dir)
        plan = _run(site_dir, destination, dry_run=dry_run, force=force)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    _report(plan, destination, dry_run=dry_run)
    if distribution_id:
        _invalidate(plan, distribution_id, prefix, dry_run=dry_run)


def _invalidate(plan: Plan, distribution_id: str, prefix: str, *, dry_run: bool) -> None:
    """One CloudFront invalidation for every changed page, feed and data file."""
    from .cdn import invalidate, invalidation_paths

    paths = invalidation_paths(plan, prefix)
    if not paths:
        click.echo("CloudFront: tidak ada alamat yang perlu diinvalidasi.")
        return
    if dry_run:
        click.echo(f"CloudFront {distribution_id}: akan menginvalidasi {len(paths)} alamat: {' '.join(paths)}")
        return
    import boto3

    try:
        invalidation = invalidate(boto3.client("cloudfront"), distribution_id, paths)
    except Exception as exc:
        message = _aws_message(exc)
        if message is None:
            raise
        raise click.ClickException(
            f"Situs sudah terbit, tetapi invalidasi CloudFront {distribution_id} gagal: {message}. "
            "Halaman tetap diperbarui dalam 60 detik (cache pendek).") from None
    click.echo(f"CloudFront {distribution_id}: invalidasi {invalidation} untuk {len(paths)} alamat.")


@click.command("headers")
@click.argument("what", type=click.Choice(["csp", "all"]), default="csp")
@click.option("--path", "url_path", default="/", show_default=True,
              help="Alamat halaman (mis. /admin/ untuk kebijakan CMS).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_SITE_OUT,
              show_default=True, help="Folder hasil build.")
def headers(what: str, url_path: str, out: Path) -> None:
    """Cetak header keamanan yang ditulis build (untuk parameter deploy/site.json).

    `csp` mencetak Content-Security-Policy saja; `all` mencetak semua header sebagai JSON.
    """
    import json

    from .security import HEADERS_FILE, load_headers

    found = load_headers(out)
    if found is None:
        raise click.ClickException(f"{out / HEADERS_FILE} tidak ada: jalankan `portal build` dulu.")
    chosen = found.for_path(url_path)
    click.echo(chosen["Content-Security-Policy"] if what == "csp" else json.dumps(chosen, indent=2))


def _build(content_dir: Path, out: Path) -> None:
    """Run `portal build` (checks first; the old build stays if anything fails)."""
    from .cli import build  # imported here: cli.py registers this command

    click.get_current_context().invoke(build, content_dir=content_dir, out=out)


def _destination(bucket: str | None, prefix: str, folder: Path | None, region: str,
                 endpoint_url: str | None, site_dir: Path) -> Destination:
    try:
        if folder is not None:
            return FolderDestination(folder, site_dir=site_dir)
        from chalicelib.storage import make_s3_client

        client = make_s3_client(region, endpoint_url or None)
        return S3Destination(client, bucket or "", prefix)
    except PublishError as exc:
        raise click.ClickException(str(exc)) from None


def _run(site_dir: Path, destination: Destination, *, dry_run: bool, force: bool) -> Plan:
    def progress(action: str, key: str) -> None:
        click.echo(f"  {ACTION_WORDS[action]:<6} {key}")

    try:
        return run_publish(site_dir, destination, dry_run=dry_run, force=force,
                           progress=None if dry_run else progress)
    except PublishError as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:  # botocore: no credentials, access denied, no such bucket
        message = _aws_message(exc)
        if message is None:
            raise
        raise click.ClickException(f"Gagal menerbitkan ke {destination.describe()}: {message}") \
            from None


def _aws_message(exc: Exception) -> str | None:
    """A one-line description of a botocore error, or ``None`` for anything else."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - boto3 is a dependency
        return None
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', '?')}: {error.get('Message', '')}".strip()
    if isinstance(exc, BotoCoreError):
        return f"{exc} (periksa kredensial AWS dan region)"
    return None


def _report(plan: Plan, destination: Destination, *, dry_run: bool) -> None:
    counts = plan.counts()
    summary = (f"{counts['upload']} baru, {counts['update']} berubah, "
               f"{counts['delete']} dihapus, {counts['unchanged']} tetap")
    if not dry_run:
        click.echo(f"Diterbitkan ke {destination.describe()}: {summary}.")
        return
    click.echo(f"Rencana terbit ke {destination.describe()}: {summary}.")
    for file in plan.upload:
        click.echo(f"  baru   {file.key}  [{file.content_type} | {file.cache_control}]")
    for file in plan.update:
        click.echo(f"  ubah   {file.key}  [{file.content_type} | {file.cache_control}]")
    for key in plan.delete:
        click.echo(f"  hapus  {key}")
    for file in plan.unchanged:
        click.echo(f"  tetap  {file.key}")
    click.echo("Uji coba (--dry-run): tidak ada yang diubah.")
