"""Shared data and helpers of the API tests (imported by conftest.py and the tests).

Kept out of ``conftest.py`` so that ``from api_support import ...`` cannot pick up
another folder's ``conftest`` module. The form used is ``uji-ktp``
(``data/uji-ktp.yml``): these tests do not depend on the shipped forms changing.
"""

from __future__ import annotations

import base64
import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hostile import jpeg_bytes, text_pdf

REPOSITORY = Path(__file__).resolve().parents[2]
FUNCTIONS = REPOSITORY / "functions"
SITE_ORIGIN = "https://layanan.example.go.id"
REGION = "ap-southeast-3"
BUCKET = "uji-dukcapil-submissions"
UPLOAD_SECRET = "rahasia-uji-yang-cukup-panjang-1234"

if str(FUNCTIONS) not in sys.path:
    sys.path.insert(0, str(FUNCTIONS))

FORM_ID = "uji-ktp"
FORM_FILE = Path(__file__).resolve().parent / "data" / f"{FORM_ID}.yml"
FORM_YAML = FORM_FILE.read_text(encoding="utf-8")

# One resident's answers. Every personal value here must never reach a log.
NIK = "3322015208900001"  # a woman (day 52 = 12) born 12 August 1990, Kab. Semarang
NAME = "Siti Aminah Rahayu"
PHONE_TYPED = "0812-3456-7890"
PHONE_E164 = "+6281234567890"
EMAIL = "siti.aminah@contoh.id"
VALUES: dict[str, Any] = {
    "nik": "3322 0152 0890 0001",
    "nama": NAME,
    "tanggal_lahir": "1990-08-12",
    "jenis_kelamin": "P",
    "kecamatan": "getasan",
    "telepon": PHONE_TYPED,
    "email": EMAIL,
    "keterangan": "Rumah di Dusun Krajan RT 02",
}

# Real, whole files (the deep checks of chalicelib.filecheck decode them): tests/fixtures/hostile.py
PDF = text_pdf("KARTU KELUARGA")
JPEG = jpeg_bytes(size=(48, 32))
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def file_decl(attachment: str, data: bytes, mime: str, name: str | None = None) -> dict:
    """A ``files`` entry for ``data`` as a browser would declare it."""
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(mime, "bin")
    return {"attachment": attachment, "name": name or f"{attachment}.{ext}",
            "size": len(data), "type": mime}


@dataclass
class Api:
    """One backend under test: the HTTP test client and helpers around it."""

    backend: str
    client: Any
    module: Any
    keys: dict[str, str] = field(default_factory=dict)
    """submission id -> the idempotency key that created it (the browser's proof)."""

    @property
    def storage(self) -> Any:
        return self.module.get_storage()

    # -- requests

    def post(self, path: str, body: Any = None, *, raw: bytes | None = None,
             headers: dict[str, str] | None = None) -> Any:
        data = raw if raw is not None else json.dumps(body).encode("utf-8")
        return self.client.http.post(
            path, headers={"Content-Type": "application/json", **(headers or {})}, body=data
        )

    def get(self, path: str, headers: dict[str, str] | None = None) -> Any:
        return self.client.http.get(path, headers=headers or {})

    def create(self, *, values: dict | None = None, files: list[dict] | None = None,
               key: str = "kunci-pengiriman-uji-0001", confirmed: list[str] | None = None,
               form_id: str = FORM_ID) -> Any:
        body: dict[str, Any] = {
            "form_id": form_id,
            "idempotency_key": key,
            "values": VALUES if values is None else values,
            "files": [file_decl("kk", PDF, "application/pdf")] if files is None else files,
        }
        if confirmed is not None:
            body["confirmed_warnings"] = confirmed
        response = self.post("/submissions", body)
        if response.status_code in (200, 201):
            self.keys[json.loads(response.body)["submission_id"]] = key
        return response

    def complete(self, submission_id: str, key: str | None = None) -> Any:
        """Complete as the browser does, with the key that created the submission."""
        key = self.keys.get(submission_id, "") if key is None else key
        return self.post(f"/submissions/{submission_id}/complete", {"idempotency_key": key})

    def status(self, code: Any, token: Any) -> Any:
        return self.post("/status", {"tracking_code": code, "token": token})

    # -- uploads

    def upload(self, offer: dict, data: bytes, *, content_type: str | None = None) -> int:
        """Send ``data`` through one presigned POST exactly as a browser form would."""
        fields = dict(offer["fields"])
        mime = content_type or offer["type"]
        if self.backend == "s3":
            import requests

            response = requests.post(
                offer["url"], data=fields, files={"file": (offer["name"], data, mime)}, timeout=10
            )
            return response.status_code
        from chalicelib.local_upload import LocalUploadEndpoint
        from werkzeug.test import Client

        endpoint = Client(LocalUploadEndpoint(self.storage, site_origin=SITE_ORIGIN))
        form: dict[str, Any] = dict(fields)
        form["file"] = (io.BytesIO(data), offer["name"], mime)
        return endpoint.post("/upload", data=form).status_code

    def put_object(self, key: str, data: bytes, content_type: str) -> None:
        """Place bytes at a key directly, bypassing every policy (an attacker's view)."""
        storage = self.storage
        if self.backend == "s3":
            storage.client.put_object(Bucket=storage.bucket, Key=storage.prefix + key,
                                      Body=data, ContentType=content_type)
        else:
            with storage.open_write(key, content_type=content_type) as staged:
                staged.write(data)


