"""The hostile corpus through the real API on both backends: create, upload, complete.

Every bad file is refused with its precise 4xx and nothing of it is kept; every good
file is kept byte for byte, and photos lose their location but keep their pixels.
A real clamd (tests/fixtures/clamd_daemon.py) scans, so EICAR hidden in a valid PDF
is refused as malware.
"""

from __future__ import annotations

import io
import json

import hostile
import pytest
from api_support import Api, file_decl
from chalicelib import layout, receiving

SAMPLES = hostile.corpus()


@pytest.fixture
def scanning(clamd, monkeypatch: pytest.MonkeyPatch):
    """The API's scanner is the test's clamd for this test."""
    monkeypatch.setenv("CLAMD_SOCKET", clamd.socket_path)
    receiving.scanner.cache_clear()
    yield clamd
    monkeypatch.delenv("CLAMD_SOCKET")
    receiving.scanner.cache_clear()


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.id for s in SAMPLES])
def test_every_sample_is_refused_or_kept_as_it_should_be(api: Api, scanning, sample) -> None:
    response = api.create(files=[file_decl("kk", sample.data, sample.type, name=f"{sample.id}.x")],
                          key=f"kunci-pengiriman-{sample.id}")
    assert response.status_code == 201, response.body
    offer = json.loads(response.body)
    assert api.upload(offer["uploads"][0], sample.data) in (200, 204)
    done = api.complete(offer["submission_id"])
    expected = sample.expect or ("file_infected" if sample.malware else None)
    storage = api.storage
    if expected is not None:
        assert done.status_code == 422, done.body
        data = json.loads(done.body)
        assert [(e["field"], e["code"]) for e in data["errors"]] == [("files.kk", expected)]
        assert f"{sample.id}.x" in data["errors"][0]["message"]  # names the resident's file
        assert not list(storage.list_keys(layout.APPLICATIONS_PREFIX))
        left = [k for k in storage.list_keys(f"pending/{offer['submission_id']}/")
                if not k.endswith("submission.json")]
        assert left == []  # the refused upload is not kept, even pending
        return
    assert done.status_code == 200, done.body
    receipt = json.loads(done.body)
    index, _ = storage.get_json(layout.tracking_index_key(receipt["tracking_code"]))
    record, _ = storage.get_json(index["record"])
    [kept] = record["files"]
    stored = storage.read_bytes(kept["key"])
    if sample.stored == "same":
        assert stored == sample.data
    else:
        from PIL import Image

        before, after = Image.open(io.BytesIO(sample.data)), Image.open(io.BytesIO(stored))
        assert after.tobytes() == before.tobytes()
        assert 0x8825 not in after.getexif()  # no GPS IFD
        assert kept["size"] == len(stored)
    assert kept["scan"]["status"] == "clean" and kept["scan"]["engine"] == "clamav"
