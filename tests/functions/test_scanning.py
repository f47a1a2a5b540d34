"""Malware scanning: a real clamd over the hostile corpus, the configuration, the verdicts.

clamd is Debian's clamav-daemon, started for the session with a database holding only the
EICAR signature (tests/fixtures/clamd_daemon.py): it must find EICAR alone, inside a PDF's
plain and compressed content streams, attached to a PDF and after a JPEG's end, and must
pass every other file of the corpus.
"""

from __future__ import annotations

import pytest
from chalicelib.scanning import (
    CLEAN,
    FAILED,
    GUARDDUTY_TAG,
    INFECTED,
    NOT_SCANNED,
    UNSUPPORTED,
    ClamdScanner,
    ScanningOff,
    ScanResult,
    scan_problem,
    scanner_from_env,
    state_from_tags,
)
from clamd_daemon import REPORTED_NAME
from hostile import SAMPLE_IDS, by_id, eicar


# The decompression bomb is left out: the checks refuse it before any scanner sees it, and
# clamd spends about a minute inflating its 400 megapixels.
@pytest.mark.parametrize("sample_id", [i for i in SAMPLE_IDS if i != "png-bomb"])
def test_clamd_finds_eicar_wherever_it_hides_and_nothing_else(clamd, sample_id: str) -> None:
    sample = by_id(sample_id)
    result = ClamdScanner(socket_path=clamd.socket_path).scan_bytes(sample.data)
    if sample.malware:
        assert result == ScanResult(INFECTED, signature=REPORTED_NAME, engine="clamav")
        assert result.label == f"ANCAMAN TERDETEKSI: {REPORTED_NAME} (ClamAV)"
    else:
        assert result == ScanResult(CLEAN, engine="clamav")
        assert result.label == "bersih (ClamAV)"


def test_the_corpus_hides_eicar_where_only_a_scanner_can_see_it() -> None:
    from chalicelib.filecheck import inspect_upload

    for sample_id in ("pdf-eicar-in-content", "pdf-eicar-in-compressed-content"):
        sample = by_id(sample_id)
        assert inspect_upload(sample.data, declared_type=sample.type, accept=[sample.type],
                              name=sample.name).problem is None
    assert eicar() not in by_id("pdf-eicar-in-compressed-content").data


def test_clamd_over_tcp(clamd) -> None:
    scanner = scanner_from_env({"CLAMD_HOST": clamd.host, "CLAMD_PORT": str(clamd.port)})
    assert isinstance(scanner, ClamdScanner) and scanner.address == f"127.0.0.1:{clamd.port}"
    assert scanner.scan_bytes(eicar()).infected
    assert scanner.scan_bytes(by_id("jpeg-camera").data).clean
    assert scanner.describe().startswith("Pemindaian virus: aktif, ClamAV ")


def test_clamd_over_its_unix_socket_from_the_environment(clamd) -> None:
    scanner = scanner_from_env({"CLAMD_SOCKET": clamd.socket_path, "CLAMD_TIMEOUT": "5"})
    assert scanner.timeout == 5.0
    assert scanner.scan_bytes(by_id("pdf-eicar-attached").data).signature == REPORTED_NAME
    assert f"di {clamd.socket_path}." in scanner.describe()


def test_an_unreachable_clamd_is_a_failed_scan_never_a_clean_one(tmp_path) -> None:
    scanner = ClamdScanner(socket_path=str(tmp_path / "tidak-ada.sock"), timeout=2)
    result = scanner.scan_bytes(eicar())
    assert result.status == FAILED and not result.clean
    assert result.label == "pemindaian gagal (ClamAV)"
    assert "TIDAK menjawab" in scanner.describe()


def test_without_configuration_scanning_is_off() -> None:
    scanner = scanner_from_env({})
    assert isinstance(scanner, ScanningOff) and not scanner.enabled
    assert scanner.scan_bytes(eicar()) == ScanResult(NOT_SCANNED)
    assert scanner.scan_bytes(eicar()).label == "belum dipindai"
    assert scanner.describe() == (
        "Pemindaian virus: mati (ClamAV tidak dikonfigurasi; setel CLAMD_SOCKET atau "
        "CLAMD_HOST). Berkas disimpan bertanda “belum dipindai”.")


