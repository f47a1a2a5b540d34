"""Messages whose send failed are sent again by the schedule, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from api_support import Api
from chalicelib.clock import now_wib
from chalicelib.notify import Outgoing
from chalicelib.notify.pending import PENDING_PREFIX, record_failure


def test_the_schedule_sends_again_what_failed(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    message = Outgoing.email(to="warga@contoh.id", subject="Perubahan status (K7QM-2XRD-9F)",
                             text="Status permohonan Anda berubah.", html="",
                             event="diproses", form_id="uji-ktp")
    monkeypatch.setenv("SITE_URL", "https://layanan.example.go.id/")  # as the stage sets it
    earlier = now_wib() - timedelta(hours=1)  # its back-off is over
    key = record_failure(api.storage, message, code="ServiceUnavailable", now=earlier)
    sent: list[Outgoing] = []

    class Recorder:
        def send(self, outgoing: Outgoing) -> str:
            sent.append(outgoing)
            return "id-1"

    from chalicelib import notify

    real = notify.notifier_from_env

    def with_recorder(storage, *args, **kwargs):
        notifier = real(storage, *args, **kwargs)
        notifier.email = Recorder()
        return notifier

    monkeypatch.setattr(notify, "notifier_from_env", with_recorder)
    event = api.client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event",
                                                detail={}, resources=[])
    counts = api.client.lambda_.invoke("retry_notifications", event).payload
    assert counts["sent"] == 1 and [m.to for m in sent] == ["warga@contoh.id"]
    assert api.storage.get_json(key) is None
    assert not list(api.storage.list_keys(PENDING_PREFIX))
