"""Malware scanning: one interface, two engines, one verdict per stored file.

    scanner = scanner_from_env()              # ClamAV (clamd) if configured, else "off"
    result = scanner.scan_bytes(data)         # ScanResult: clean / infected / failed / not_scanned
    storage.put_bytes(key, data, ...)         # (the caller stores the file first)
    record_scan(storage, key, result)         # the verdict travels with the object, as tags
    scan_state(storage, key)                  # later, anywhere: what is known about that file

**Engines.** Locally, ClamAV's daemon ``clamd`` scans the bytes synchronously over its
``INSTREAM`` command (Unix socket ``CLAMD_SOCKET``, or TCP ``CLAMD_HOST``/``CLAMD_PORT``),
through the ``clamav-client`` library, imported only then. Without either variable scanning
is off: files are stored and marked *belum dipindai* (not yet scanned), never *bersih*. On
S3, Amazon GuardDuty Malware Protection for S3 scans every new object under
``applications/`` by itself (``functions/resources.json``) and tags it
``GuardDutyMalwareScanStatus`` = ``NO_THREATS_FOUND`` | ``THREATS_FOUND`` | ``UNSUPPORTED`` |
``ACCESS_DENIED`` | ``FAILED``; until it has, the object has no such tag.

**Verdicts** (``ScanResult.status``): ``clean``, ``infected`` (``signature`` names what
was found when the engine says), ``not_scanned``, ``unsupported`` (the engine could not
scan that kind of file), ``failed`` (the engine erred or could not read the file),
``missing`` (no such object). Only ``clean`` means clean. A file any engine calls a
threat is ``infected``, whatever another says.

**Where verdicts live.** Object tags on both backends (S3 object tagging; the local
backend's metadata sidecar): GuardDuty's tag as it writes it, and ClamAV's as
``PortalScanStatus`` / ``PortalScanEngine`` / ``PortalScanSignature``. Writing a new
version of an object drops its tags on both backends: record the verdict after storing.
"""

from __future__ import annotations

import io
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .storage import Storage

__all__ = [
    "CLEAN", "FAILED", "GUARDDUTY_TAG", "INFECTED", "MISSING", "NOT_SCANNED", "UNSUPPORTED",
    "ClamdScanner", "ScanResult", "Scanner", "ScanningOff", "record_scan", "scan_problem",
    "scan_state", "scanner_from_env", "state_from_tags",
]

log = logging.getLogger("dukcapil.scanning")

CLEAN, INFECTED, NOT_SCANNED = "clean", "infected", "not_scanned"
UNSUPPORTED, FAILED, MISSING = "unsupported", "failed", "missing"
_RECORDABLE = frozenset({CLEAN, INFECTED, UNSUPPORTED, FAILED})

GUARDDUTY_TAG = "GuardDutyMalwareScanStatus"
STATUS_TAG, ENGINE_TAG, SIGNATURE_TAG = "PortalScanStatus", "PortalScanEngine", "PortalScanSignature"
_GUARDDUTY = {
    "NO_THREATS_FOUND": CLEAN,
    "THREATS_FOUND": INFECTED,
    "UNSUPPORTED": UNSUPPORTED,
    "ACCESS_DENIED": FAILED,
    "FAILED": FAILED,
}
_TAG_VALUE_UNSAFE = re.compile(r"[^\w .:/=+\-@]")  # what S3 allows in a tag value

_LABELS = {
    CLEAN: "bersih",
    INFECTED: "ANCAMAN TERDETEKSI",
    NOT_SCANNED: "belum dipindai",
    UNSUPPORTED: "tidak dapat dipindai",
    FAILED: "pemindaian gagal",
    MISSING: "berkas tidak ditemukan",
}
_ENGINES = {"clamav": "ClamAV", "guardduty": "GuardDuty"}