@pytest.mark.parametrize("environ", [
    {"CLAMD_HOST": "127.0.0.1", "CLAMD_PORT": "tiga"},
    {"CLAMD_HOST": "127.0.0.1", "CLAMD_PORT": "70000"},
    {"CLAMD_SOCKET": "/run/clamav/clamd.ctl", "CLAMD_TIMEOUT": "0"},
])
def test_bad_scanner_settings_are_refused(environ) -> None:
    with pytest.raises(ValueError, match="CLAMD_"):
        scanner_from_env(environ)


@pytest.mark.parametrize(("tags", "expected"), [
    ({}, ScanResult(NOT_SCANNED)),
    ({GUARDDUTY_TAG: "NO_THREATS_FOUND"}, ScanResult(CLEAN, engine="guardduty")),
    ({GUARDDUTY_TAG: "THREATS_FOUND"}, ScanResult(INFECTED, engine="guardduty")),
    ({GUARDDUTY_TAG: "UNSUPPORTED"}, ScanResult(UNSUPPORTED, engine="guardduty")),
    ({GUARDDUTY_TAG: "ACCESS_DENIED"}, ScanResult(FAILED, engine="guardduty")),
    ({GUARDDUTY_TAG: "FAILED"}, ScanResult(FAILED, engine="guardduty")),
    ({GUARDDUTY_TAG: "SOMETHING_NEW"}, ScanResult(FAILED, engine="guardduty")),
    ({"PortalScanStatus": "clean", "PortalScanEngine": "clamav"},
     ScanResult(CLEAN, engine="clamav")),
    ({"PortalScanStatus": "infected", "PortalScanEngine": "clamav",
      "PortalScanSignature": "Win.Test.EICAR_HDB-1"},
     ScanResult(INFECTED, signature="Win.Test.EICAR_HDB-1", engine="clamav")),
    # a threat from either engine wins over a clean verdict from the other
    ({GUARDDUTY_TAG: "NO_THREATS_FOUND", "PortalScanStatus": "infected",
      "PortalScanEngine": "clamav"}, ScanResult(INFECTED, engine="clamav")),
    ({GUARDDUTY_TAG: "THREATS_FOUND", "PortalScanStatus": "clean", "PortalScanEngine": "clamav"},
     ScanResult(INFECTED, engine="guardduty")),
    ({"PortalScanStatus": "bersih-kok"}, ScanResult(FAILED)),
])
def test_tags_tell_the_verdict(tags, expected) -> None:
    assert state_from_tags(tags) == expected


def test_labels_staff_read() -> None:
    assert ScanResult(INFECTED, engine="guardduty").label == "ANCAMAN TERDETEKSI (GuardDuty)"
    assert ScanResult(CLEAN, engine="guardduty").label == "bersih (GuardDuty)"
    assert ScanResult(UNSUPPORTED, engine="guardduty").label == "tidak dapat dipindai (GuardDuty)"
    assert ScanResult(NOT_SCANNED).label == "belum dipindai"


def test_the_refusal_for_an_infected_file_names_it() -> None:
    assert scan_problem("kk.pdf") == (
        "file_infected",
        "Berkas “kk.pdf” terdeteksi mengandung virus atau program berbahaya, sehingga tidak "
        "kami terima. Periksa perangkat Anda dengan antivirus, lalu pindai ulang dokumen "
        "aslinya dan unggah lagi")


def test_the_run_command_says_whether_scanning_is_on(clamd, monkeypatch) -> None:
    from portal.devserver import _scanning_status

    for name in ("CLAMD_SOCKET", "CLAMD_HOST", "CLAMD_PORT", "CLAMD_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    assert _scanning_status().startswith("Pemindaian virus: mati (ClamAV tidak dikonfigurasi")
    monkeypatch.setenv("CLAMD_SOCKET", clamd.socket_path)
    assert _scanning_status().startswith("Pemindaian virus: aktif, ClamAV ")
    monkeypatch.setenv("CLAMD_TIMEOUT", "sebentar")
    assert _scanning_status() == ("Pemindaian virus: pengaturan salah (CLAMD_PORT and "
                                  "CLAMD_TIMEOUT must be numbers).")
