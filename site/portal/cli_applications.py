"""Staff commands for residents' applications: inbox, show, download, set-status, export.

    portal inbox --from 2020-09-20 --to 2020-09-26 --kecamatan getasan --status diterima
    portal show K7QM-2XRD-9F
    portal download K7QM-2XRD-9F --to ~/permohonan
    portal set-status K7QM-2XRD-9F perlu-perbaikan --note "Foto KK buram." --by "Rina"
    portal export --date 2020-09-26 --form ktp-el-baru --out ~/ekspor/ktp.csv

Storage is configured as for the functions (``STORAGE_BACKEND``, ``SUBMISSIONS_BUCKET``,
``SUBMISSIONS_PREFIX``, ``AWS_REGION``, ``LOCAL_STORAGE_DIR``; see
``chalicelib.storage.storage_from_env``); on S3 each staff member uses their own AWS
credentials through boto3's default chain (``AWS_PROFILE``, SSO, environment). The local
folder defaults to the repository's ``var/storage`` (the one ``portal serve`` uses).

The logic is in :mod:`chalicelib.casework`. The inbox shows no personal data; ``show``
prints it to the terminal only; ``download`` and ``export`` write owner-only files and
refuse the build folder and the repository's ``content/`` and ``site/``. Every read
(``inbox``, ``show``, ``download``, ``export``) first leaves an access record in storage
(:mod:`chalicelib.access_log`: who, when, which codes; ``--by`` or ``PORTAL_STAFF`` names
the reader, else the operating-system user); if it cannot be written, nothing is shown.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .cli_common import ROOT, content_option, private_data_forbidden_dirs

if TYPE_CHECKING:
    from chalicelib.access_log import AuditedCasework
    from chalicelib.casework import Application, Casework
    from chalicelib.forms import FormDefinition

F = TypeVar("F", bound=Callable[..., Any])
INBOX_DEFAULT_DAYS = 7
LOCAL_STORAGE_DEFAULT = ROOT / "var" / "storage"


# --------------------------------------------------------------------------- plumbing


def _casework(content_dir: Path) -> Casework:
    """The casework service on the configured storage, with the content's forms."""
    from chalicelib.casework import Casework
    from chalicelib.forms import FormDefinitionError, load_forms
    from chalicelib.storage import storage_from_env

    env = dict(os.environ)
    backend = (env.get("STORAGE_BACKEND") or "local").strip().lower() or "local"
    if backend == "local" and not env.get("LOCAL_STORAGE_DIR", "").strip():
        env["LOCAL_STORAGE_DIR"] = str(LOCAL_STORAGE_DEFAULT)
    try:
        storage = storage_from_env(env)
    except ValueError as exc:
        raise click.ClickException(f"Pengaturan penyimpanan salah: {exc}") from None
    click.echo(f"Penyimpanan: {_describe(storage)}", err=True)

    def forms() -> Mapping[str, FormDefinition]:
        try:
            return load_forms(content_dir / "forms", content_dir / "offices.yml",
                              provinces_file=content_dir / "data" / "provinces.csv")
        except FormDefinitionError as exc:
            raise click.ClickException(f"Definisi formulir bermasalah:\n{exc}") from None

    def policy() -> Any:
        from chalicelib.policy import load_policy

        try:
            return load_policy(content_dir)
        except FormDefinitionError as exc:
            raise click.ClickException(f"Pengaturan permohonan bermasalah:\n{exc}") from None

    def notifier() -> Any:
        from chalicelib.notify import notifier_from_env

        return notifier_from_env(storage, content=content_dir)

    return Casework(storage, forms=forms, policy=policy, notifier=notifier)


def _reads(content_dir: Path, by: str | None) -> AuditedCasework:
    """The casework service whose reads leave an access record first."""
    from chalicelib.access_log import AccessLog, Actor, AuditedCasework

    casework = _casework(content_dir)
    return AuditedCasework(casework, AccessLog(casework.storage, Actor.current(by)))


def reader_option(func: F) -> F:
    """``--by NAME`` (env ``PORTAL_STAFF``): who reads, for the access record."""
    return click.option(
        "--by", "by", envvar="PORTAL_STAFF", default=None,
        help="Nama petugas untuk catatan akses (bawaan: nama pengguna komputer). "
             "Env: PORTAL_STAFF.",
    )(func)