@dataclass(frozen=True)
class ScanResult:
    """One verdict: ``status`` (see the module docstring), what was found, by which engine."""

    status: str
    signature: str | None = None
    engine: str | None = None  # "clamav", "guardduty", None when nothing scanned
    detail: str | None = None  # why a scan failed (no file contents, no personal data)

    @property
    def clean(self) -> bool:
        return self.status == CLEAN

    @property
    def infected(self) -> bool:
        return self.status == INFECTED

    @property
    def label(self) -> str:
        """What staff read, in Indonesian: ``bersih (ClamAV)``, ``belum dipindai``,
        ``ANCAMAN TERDETEKSI: Win.Test.EICAR_HDB-1 (ClamAV)``..."""
        text = _LABELS.get(self.status, self.status)
        if self.signature and self.status == INFECTED:
            text += f": {self.signature}"
        engine = _ENGINES.get(self.engine or "")
        return f"{text} ({engine})" if engine and self.status != NOT_SCANNED else text


class Scanner(Protocol):
    """What ``complete`` calls: ``scan_bytes`` never raises; ``enabled`` is False when off."""

    engine: str | None
    enabled: bool

    def scan_bytes(self, data: bytes) -> ScanResult: ...

    def describe(self) -> str: ...


class ScanningOff:
    """No local scanner configured: every file is *not scanned* (never *clean*)."""

    engine = None
    enabled = False

    def scan_bytes(self, data: bytes) -> ScanResult:
        return ScanResult(NOT_SCANNED)

    def describe(self) -> str:
        return ("Pemindaian virus: mati (ClamAV tidak dikonfigurasi; setel CLAMD_SOCKET atau "
                "CLAMD_HOST). Berkas disimpan bertanda “belum dipindai”.")


class ClamdScanner:
    """ClamAV's daemon over a Unix socket or TCP, with the ``INSTREAM`` command.

    Parameters
    ----------
    socket_path
        clamd's ``LocalSocket`` (e.g. Debian's ``/run/clamav/clamd.ctl``).
    host, port
        clamd's ``TCPAddr``/``TCPSocket`` (used when ``socket_path`` is not given).
    timeout
        Seconds for connecting and for each read (clamd answers in milliseconds for our
        sizes; the function's timeout is 30 s).

    Files larger than clamd's ``StreamMaxLength`` (25 MB by default; our files are at
    most 20 MiB) come back ``failed``.
    """

    engine = "clamav"
    enabled = True

    def __init__(self, *, socket_path: str | None = None, host: str | None = None,
                 port: int = 3310, timeout: float = 20.0) -> None:
        if not socket_path and not host:
            raise ValueError("ClamdScanner needs socket_path or host")
        self.socket_path = socket_path
        self.host = host
        self.port = port
        self.timeout = timeout

    def _client(self):
        from clamav_client.clamd import ClamdNetworkSocket, ClamdUnixSocket

        if self.socket_path:
            return ClamdUnixSocket(self.socket_path, timeout=self.timeout)
        return ClamdNetworkSocket(self.host or "127.0.0.1", self.port, timeout=self.timeout)

    @property
    def address(self) -> str:
        return self.socket_path or f"{self.host}:{self.port}"

    def scan_bytes(self, data: bytes) -> ScanResult:
        """Scan ``data``; a daemon that cannot be reached or errs gives ``failed``."""
        try:
            from clamav_client.clamd import ClamdError

            answer = self._client().instream(io.BytesIO(data))
        except ImportError as exc:
            return self._failed(f"clamav-client is not installed ({exc.name})")
        except (ClamdError, OSError, ValueError) as exc:
            return self._failed(type(exc).__name__)
        status, reason = next(iter(answer.values()), ("ERROR", "empty answer"))
        if status == "FOUND":
            log.warning("scan found a threat engine=clamav signature=%s", reason)
            return ScanResult(INFECTED, signature=_tag_value(reason or "?"), engine=self.engine)
        if status == "OK":
            return ScanResult(CLEAN, engine=self.engine)
        return self._failed(str(reason))

    def _failed(self, detail: str) -> ScanResult:
        log.error("scan failed engine=clamav detail=%s", detail)
        return ScanResult(FAILED, engine=self.engine, detail=detail)

    def describe(self) -> str:
        try:
            version = self._client().version()
        except Exception as exc:  # the run command must start anyway
            return (f"Pemindaian virus: ClamAV di {self.address} TIDAK menjawab "
                    f"({type(exc).__name__}); berkas disimpan bertanda “pemindaian gagal”.")
        return f"Pemindaian virus: aktif, {version} di {self.address}."


