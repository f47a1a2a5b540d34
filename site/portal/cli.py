"""Staff and developer command line: `portal check`, `portal new-closure`, `portal build`, `portal serve`.

Every command reads the same content model as the site build, so `check`
reports exactly what would fail the build: `file:line: what is wrong`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import click

from .cli_common import DEFAULT_SITE_OUT, ROOT, content_option
from .content import MAX_CLOSURE_DAYS, ContentErrors, load_content


@click.group()
def main() -> None:
    """Alat staf Dispendukcapil: periksa konten, umumkan penutupan, bangun dan jalankan situs."""


@main.command()
@content_option
def check(content_dir: Path) -> None:
    """Periksa semua konten; cetak `berkas:baris: masalah` dan keluar dengan kode bukan nol bila ada."""
    try:
        content = load_content(content_dir)
    except ContentErrors as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{len(exc.problems)} masalah ditemukan; situs tidak akan dibangun.") from None
    click.echo(
        f"Konten baik: {len(content.offices)} kantor, {len(content.announcements)} pengumuman, "
        f"{len(content.guides)} panduan, {len(content.forms)} formulir."
    )


def _parse_day(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' bukan tanggal (format TTTT-BB-HH, misalnya 2020-09-25)") from None


def _check_days(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= MAX_CLOSURE_DAYS:
        raise click.BadParameter(f"jumlah hari harus 1 sampai {MAX_CLOSURE_DAYS}")
    return value


@main.command("new-closure")
@content_option
@click.option("--offices", required=True, help="Id kantor dipisah koma (lihat content/offices.yml), atau 'all'.")
@click.option("--first-day", required=True, callback=_parse_day, help="Hari pertama tutup, TTTT-BB-HH.")
@click.option("--days", type=int, callback=lambda ctx, param, value: _check_days(value),
              help="Jumlah hari tutup (termasuk hari pertama).")
@click.option("--last-day", callback=_parse_day, help="Hari terakhir tutup, TTTT-BB-HH (ganti --days).")
@click.option("--reason", required=True, help="Alasan penutupan, satu atau dua kalimat.")
@click.option("--title", help="Judul pengumuman (otomatis bila kosong).")
@click.option("--instead", default="Ajukan permohonan secara daring lewat [formulir daring](formulir:).",
              show_default=True, help="Yang bisa dilakukan warga sebagai gantinya (markdown).")
@click.option("--published", callback=_parse_day, help="Tanggal terbit (bawaan: hari ini WIB).")
def new_closure(content_dir: Path, offices: str, first_day: date, days: int | None, last_day: date | None,
                reason: str, title: str | None, instead: str, published: date | None) -> None:
    """Buat berkas pengumuman penutupan yang valid di content/announcements/."""
    from .dates import format_date_id
    from .schedule import today_wib

    if (days is None) == (last_day is None):
        raise click.UsageError("Isi salah satu: --days atau --last-day.")
    last = last_day or first_day + timedelta(days=days - 1)
    if last < first_day:
        raise click.BadParameter("hari terakhir lebih awal dari hari pertama", param_hint="--last-day")
    content = load_content(content_dir)
    names = {o.id: o.name for o in content.offices}
    chosen = "all" if offices.strip() == "all" else [o.strip() for o in offices.split(",") if o.strip()]
    if chosen != "all":
        unknown = [o for o in chosen if o not in names]
        if unknown:
            raise click.BadParameter(
                f"kantor tidak dikenal: {', '.join(unknown)}. Yang ada: {', '.join(names)}", param_hint="--offices"
            )
    who = "Semua kantor" if chosen == "all" else ", ".join(names[o] for o in chosen)
    title = title or f"{who} tutup {format_date_id(first_day)} sampai {format_date_id(last)}"
    published = published or today_wib()
    slug = f"{first_day.isoformat()}-" + re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].strip("-")
    path = content_dir / "announcements" / f"{slug}.md"
    if path.exists():
        raise click.ClickException(f"{path} sudah ada; beri --title lain.")
    offices_yaml = "all" if chosen == "all" else "[" + ", ".join(chosen) + "]"
    text = (
        "---\n"
        f"title: {_yaml_str(title)}\n"
        f"date: {published.isoformat()}\n"
        "categories: [Penutupan layanan]\n"
        "closure:\n"
        f"  offices: {offices_yaml}\n"
        f"  first_day: {first_day.isoformat()}\n"
        f"  last_day: {last.isoformat()}\n"
        f"  reason: {_yaml_str(reason)}\n"
        f"  instead: {_yaml_str(instead)}\n"
        "---\n\n"
        f"{who} tidak melayani tatap muka mulai {format_date_id(first_day)} "
        f"sampai {format_date_id(last)}. Layanan dibuka kembali {format_date_id(last + timedelta(days=1))}.\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    try:
        load_content(content_dir)
    except ContentErrors as exc:
        path.unlink()
        raise click.ClickException(f"Pengumuman tidak dibuat:\n{exc}") from None
    click.echo(f"Dibuat: {path}\nPeriksa dan lengkapi isinya, lalu jalankan `portal check`.")


def _yaml_str(value: str) -> str:
    """A YAML double-quoted scalar (safe for any text staff type)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def _mkdocs(*args: str, content_dir: Path) -> int:
    env = dict(os.environ, PORTAL_CONTENT_DIR=str(content_dir), NO_MKDOCS_2_WARNING="1")
    return subprocess.call([sys.executable, "-m", "mkdocs", *args, "-f", str(ROOT / "mkdocs.yml")], env=env, cwd=ROOT)


