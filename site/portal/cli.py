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
from .cli_i18n import install as _indonesian_click_messages
from .content import DEFAULT_INSTEAD, MAX_CLOSURE_DAYS, ContentErrors, load_content
from .dates import DAY_NAMES_ID, MONTH_NAMES_ID

MAX_SLUG = 60  # characters of an announcement's file name after its date

_indonesian_click_messages()


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
    for warning in content.warnings:  # worth fixing, but the site still builds
        click.echo(f"{warning.path}:{warning.line}: peringatan: {warning.message}", err=True)
    click.echo(
        f"Konten baik: {len(content.offices)} kantor, {len(content.announcements)} pengumuman, "
        f"{len(content.guides)} panduan, {len(content.forms)} formulir."
        + (f" {len(content.warnings)} peringatan di atas." if content.warnings else "")
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
@click.option("--instead", default=DEFAULT_INSTEAD,
              show_default=True, help="Yang bisa dilakukan warga sebagai gantinya (markdown).")
@click.option("--published", callback=_parse_day, help="Tanggal terbit (bawaan: hari ini WIB).")
@click.option("--summary", help="Ringkasan satu atau dua kalimat (boleh kosong).")
def new_closure(content_dir: Path, offices: str, first_day: date, days: int | None, last_day: date | None,
                reason: str, title: str | None, instead: str, published: date | None, summary: str | None) -> None:
    """Buat berkas pengumuman penutupan yang valid di content/announcements/.
    \f
    The staff editor (/admin/, site/admin/formats.js) writes the same file: the same
    name and the same front matter, line for line. Change both together.
    """
    from .checking import did_you_mean
    from .dates import format_date_id, format_range_id
    from .schedule import today_wib

    custom_title = bool(title)
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
            hints = ", ".join(f"'{o}'{did_you_mean(o, set(names))}" for o in unknown)
            raise click.BadParameter(
                f"kantor tidak dikenal: {hints}. Yang ada: {', '.join(names)}", param_hint="--offices"
            )
    who = "Semua kantor" if chosen == "all" else _join_id([names[o] for o in chosen])
    when = format_range_id(first_day, last)
    title = title or f"{who} tutup {when}"
    published = published or today_wib()
    name = _slug(title) if custom_title else ""
    slug = f"{first_day.isoformat()}-{name or _auto_slug(chosen, first_day, last)}"
    path = content_dir / "announcements" / f"{slug}.md"
    if path.exists():
        raise click.ClickException(f"{path} sudah ada; beri --title lain.")
    offices_yaml = "all" if chosen == "all" else "[" + ", ".join(chosen) + "]"
    text = (
        "---\n"
        f"title: {_yaml_str(title)}\n"
        f"date: {published.isoformat()}\n"
        "categories: [Penutupan layanan]\n"
        + (f"summary: {_yaml_str(summary)}\n" if summary and summary.strip() else "")
        + "closure:\n"
        f"  offices: {offices_yaml}\n"
        f"  first_day: {first_day.isoformat()}\n"
        + (f"  days: {days}\n" if days is not None else f"  last_day: {last.isoformat()}\n")
        + f"  reason: {_yaml_str(reason)}\n"
        f"  instead: {_yaml_str(instead)}\n"
        "---\n\n"
        f"{who} tidak melayani tatap muka {_when_closed(first_day, last)}. "
        f"Layanan dibuka kembali {format_date_id(last + timedelta(days=1))}.\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    try:
        load_content(content_dir)
    except ContentErrors as exc:
        path.unlink()
        raise click.ClickException(f"Pengumuman tidak dibuat:\n{exc}") from None
    click.echo(f"Dibuat: {path}\nPeriksa dan lengkapi isinya, lalu jalankan `portal check`.")


def _join_id(names: list[str]) -> str:
    """Names joined the Indonesian way: A; A dan B; A, B dan C."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " dan " + names[-1]


def _when_closed(first: date, last: date) -> str:
    """For one day "pada Senin, 1 Februari 2021", for more "mulai … sampai …"."""
    from .dates import format_date_id

    if first == last:
        return f"pada {format_date_id(first)}"
    return f"mulai {format_date_id(first)} sampai {format_date_id(last)}"


def _auto_slug(chosen: list[str] | str, first: date, last: date) -> str:
    """`bawen-bergas-tutup-3-hari`: office ids (or how many), never a date cut in half."""
    days = (last - first).days + 1
    if chosen == "all":
        who = "semua-kantor"
    elif len(chosen) <= 3:
        who = "-".join(chosen)
    else:
        who = f"{len(chosen)}-kantor"
    return f"{who}-tutup-{days}-hari"


_DATE_WORDS = {name.lower() for name in DAY_NAMES_ID + MONTH_NAMES_ID}
_CONNECTORS = {"mulai", "sampai", "hingga", "pada", "tanggal", "tgl", "dari"}


def _slug(text: str) -> str:
    """The words of a title before its dates (the file name starts with the date already),
    lowercase and joined by hyphens, cut at a word boundary to at most MAX_SLUG characters."""
    words = re.sub(r"[^a-z0-9]+", " ", text.lower()).split()
    for index, word in enumerate(words):
        if word in _DATE_WORDS:
            words = words[:index]
            break
    while words and (words[-1] in _CONNECTORS or words[-1].isdigit()):  # "tutup 1-3 Desember"
        words.pop()
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > MAX_SLUG:
            break
        slug = candidate
    return slug or (words[0][:MAX_SLUG] if words else "")


def _yaml_str(value: str) -> str:
    """A YAML double-quoted scalar (safe for any text staff type)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def _mkdocs(*args: str, content_dir: Path, quiet: bool = False) -> int:
    """Run MkDocs on `content_dir`. `quiet`: print only warnings and errors (all output if it fails).

    Never MkDocs' own `-q`: it drops warnings before strict mode counts them, so a
    broken link would pass `portal build` and then fail `portal preview`.
    """
    env = dict(os.environ, PORTAL_CONTENT_DIR=str(content_dir), NO_MKDOCS_2_WARNING="1")
    command = [sys.executable, "-m", "mkdocs", *args, "-f", str(ROOT / "mkdocs.yml")]
    if not quiet:
        return subprocess.call(command, env=env, cwd=ROOT)
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    lines = (result.stdout + result.stderr).splitlines()
    shown = lines if result.returncode else [line for line in lines if not line.startswith("INFO")]
    for line in shown:
        click.echo(line, err=True)
    return result.returncode


@main.command()
@content_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_SITE_OUT,
              show_default=True, help="Folder hasil.")
def build(content_dir: Path, out: Path) -> None:
    """Bangun situs (gagal bila ada konten yang salah; tidak ada yang setengah terbit)."""
    ctx = click.get_current_context()
    ctx.invoke(check, content_dir=content_dir)
    staging = out.with_name(out.name + ".new")
    if _mkdocs("build", "--clean", "-d", str(staging), content_dir=content_dir, quiet=True) != 0:
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
    """Pratinjau dengan muat ulang otomatis saat konten diubah (tanpa formulir), dengan penyunting di /admin/."""
    from .cms_local import local_editor

    with local_editor(content_dir, ROOT, echo=click.echo) as editor:
        if editor:
            click.echo(f"Penyunting staf: http://127.0.0.1:{port}/admin/ (menyimpan ke {content_dir})")
        code = _mkdocs("serve", "--watch", str(content_dir), "-a", f"127.0.0.1:{port}", content_dir=content_dir)
    sys.exit(code)


@main.command()
@content_option
@click.option("--port", default=8000, show_default=True)
@click.option("--storage", type=click.Path(file_okay=False, path_type=Path), default=ROOT / "var" / "storage",
              show_default=True, help="Folder penyimpanan permohonan (backend lokal).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_SITE_OUT,
              show_default=True, help="Folder hasil build yang dilayani.")
def serve(content_dir: Path, port: int, storage: Path, out: Path) -> None:
    """Bangun situs lalu jalankan bersama fungsi formulir di http://127.0.0.1:PORT/."""
    os.environ.setdefault("SITE_ORIGIN", f"http://127.0.0.1:{port}")
    os.environ.setdefault("LOCAL_UPLOAD_URL", f"http://127.0.0.1:{port}/upload")
    from .cms_local import local_editor
    from .devserver import serve as run_server

    with local_editor(content_dir, ROOT, echo=click.echo) as editor:
        click.get_current_context().invoke(build, content_dir=content_dir, out=out)
        if editor:
            click.echo(f"Penyunting staf: http://127.0.0.1:{port}/admin/ (menyimpan ke {content_dir})")
        run_server(out, host="127.0.0.1", port=port, storage_dir=storage, content_dir=content_dir)


from . import (  # noqa: E402  (they import cli.py only inside functions)
    cli_applications,
    cli_notify,
    cli_publish,
    cli_retention,
)

main.add_command(cli_publish.publish)
main.add_command(cli_publish.headers)
main.add_command(cli_applications.inbox)
main.add_command(cli_applications.show)
main.add_command(cli_applications.download)
main.add_command(cli_applications.set_status)
main.add_command(cli_applications.export)
main.add_command(cli_retention.purge)
main.add_command(cli_notify.outbox)
main.add_command(cli_notify.notify_retry)
for _command in [main, *main.commands.values()]:
    _command.options_metavar = "[PILIHAN]"


if __name__ == "__main__":
    main()
