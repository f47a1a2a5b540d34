"""Shared data and helpers of the staff tests (imported by conftest.py and the tests).

Applications are seeded through the real ``SubmissionService`` (create, upload each
file to storage, complete), so records, files and the tracking index have exactly the
shape residents' submissions have.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from chalicelib.payloads import parse_create_request
from chalicelib.submissions import SubmissionService
from hostile import jpeg_bytes, text_pdf

REPOSITORY = Path(__file__).resolve().parents[2]
REGION = "ap-southeast-3"
BUCKET = "uji-dukcapil-staf"
PREFIX = "portal"

KTP_FORM = "uji-ktp"  # tests/api/data/uji-ktp.yml: kecamatan question id "kecamatan"
KK_FORM = "uji-kk"  # data/uji-kk.yml: kecamatan question id "kecamatan_tinggal"

# Residents' answers. None of these may appear in the inbox or in logs.
NIK = "3322015208900001"
NAME = "Siti Aminah Rahayu"
KTP_VALUES: dict[str, Any] = {
    "nik": "3322 0152 0890 0001",
    "nama": NAME,
    "tanggal_lahir": "1990-08-12",
    "jenis_kelamin": "P",
    "kecamatan": "getasan",
    "telepon": "0812-3456-7890",
    "email": "siti.aminah@contoh.id",
    "keterangan": "Rumah di Dusun Krajan RT 02",
}
KK_NUMBER = "3322011508900001"
KK_HEAD = "Budi Santoso"
KK_VALUES: dict[str, Any] = {
    "nomor_kk": "3322 0115 0890 0001",
    "nama_kepala": KK_HEAD,
    "kecamatan_tinggal": "bawen",
    "catatan": '=HYPERLINK("http://contoh.invalid","klik")',
}

# Real, whole files (the deep checks of chalicelib.filecheck decode them): tests/fixtures/hostile.py
PDF = text_pdf("KARTU KELUARGA")
JPEG = jpeg_bytes(size=(48, 32))


def make_content(root: Path) -> Path:
    """A content tree with the repository's offices and provinces and the two test forms."""
    (root / "forms").mkdir(parents=True)
    (root / "data").mkdir()
    shutil.copy(REPOSITORY / "content" / "offices.yml", root / "offices.yml")
    shutil.copy(REPOSITORY / "content" / "data" / "provinces.csv", root / "data" / "provinces.csv")
    shutil.copy(REPOSITORY / "content" / "retention.yml", root / "retention.yml")
    shutil.copy(REPOSITORY / "tests" / "api" / "data" / f"{KTP_FORM}.yml",
                root / "forms" / f"{KTP_FORM}.yml")
    shutil.copy(Path(__file__).parent / "data" / f"{KK_FORM}.yml", root / "forms" / f"{KK_FORM}.yml")
    return root


class MovableClock:
    """A clock the test sets by hand (aware datetimes)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@dataclass
class Seeded:
    """One application as the resident's receipt describes it."""

    tracking_code: str
    token: str
    form_id: str
    received_at: str
    files: dict[str, bytes]  # server-chosen file name -> bytes


def put_upload(storage: Any, fields: dict[str, str], data: bytes, content_type: str) -> None:
    """Place an upload where its presigned POST would have put it (``fields["key"]`` is
    the full object key: on S3 it includes the storage prefix)."""
    if hasattr(storage, "open_write"):
        with storage.open_write(fields["key"], content_type=content_type) as staged:
            staged.write(data)
    else:
        storage.client.put_object(Bucket=storage.bucket, Key=fields["key"], Body=data,
                                  ContentType=content_type)


def submit(service: SubmissionService, form_id: str, values: dict[str, Any],
           files: list[tuple[str, bytes, str]], key: str) -> Seeded:
    """Run create -> upload every file -> complete, as the browser does."""
    declared = [
        {"attachment": attachment, "name": f"{attachment}-asli.{mime.rsplit('/', 1)[-1]}",
         "size": len(data), "type": mime}
        for attachment, data, mime in files
    ]
    offer = service.create(parse_create_request(
        {"form_id": form_id, "idempotency_key": key, "values": values, "files": declared}
    ))
    stored: dict[str, bytes] = {}
    for upload, (_, data, mime) in zip(offer["uploads"], files, strict=True):
        put_upload(service.storage, upload["fields"], data, mime)
        stored[upload["fields"]["key"].rsplit("/", 1)[-1]] = data
    receipt = service.complete(offer["submission_id"], key)
    return Seeded(receipt["tracking_code"], receipt["status_token"], form_id,
                  receipt["received_at"], stored)
