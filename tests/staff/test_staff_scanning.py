"""Staff commands honour malware scans, on both backends.

One application carries three files: a PDF with the EICAR test string in its page content
(valid structure: only a scanner can tell), a clean JPEG, and a PNG no scanner has seen
yet. Locally the verdicts come from a real clamd (as ``complete`` records them); on S3
they are GuardDuty's tags, put as GuardDuty would (moto does not scan).

``show`` marks each file; ``download`` never writes the threat (and removes a copy an
earlier download left), writes the others, and says which are not yet scanned.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from chalicelib.scanning import ClamdScanner, record_scan
from click.testing import CliRunner
from hostile import by_id, eicar
from portal.cli import main
from staff_support import KTP_FORM, KTP_VALUES, submit

THREAT = {"local": "ANCAMAN TERDETEKSI: Portal.Test.EICAR.UNOFFICIAL (ClamAV)",
          "s3": "ANCAMAN TERDETEKSI (GuardDuty)"}
CLEAN = {"local": "bersih (ClamAV)", "s3": "bersih (GuardDuty)"}


@pytest.fixture
def application(service, backend):
    """The three-file application, stored; returns its tracking code and file keys."""
    files = [("kk", by_id("pdf-eicar-in-content").data, "application/pdf"),
             ("foto", by_id("jpeg-camera").data, "image/jpeg"),
             ("foto", by_id("png-plain").data, "image/png")]
    seeded = submit(service, KTP_FORM, KTP_VALUES, files, key="kunci-pengiriman-pindai")
    return seeded.tracking_code


def file_keys(casework, code: str) -> list[str]:
    return [str(item["key"]) for item in casework.get(code).record["files"]]


@pytest.fixture
def scanned(request, application, backend, casework):
    """Give the first two files their verdicts, as each backend's engine would."""
    keys = file_keys(casework, application)
    if backend.name == "local":
        scanner = ClamdScanner(socket_path=request.getfixturevalue("clamd").socket_path)
        for key in keys[:2]:
            record_scan(backend.storage, key, scanner.scan_bytes(backend.storage.read_bytes(key)))
    else:
        for key, status in zip(keys[:2], ("THREATS_FOUND", "NO_THREATS_FOUND"), strict=True):
            backend.storage.put_tags(key, {"GuardDutyMalwareScanStatus": status})
    return application


def portal(backend, content_dir, *args: str):
    command, *rest = args
    return CliRunner().invoke(main, [command, "--content", str(content_dir), *rest],
                              env=backend.env, catch_exceptions=False)


def test_show_marks_every_file(scanned, backend, content_dir) -> None:
    result = portal(backend, content_dir, "show", scanned)
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines()
             if line.startswith("  0") and "bita" in line}
    assert lines["00-kk.pdf"].endswith(f"[{THREAT[backend.name]}]")
    assert lines["01-foto.jpg"].endswith(f"[{CLEAN[backend.name]}]")
    assert lines["02-foto.png"].endswith("[belum dipindai]")


def test_download_withholds_the_threat_and_flags_the_unscanned(scanned, backend, content_dir,
                                                               tmp_path: Path) -> None:
    result = portal(backend, content_dir, "download", scanned, "--to", str(tmp_path / "unduhan"))
    assert result.exit_code == 0, result.output
    files = tmp_path / "unduhan" / scanned / "files"
    assert sorted(p.name for p in files.iterdir()) == ["01-foto.jpg", "02-foto.png"]
    assert (files / "01-foto.jpg").read_bytes() == by_id("jpeg-camera").data
    assert "record.json dan 2 berkas" in result.stdout
    assert "  02-foto.png: belum dipindai" in result.stdout
    assert f"  00-kk.pdf: {THREAT[backend.name]}" in result.stderr
    assert ("PERINGATAN: 1 berkas TIDAK diunduh karena pemindai menemukan ancaman (virus atau "
            "program berbahaya): 00-kk.pdf.") in result.stderr
    for path in (tmp_path / "unduhan").rglob("*"):  # the threat reached no file on disk
        assert not path.is_file() or eicar() not in path.read_bytes()


def test_a_file_found_infected_later_is_removed_on_the_next_download(application, backend,
                                                                     casework, request,
                                                                     tmp_path: Path) -> None:
    first = casework.download(application, tmp_path)
    assert [p.name for p in first.files] == ["00-kk.pdf", "01-foto.jpg", "02-foto.png"]
    assert {scan.label for _, scan in first.scans} == {"belum dipindai"}
    assert first.withheld == ()
    request.getfixturevalue("scanned")  # the scanner's verdicts arrive afterwards
    again = casework.download(application, tmp_path)
    assert again.withheld == ("00-kk.pdf",)
    assert not (tmp_path / application / "files" / "00-kk.pdf").exists()
    assert [label for _, label in ((n, s.label) for n, s in again.scans)] == [
        THREAT[backend.name], CLEAN[backend.name], "belum dipindai"]