def scanner_from_env(environ: Mapping[str, str] | None = None) -> Scanner:
    """The scanner the environment configures.

    ``CLAMD_SOCKET`` (a Unix socket path) or ``CLAMD_HOST`` with ``CLAMD_PORT`` (default
    3310) select ClamAV; ``CLAMD_TIMEOUT`` (seconds, default 20) bounds each exchange.
    Neither set: ``ScanningOff``.

    Raises
    ------
    ValueError
        For a port or timeout that is not a positive number.
    """
    environ = os.environ if environ is None else environ  # read at call time: Chalice's test client replaces os.environ
    socket_path = environ.get("CLAMD_SOCKET", "").strip()
    host = environ.get("CLAMD_HOST", "").strip()
    if not socket_path and not host:
        return ScanningOff()
    try:
        port = int(environ.get("CLAMD_PORT", "").strip() or 3310)
        timeout = float(environ.get("CLAMD_TIMEOUT", "").strip() or 20)
    except ValueError:
        raise ValueError("CLAMD_PORT and CLAMD_TIMEOUT must be numbers") from None
    if not 0 < port < 65536 or timeout <= 0:
        raise ValueError("CLAMD_PORT must be 1..65535 and CLAMD_TIMEOUT positive")
    return ClamdScanner(socket_path=socket_path or None, host=host or None, port=port,
                        timeout=timeout)


# --------------------------------------------------------------------------- stored verdicts


def record_scan(storage: Storage, key: str, result: ScanResult) -> None:
    """Keep ``result`` with the stored object ``key`` (as tags); ``not_scanned`` records
    nothing. Call it after the object is written: a new write drops earlier tags."""
    if result.status not in _RECORDABLE:
        return
    storage.put_tags(key, {
        STATUS_TAG: result.status,
        ENGINE_TAG: _tag_value(result.engine or "lain"),
        SIGNATURE_TAG: _tag_value(result.signature) if result.signature else "",  # clears an old one
    })


def scan_state(storage: Storage, key: str) -> ScanResult:
    """What is known about the stored object ``key``: its verdict from its tags.

    Works on both backends; ``missing`` when there is no such object. Storage errors
    (e.g. AccessDenied without ``s3:GetObjectTagging``) propagate.
    """
    from .storage import NotFound

    try:
        tags = storage.get_tags(key)
    except NotFound:
        return ScanResult(MISSING)
    return state_from_tags(tags)


def state_from_tags(tags: Mapping[str, str]) -> ScanResult:
    """The verdict the tags tell: a threat from any engine wins; then GuardDuty's verdict
    (the production engine); then ClamAV's; no tag at all is ``not_scanned``."""
    verdicts = []
    guardduty = tags.get(GUARDDUTY_TAG)
    if guardduty is not None:
        verdicts.append(ScanResult(_GUARDDUTY.get(guardduty, FAILED), engine="guardduty"))
    portal = tags.get(STATUS_TAG)
    if portal is not None:
        verdicts.append(ScanResult(portal if portal in _RECORDABLE else FAILED,
                                   signature=tags.get(SIGNATURE_TAG) or None,
                                   engine=tags.get(ENGINE_TAG) or None))
    for verdict in verdicts:
        if verdict.infected:
            return verdict
    return verdicts[0] if verdicts else ScanResult(NOT_SCANNED)


def scan_problem(name: str) -> tuple[str, str]:
    """``(code, message)`` refusing a file a scanner found a threat in (for ``complete``)."""
    return ("file_infected",
            f"Berkas “{name}” terdeteksi mengandung virus atau program berbahaya, sehingga "
            "tidak kami terima. Periksa perangkat Anda dengan antivirus, lalu pindai ulang "
            "dokumen aslinya dan unggah lagi")


def _tag_value(text: str) -> str:
    return _TAG_VALUE_UNSAFE.sub("_", text)[:256]
