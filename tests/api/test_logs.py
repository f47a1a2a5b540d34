"""No personal data in logs: a full submission, every log line captured, none of it personal."""

from __future__ import annotations

import json
import logging

import pytest
from api_support import EMAIL, NAME, NIK, PDF, PHONE_E164, PHONE_TYPED, VALUES, Api, file_decl


def personal_fragments() -> list[str]:
    """Every way the resident's data could appear in text."""
    digits = PHONE_E164.lstrip("+")
    return [
        NIK, "3322 0152 0890 0001", NAME, *NAME.split(), PHONE_TYPED, PHONE_E164, digits,
        digits[2:], EMAIL, "siti.aminah", VALUES["keterangan"], "Krajan",
    ]


def test_a_full_submission_logs_no_personal_data(
    api: Api, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)  # everything, from every logger (boto, chalice, ours)
    logging.getLogger("dukcapil").setLevel(logging.DEBUG)
    api.module.app.debug = True  # chalice's own logger at its chattiest
    try:
        # A refused attempt first (errors are logged too), then the real one.
        bad = api.create(values={**VALUES, "tanggal_lahir": "1990-08-21", "nama": NAME + "9"},
                         key="kunci-pengiriman-log-0001")
        assert bad.status_code == 422
        offer = json.loads(api.create(key="kunci-pengiriman-log-0002",
                                      files=[file_decl("kk", PDF, "application/pdf",
                                                       name=f"KK {NAME} {NIK}.pdf")]).body)
        assert api.complete(offer["submission_id"]).status_code == 422  # not uploaded yet
        assert api.upload(offer["uploads"][0], PDF) in (200, 201, 204)
        receipt = json.loads(api.complete(offer["submission_id"]).body)
        assert api.status(receipt["tracking_code"], receipt["status_token"]).status_code == 200
        assert api.status(receipt["tracking_code"], "salah").status_code == 404
    finally:
        api.module.app.debug = False
        logging.getLogger("dukcapil").setLevel(logging.INFO)
    captured = capsys.readouterr()
    text = "\n".join(
        [r.getMessage() for r in caplog.records]
        + [str(r.args) for r in caplog.records]
        + [captured.out, captured.err]
    )
    assert "create ok" in text  # the capture did see our logs
    for fragment in personal_fragments():
        assert fragment not in text, f"personal data in logs: {fragment!r}"
    # The status token appears nowhere; the tracking code only inside storage keys
    # at DEBUG level (botocore's and the storage's own), never in the service's logs.
    assert receipt["status_token"] not in text
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("dukcapil"))
    assert receipt["tracking_code"] not in ours
