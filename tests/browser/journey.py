"""The lifecycle after the receipt, as the tests drive it: a resident in Chromium, staff
through the real `portal set-status` command on the test server's storage.

    receipt = apply_in_browser(page, portal, "kk-perubahan", "uji")   # {"code", "token", "link"}
    staff(portal, receipt["code"], "perlu-perbaikan", "--note", "KK buram.", "--attachment", "kartu_keluarga")
    open_status(page, portal, receipt)                                 # the receipt's status link
    outbox_step(portal, receipt["code"], "perlu_perbaikan")            # notifications: see below
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from buildutil import ROOT
from chalicelib import layout
from chalicelib.storage import LocalStorage
from click.testing import CliRunner
from formfill import choose_files, definition, fill_answers, submit_by_api
from samples import make_pdf

STAFF = "Petugas Uji"


def apply_in_browser(page, portal, form_id: str, prefix: str) -> dict[str, str]:
    """Fill and send a form as a resident; the receipt page's code, token and status link."""
    page.goto(f"{portal.url}formulir/{form_id}/")
    spec = definition(page)
    fill_answers(page, spec)
    choose_files(page, spec, prefix)
    page.get_by_role("button", name="Lanjutkan").click()
    page.get_by_role("button", name="Kirim permohonan").click()
    page.wait_for_url("**/formulir/terkirim/", timeout=30_000)
    return {"code": page.locator(".portal-code").inner_text(),
            "token": page.locator(".portal-token").inner_text(),
            "link": page.locator("#portal-receipt-link").get_attribute("href")}


def apply_by_api(portal, form_id: str, key: str) -> dict[str, str]:
    """A received application without a browser (one PDF per required attachment)."""
    with requests.Session() as http:
        spec = http.get(f"{portal.url}api/forms/{form_id}", timeout=10).json()
        files = [(a["id"], make_pdf(f"{key}-{a['id']}"), "application/pdf")
                 for a in spec["attachments"] for _ in range(a["min_count"])]
        _, done = submit_by_api(http, portal.url, form_id, files, key=key)
    assert done.status_code == 200, done.text
    receipt = done.json()
    return {"code": receipt["tracking_code"], "token": receipt["status_token"],
            "link": f"{portal.url}formulir/status/#kode={receipt['tracking_code']}&token={receipt['status_token']}"}


def staff(portal, code: str, status: str, *options: str) -> str:
    """`portal set-status CODE STATUS OPTIONS...` on the test server's storage; its output."""
    from portal.cli import main

    result = CliRunner().invoke(
        main, ["set-status", "--content", str(ROOT / "content"), code, status, *options],
        env={"STORAGE_BACKEND": "local", "LOCAL_STORAGE_DIR": str(portal.storage), "PORTAL_STAFF": STAFF},
    )
    assert result.exit_code == 0, result.output
    return result.output


def storage(portal) -> LocalStorage:
    return LocalStorage(Path(portal.storage), "http://127.0.0.1/upload", b"journey-tests-secret")


def record(portal, code: str) -> dict[str, Any]:
    store = storage(portal)
    index, _ = store.get_json(layout.tracking_index_key(code))
    return store.get_json(index["record"])[0]


def update_record(portal, code: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Change the stored record as time would (a deadline passing, an office's hours published)."""
    store = storage(portal)
    index, _ = store.get_json(layout.tracking_index_key(code))
    data, etag = store.get_json(index["record"])
    change(data)
    store.put_json(index["record"], data, if_match=etag)


def stored_bytes(portal, key: str) -> bytes:
    return storage(portal).read_bytes(key)


def open_status(page, receipt: dict[str, str]) -> None:
    """Open the receipt's status link and wait until the status shows."""
    page.goto(receipt["link"])
    page.locator("#portal-status-result").wait_for()


def outbox_step(portal, code: str, status: str) -> None:
    """The resident's email for one lifecycle step is in the local outbox.

    ``status`` is the step: ``diterima`` (the receipt), a status, ``dokumen_siap``
    (a document to download) or ``selesai`` for a card to collect. The message
    names the tracking code and links to the status page; only the receipt's link
    carries the token, and only in the URL fragment, never in the text around it.
    """
    from chalicelib.notify.outbox import list_outbox, message_text, read_message

    event = {"diterima": "tanda-terima", "perlu_perbaikan": "perlu-perbaikan",
             "dokumen_siap": "dokumen-siap", "selesai": "kartu-siap"}.get(status, status)
    mine = [e for e in list_outbox(Path(portal.storage) / "outbox")
            if e.event == event and code in e.subject + message_text(read_message(e.path))]
    assert len(mine) == 1, (code, event, [(e.event, e.subject) for e in list_outbox(
        Path(portal.storage) / "outbox")])
    text = message_text(read_message(mine[0].path))
    assert f"formulir/status/#kode={code}" in text
    if event == "tanda-terima":
        link = next(line for line in text.splitlines() if "#kode=" in line)
        assert "&token=" in link
        token = link.split("&token=", 1)[1].strip()
        assert token and text.count(token) == 1  # in the link only
    else:
        assert "token=" not in text


