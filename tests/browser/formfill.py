"""Fill a generated form page the way a resident does, from its own definition.

The definition is read from the page (``#portal-form-definition``, the JSON the
script checks with), so every shipped form is filled without a hand-written
list of its questions.
"""

from __future__ import annotations

import json
from typing import Any

from samples import sample

# One consistent resident: the NIK says a man born 17 August 1990, so forms that
# compare the NIK with the date of birth and sex raise no warning.
NIK = "3322011708900001"
NIK_TYPED = "3322 0117 0890 0001"
BIRTH = ("17", "8", "1990")
KK = "3322010101200001"
TYPES = ("pdf", "jpg", "png")


def definition(page) -> dict[str, Any]:
    return json.loads(page.locator("#portal-form-definition").text_content())


def valid_answer(field: dict[str, Any]) -> Any:
    """A valid typed answer for one question (a (day, month, year) tuple for dates)."""
    kind = field["type"]
    if kind == "nik":
        return NIK_TYPED
    if kind == "kk":
        return KK
    if kind == "name":
        return "Siti Aminah"
    if kind == "phone":
        return "0812-3456-7890"
    if kind == "email":
        return "warga@contoh.id"
    if kind == "date":
        return BIRTH
    if kind == "choice":
        values = [c["value"] for c in field["choices"]]
        return "L" if "L" in values else values[0]
    if kind == "number":
        return str(max(field["min"], 1))
    if kind == "text":
        return "Jalan Diponegoro 12, Ungaran"[: field["max_length"]]
    raise AssertionError(f"unknown field type {kind}")


def answer(page, field: dict[str, Any], value: Any) -> None:
    """Type or choose one answer."""
    fid = field["id"]
    if field["type"] == "date":
        for part, text in zip(("hari", "bulan", "tahun"), value, strict=True):
            page.fill(f'[name="{fid}-{part}"]', text)
    elif field["type"] == "choice":
        radios = page.locator(f'input[type=radio][name="{fid}"]')
        if radios.count():
            radios.and_(page.locator(f'[value="{value}"]')).check()
        else:
            page.select_option(f'select[name="{fid}"]', value)
    else:
        page.fill(f'[name="{fid}"]', value)


def fill_answers(page, spec: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """Answer every question (optional ones too); returns what was typed per field."""
    typed = {}
    for field in spec["fields"]:
        value = overrides.get(field["id"], valid_answer(field))
        answer(page, field, value)
        typed[field["id"]] = value
    return typed


def choose_files(page, spec: dict[str, Any], prefix: str) -> dict[str, dict]:
    """Attach real files: what each attachment requires, two for the first, one optional.

    Returns the payloads by file name (names are unique), rotating PDF, JPEG and PNG.
    """
    chosen: dict[str, dict] = {}
    counter = 0
    optional_done = False
    for number, attachment in enumerate(spec["attachments"]):
        count = attachment["min_count"]
        if number == 0:
            count = min(2, attachment["max_count"])
        elif count == 0 and not optional_done:
            count, optional_done = 1, True
        files = []
        for _ in range(count):
            payload = sample(TYPES[counter % 3], f"{prefix}-{attachment['id']}-{counter}")
            counter += 1
            files.append(payload)
            chosen[payload["name"]] = payload
        if files:
            page.set_input_files(f'input[type=file][name="files.{attachment["id"]}"]', files=files)
    return chosen


def api_values(spec: dict[str, Any]) -> dict[str, str]:
    """The same valid answers as the API receives them (dates as YYYY-MM-DD)."""
    values = {}
    for field in spec["fields"]:
        value = valid_answer(field)
        if field["type"] == "date":
            day, month, year = value
            value = f"{year}-{int(month):02d}-{int(day):02d}"
        values[field["id"]] = value
    return values


def submit_by_api(http, base_url: str, form_id: str, files: list[tuple[str, bytes, str]], *,
                  key: str, declared_types: list[str] | None = None) -> tuple[dict, Any]:
    """Create a submission and upload ``files`` (attachment, bytes, content type) without a browser.

    ``declared_types`` lets a test declare other types than the bytes really are.
    Returns (the create answer, the complete response).
    """
    spec = http.get(f"{base_url}api/forms/{form_id}", timeout=10).json()
    declared = [
        {"attachment": attachment, "name": f"berkas-{n}", "size": len(data),
         "type": (declared_types or [mime for _, _, mime in files])[n]}
        for n, (attachment, data, mime) in enumerate(files)
    ]
    created = http.post(f"{base_url}api/submissions", timeout=10, json={
        "form_id": form_id, "idempotency_key": key, "values": api_values(spec), "files": declared})
    assert created.status_code in (200, 201), created.text
    offer = created.json()
    for upload, (_, data, _) in zip(offer["uploads"], files, strict=True):
        sent = http.post(upload["url"], data=upload["fields"], timeout=10,
                         files={"file": ("berkas", data, upload["type"])})
        assert sent.status_code == 204, sent.text
    done = http.post(f"{base_url}api/submissions/{offer['submission_id']}/complete", timeout=10,
                     json={"idempotency_key": key})
    return offer, done