def _describe(storage: object) -> str:
    bucket = getattr(storage, "bucket", None)
    if bucket:
        return f"s3://{bucket}/{getattr(storage, 'prefix', '')}"
    return f"folder lokal {getattr(storage, 'root', '?')}"


def _staff_errors(func: F) -> F:
    """Turn casework refusals and AWS errors into one-line messages (exit code 1)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from chalicelib.casework import CaseworkError

        try:
            return func(*args, **kwargs)
        except CaseworkError as exc:
            raise click.ClickException(_sentence(exc.message)) from None
        except click.ClickException:
            raise
        except Exception as exc:
            message = _aws_message(exc)
            if message is None:
                raise
            raise click.ClickException(message) from None

    return wrapper  # type: ignore[return-value]


def _sentence(text: str) -> str:
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


def _aws_message(exc: Exception) -> str | None:
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code", "?")
        if code in {"AccessDenied", "403", "Forbidden"}:
            return ("Akses ke penyimpanan ditolak (AccessDenied). Periksa profil AWS Anda dan "
                    "kebijakan IAM staf (docs/iam-staff-policy.json).")
        return f"Penyimpanan menolak permintaan: {code} {error.get('Message', '')}".strip()
    if isinstance(exc, BotoCoreError):
        return f"Tidak bisa memakai S3: {exc}. Periksa kredensial AWS (AWS_PROFILE) dan region."
    return None


def _parse_day(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, tuple):
        return tuple(_parse_day(ctx, param, v) for v in value)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' bukan tanggal (format TTTT-BB-HH, misalnya "
                                 "2020-09-25)") from None


def _today() -> date:
    from chalicelib.clock import now_wib

    return now_wib().date()


# --------------------------------------------------------------------------- inbox


@click.command("inbox")
@content_option
@click.option("--from", "first_day", callback=_parse_day,
              help="Hari pertama (WIB), TTTT-BB-HH. Bawaan: 6 hari sebelum --to.")
@click.option("--to", "last_day", callback=_parse_day,
              help="Hari terakhir (WIB), TTTT-BB-HH. Bawaan: hari ini.")
@click.option("--form", "form_id", help="Hanya formulir ini (id, mis. ktp-el-baru).")
@click.option("--kecamatan", help="Hanya kecamatan ini (id atau nama, mis. getasan).")
@click.option("--status", help="Hanya status ini: diterima, diproses, perlu-perbaikan, "
                               "selesai, ditolak.")
@reader_option
@_staff_errors
def inbox(content_dir: Path, first_day: date | None, last_day: date | None,
          form_id: str | None, kecamatan: str | None, status: str | None,
          by: str | None) -> None:
    """Daftar permohonan masuk (tanpa data pribadi): kode, waktu diterima, formulir,
    kecamatan, status. Bawaan: 7 hari terakhir."""
    from datetime import timedelta

    span_days = timedelta(days=INBOX_DEFAULT_DAYS - 1)
    last = last_day or (max(_today(), first_day) if first_day else _today())
    first = first_day or last - span_days
    entries = _reads(content_dir, by).inbox(first, last, form_id=form_id, kecamatan=kecamatan,
                                            status=status)
    span = f"{first.isoformat()} s.d. {last.isoformat()}"
    if not entries:
        click.echo(f"Tidak ada permohonan {span} yang cocok.")
        return
    rows = [("KODE", "DITERIMA (WIB)", "FORMULIR", "KECAMATAN", "STATUS")]
    rows += [
        (e.tracking_code, e.received_at.strftime("%Y-%m-%d %H.%M"), e.form_id,
         e.kecamatan_label or "-", e.status_label)
        for e in entries
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
                   .rstrip())
    click.echo(f"{len(entries)} permohonan, {span}.")


# --------------------------------------------------------------------------- show


@click.command("show")
@content_option
@click.argument("code")
@click.option("--revision", type=click.IntRange(min=1), metavar="N",
              help="Revisi ke-N (1 = permohonan awal; tiap perbaikan warga menambah satu).")
@reader_option
@_staff_errors
def show(content_dir: Path, code: str, by: str | None, revision: int | None) -> None:
    """Tampilkan satu permohonan: isian, berkas, status dan seluruh riwayatnya.

    Bawaannya revisi terbaru (setelah perbaikan warga); --revision N menampilkan isian
    dan berkas seperti pada revisi N. Berisi data pribadi warga: hanya dicetak ke
    terminal, tidak disimpan ke mana pun."""
    from chalicelib.casework import Application, at_revision

    casework = _reads(content_dir, by)
    application = casework.show(code)
    if revision is not None:
        application = Application(application.key, application.etag,
                                  at_revision(application.record, revision))
    scans = {key: scan.label for key, scan in casework.scan_states(application).items()}
    for line in _describe_application(application, casework.form_of(application), scans):
        click.echo(line)


def _describe_application(application: Application, form: FormDefinition | None,
                          scans: Mapping[str, str] | None = None) -> list[str]:
    from chalicelib.clock import format_wib, parse_iso
    from chalicelib.statuses import STATUS_LABELS

    record = application.record

    def when(text: object) -> str:
        try:
            return format_wib(parse_iso(str(text)))
        except ValueError:
            return str(text)

    status = str(record.get("status", ""))
    revisions = record.get("revisions") or []
    count = max(1, len(revisions))
    number = record.get("shown_revision", count)
    lines = [
        f"Permohonan {application.tracking_code}",
        f"  Formulir : {record.get('form_title', '')} ({record.get('form_id', '')})",
        f"  Diterima : {when(record.get('received_at'))}",
        f"  Status   : {STATUS_LABELS.get(status, status)}",
        f"  Revisi   : {number} dari {count}" + ("" if count == 1 else
                                                 "  (revisi lain: --revision N)"),
        "",
        "Isian:" if number == count else f"Isian pada revisi {number}:",
    ]
    values: Mapping[str, Any] = record.get("values") or {}
    specs = list(form.fields) if form else []
    shown = set()
    for spec in specs:
        shown.add(spec.id)
        value = values.get(spec.id)
        text = "-" if value in (None, "") else str(value)
        if spec.type == "choice" and value not in (None, ""):
            labels = {c.value: c.label for c in spec.choices}
            text = f"{labels.get(str(value), str(value))} ({value})"
        lines.append(f"  {spec.label}: {text}")
    for key in sorted(set(values) - shown):
        lines.append(f"  {key}: {values[key]}")
    warnings = record.get("confirmed_warnings") or []
    if warnings:
        lines.append(f"  Peringatan yang dikonfirmasi warga: {', '.join(map(str, warnings))}")
    lines += ["", "Berkas:"]
    attachments = {a.id: a.label for a in form.attachments} if form else {}
    files = record.get("files") or []
    for item in files:
        name = str(item.get("key", "")).rsplit("/", 1)[-1]
        label = attachments.get(item.get("attachment"), item.get("attachment"))
        scan = (scans or {}).get(str(item.get("key", "")), "belum dipindai")
        lines.append(f"  {name}  {label}  {item.get('size')} bita  {item.get('type')}  "
                     f"(nama asli: {item.get('name')})  [{scan}]")
    if not files:
        lines.append("  (tidak ada)")
    lines += ["", "Riwayat:"]
    for entry in application.history:
        before = entry.get("from")
        before_text = STATUS_LABELS.get(str(before), str(before)) if before else "(baru)"
        after = STATUS_LABELS.get(str(entry.get("to")), str(entry.get("to")))
        note = f"  “{entry['note']}”" if entry.get("note") else ""
        lines.append(f"  {when(entry.get('at'))}  {entry.get('by')}: {before_text} → "
                     f"{after}{note}")
    return lines


# --------------------------------------------------------------------------- download


@click.command("download")
@content_option
@click.argument("code")
@click.option("--to", "folder", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder tujuan; permohonan ditulis ke FOLDER/KODE/.")
@click.option("--revision", type=click.IntRange(min=1), metavar="N",
              help="Revisi ke-N (1 = permohonan awal; tiap perbaikan warga menambah satu).")
@reader_option
@_staff_errors
def download(content_dir: Path, code: str, folder: Path, by: str | None,
             revision: int | None) -> None:
    """Unduh record.json dan semua berkas satu permohonan ke FOLDER/KODE/.

    Dengan --revision N: berkas seperti pada revisi N, ke FOLDER/KODE/revisi-N/.

    Berkas hanya bisa dibaca pemiliknya (0600, folder 0700). Folder hasil build situs
    (build/) dan folder content/ serta site/ repositori ditolak."""
    casework = _reads(content_dir, by)
    result = casework.download(code, folder, forbidden=private_data_forbidden_dirs(content_dir),
                               revision=revision)
    click.echo(f"Ditulis ke {result.folder}/: record.json dan {len(result.files)} berkas di "
               "files/ (hanya bisa dibaca pemilik).")
    for name, scan in result.scans:
        if not scan.clean:
            click.echo(f"  {name}: {scan.label}", err=scan.infected)
    if result.withheld:
        click.echo(f"PERINGATAN: {len(result.withheld)} berkas TIDAK diunduh karena pemindai "
                   "menemukan ancaman (virus atau program berbahaya): "
                   f"{', '.join(result.withheld)}. Jangan membukanya dari sumber lain; laporkan ke "
                   "pengelola sistem dan minta warga mengirim ulang dokumennya (set-status "
                   "perlu-perbaikan).", err=True)
    click.echo("Berisi data pribadi warga: hapus setelah selesai diproses.")


# --------------------------------------------------------------------------- set-status


@click.command("set-status")
@content_option
@click.argument("code")
@click.argument("status")
@click.option("--note", default="", help="Catatan yang dibaca warga di cek status (paling "
                                         "banyak 500 karakter). Wajib untuk perlu-perbaikan "
                                         "dan ditolak.")
@click.option("--by", "by", envvar="PORTAL_STAFF", required=True,
              help="Nama petugas (disimpan di riwayat; tidak ditampilkan ke warga). "
                   "Env: PORTAL_STAFF.")
@click.option("--field", "fields", multiple=True, metavar="ID",
              help="perlu-perbaikan: id isian yang harus diisi ulang warga (boleh diulang).")
@click.option("--attachment", "attachments", multiple=True, metavar="ID",
              help="perlu-perbaikan: id lampiran yang harus diunggah ulang (boleh diulang).")
@click.option("--document", "documents", multiple=True, metavar="PDF",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="selesai (KK, akta, surat pindah...): dokumen hasil PDF bertanda tangan "
                   "elektronik untuk diunduh warga (boleh diulang).")
@click.option("--collect-at", metavar="KANTOR",
              help="selesai (KTP-el, KIA): id kantor tempat kartu diambil (offices.yml).")
@click.option("--collect-from", callback=_parse_day, metavar="TTTT-BB-HH",
              help="selesai (KTP-el, KIA): hari pertama kartu bisa diambil (bawaan: hari ini).")
@click.option("--bring", multiple=True, metavar="TEKS",
              help="selesai (KTP-el, KIA): yang perlu dibawa, selain daftar bawaan kantor.")
@_staff_errors
def set_status(content_dir: Path, code: str, status: str, note: str, by: str,
               fields: tuple[str, ...], attachments: tuple[str, ...], documents: tuple[Path, ...],
               collect_at: str | None, collect_from: date | None, bring: tuple[str, ...]) -> None:
    """Ubah status permohonan: diterima, diproses, perlu-perbaikan, selesai, ditolak.

    perlu-perbaikan: sebutkan --field/--attachment yang harus diperbaiki warga; warga
    memperbaikinya di halaman cek status (status lalu menjadi "sudah diperbaiki").
    selesai: lampirkan --document (PDF) untuk layanan dokumen, atau --collect-at dan
    --collect-from untuk kartu (KTP-el, KIA).

    Perubahan ditambahkan ke riwayat (siapa, kapan, dari, ke, catatan); riwayat lama
    tidak pernah ditimpa. Aman bila dua petugas mengubah permohonan yang sama bersamaan."""
    from chalicelib.clock import format_wib, parse_iso
    from chalicelib.status_changes import ResultFile
    from chalicelib.statuses import STATUS_LABELS

    files = tuple(ResultFile(path.name, path.read_bytes()) for path in documents)
    change = _casework(content_dir).set_status(
        code, status, note=note, by=by, fields=fields, attachments=attachments, documents=files,
        collect_at=collect_at, collect_from=collect_from, bring=bring)
    entry = change.entry
    before = STATUS_LABELS.get(str(entry["from"]), str(entry["from"]))
    click.echo(f"{change.tracking_code}: {before} → {STATUS_LABELS[entry['to']]} "
               f"({format_wib(parse_iso(entry['at']))}, oleh {entry['by']}).")
    if entry["note"]:
        click.echo(f"Catatan untuk warga: {entry['note']}")
    correction = change.record.get("correction") if entry["to"] == "perlu_perbaikan" else None
    if correction:
        asked = [*correction["fields"], *correction["attachments"]]
        click.echo(f"Yang harus diperbaiki warga: {', '.join(asked)}; batas "
                   f"{format_wib(parse_iso(correction['deadline']))}.")
    result = change.record.get("result") if entry["to"] == "selesai" else None
    if result and result["kind"] == "document":
        click.echo(f"Dokumen untuk diunduh warga: {len(result['documents'])}, sampai "
                   f"{format_wib(parse_iso(result['available_until']))}.")
    elif result:
        place = result["collection"]
        click.echo(f"Kartu diambil di {place['office_name']} mulai {place['from']}.")
    if change.attempts > 1:
        click.echo(f"(Ada perubahan lain pada saat yang sama; perubahan Anda ditambahkan "
                   f"setelahnya, percobaan ke-{change.attempts}.)")


# --------------------------------------------------------------------------- export


@click.command("export")
@content_option
@click.option("--date", "days", multiple=True, required=True, callback=_parse_day,
              help="Hari diterima (WIB), TTTT-BB-HH; boleh diulang bersama --to.")
@click.option("--form", "form_id", help="Id formulir. Wajib dengan --out; dengan --to "
                                        "bawaannya semua formulir yang ada permohonannya.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Berkas tujuan, .csv atau .xlsx (satu hari, satu formulir).")
@click.option("--to", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Folder tujuan: satu berkas per hari dan formulir, TANGGAL_FORMULIR.csv.")
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx"]),
              help="csv, atau xlsx untuk Excel (NIK dan KK tetap utuh 16 digit). Bawaan: "
                   "akhiran --out, atau csv.")
@click.option("--delimiter", type=click.Choice([",", ";"]), default=",", show_default=True,
              help="Pemisah kolom CSV; pakai ';' untuk Excel dengan pengaturan wilayah Indonesia.")
@reader_option
@_staff_errors
def export(content_dir: Path, days: tuple[date, ...], form_id: str | None, out: Path | None,
           folder: Path | None, file_format: str | None, delimiter: str, by: str | None) -> None:
    """Ekspor permohonan per hari dan formulir ke CSV atau Excel (.xlsx) untuk sistem kantor.

    Kolom: tracking_code, received_at, status, lalu kolom ekspor definisi formulir.
    CSV: UTF-8 dengan BOM. XLSX: semua sel berformat teks, jadi NIK dan KK tidak berubah
    menjadi 3,32201E+15. Hanya bisa dibaca pemilik (0600)."""
    from chalicelib.casework import write_csv

    if (out is None) == (folder is None):
        raise click.UsageError("Isi salah satu: --out BERKAS.csv atau --to FOLDER.")
    suffix = out.suffix.lower().lstrip(".") if out is not None else ""
    if file_format and suffix in ("csv", "xlsx") and suffix != file_format:
        raise click.UsageError(f"--out berakhiran .{suffix} tetapi --format {file_format}; samakan.")
    file_format = file_format or ("xlsx" if suffix == "xlsx" else "csv")

    def write(result: Any, path: Path, forbidden: list[Path]) -> Path:
        if file_format == "xlsx":
            from chalicelib.xlsx_export import write_xlsx

            return write_xlsx(result, path, forbidden=forbidden)
        return write_csv(result, path, delimiter=delimiter, forbidden=forbidden)

    if out is not None and (len(days) != 1 or not form_id):
        raise click.UsageError("--out menulis satu berkas: isi tepat satu --date dan --form "
                               "(untuk beberapa, pakai --to FOLDER).")
    casework = _reads(content_dir, by)
    forbidden = private_data_forbidden_dirs(content_dir)
    if out is not None:
        written = write(casework.export(days[0], form_id or ""), out, forbidden)
        click.echo(f"Ditulis ke {written} (hanya bisa dibaca pemilik).")
        return
    assert folder is not None
    total = 0
    for day in sorted(set(days)):
        for form in [form_id] if form_id else casework.forms_received(day):
            if form not in casework.forms:
                click.echo(f"Formulir '{form}' ({day}) tidak ada di content/forms/; dilewati.",
                           err=True)
                continue
            result = casework.export(day, form)
            if not result.rows and not form_id:
                continue
            path = folder / f"{day.isoformat()}_{form}.{file_format}"
            written = write(result, path, forbidden)
            click.echo(f"Ditulis ke {written}: {len(result.rows)} permohonan.")
            total += 1
    if total == 0:
        click.echo("Tidak ada permohonan pada hari itu; tidak ada berkas yang ditulis.")
    else:
        click.echo("Berkas berisi data pribadi warga (hanya bisa dibaca pemilik): hapus bila "
                   "sudah tidak diperlukan.")