@main.command()
@content_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_SITE_OUT,
              show_default=True, help="Folder hasil.")
def build(content_dir: Path, out: Path) -> None:
    """Bangun situs (gagal bila ada konten yang salah; tidak ada yang setengah terbit)."""
    ctx = click.get_current_context()
    ctx.invoke(check, content_dir=content_dir)
    staging = out.with_name(out.name + ".new")
    if _mkdocs("build", "--clean", "-q", "-d", str(staging), content_dir=content_dir) != 0:
        raise click.ClickException("Pembangunan gagal; situs lama tidak diubah.")
    _swap(staging, out)
    click.echo(f"Situs dibangun di {out}")


def _swap(staging: Path, out: Path) -> None:
    """Replace the old build with the new one only after the new one succeeded."""
    import shutil

    old = out.with_name(out.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)


@main.command()
@content_option
@click.option("--port", default=8000, show_default=True)
def preview(content_dir: Path, port: int) -> None:
    """Pratinjau dengan muat ulang otomatis saat konten diubah (tanpa formulir)."""
    sys.exit(_mkdocs("serve", "--watch", str(content_dir), "-a", f"127.0.0.1:{port}", content_dir=content_dir))


@main.command()
@content_option
@click.option("--port", default=8000, show_default=True)
@click.option("--storage", type=click.Path(file_okay=False, path_type=Path), default=ROOT / "var" / "storage",
              show_default=True, help="Folder penyimpanan permohonan (backend lokal).")
def serve(content_dir: Path, port: int, storage: Path) -> None:
    """Bangun situs lalu jalankan bersama fungsi formulir di http://127.0.0.1:PORT/."""
    out = DEFAULT_SITE_OUT
    os.environ.setdefault("SITE_ORIGIN", f"http://127.0.0.1:{port}")
    os.environ.setdefault("LOCAL_UPLOAD_URL", f"http://127.0.0.1:{port}/upload")
    click.get_current_context().invoke(build, content_dir=content_dir, out=out)
    from .devserver import serve as run_server

    run_server(out, host="127.0.0.1", port=port, storage_dir=storage, content_dir=content_dir)


from . import cli_applications, cli_publish  # noqa: E402  (they import cli.py only inside functions)

main.add_command(cli_publish.publish)
main.add_command(cli_publish.headers)
main.add_command(cli_applications.inbox)
main.add_command(cli_applications.show)
main.add_command(cli_applications.download)
main.add_command(cli_applications.set_status)
main.add_command(cli_applications.export)


if __name__ == "__main__":
    main()
