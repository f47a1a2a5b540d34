"""The senders: Amazon SES and SNS through moto, and the local outbox of .eml files."""

from __future__ import annotations

import stat
from pathlib import Path

import boto3
import pytest
from chalicelib.notify import (
    OutboxSender,
    Outgoing,
    SendError,
    SesSender,
    SnsSender,
    list_outbox,
    message_text,
    read_message,
)
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends
from notify_support import REGION

SENDER = "Dispendukcapil Kabupaten Contoh <layanan@contoh.go.id>"
RESIDENT = "siti.aminah@contoh.id"
PHONE = "+6281234567890"
SUBJECT = "Permohonan KTP-el baru sudah kami terima (K7QM-2XRD-9F)"
TEXT = "Bapak/Ibu yang kami hormati,\n\nPermohonan Anda sudah kami terima. Terima kasih — salam.\n"
HTML = "<p>Permohonan Anda sudah kami terima.</p>"


def email() -> Outgoing:
    return Outgoing.email(to=RESIDENT, subject=SUBJECT, text=TEXT, html=HTML,
                          event="tanda-terima", form_id="ktp-el-baru")


def test_ses_sends_through_sesv2_from_a_verified_identity(fake_aws) -> None:
    client = boto3.client("sesv2", region_name=REGION)
    client.create_email_identity(EmailIdentity="contoh.go.id")
    message_id = SesSender(SENDER, client=client, reply_to=["kantor@contoh.go.id"]).send(email())
    [sent] = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    assert message_id == sent.id
    assert sent.source == SENDER
    assert sent.destinations == {"ToAddresses": [RESIDENT]}
    assert sent.subject == SUBJECT
    assert sent.body == HTML  # moto keeps the HTML part when there is one


def test_ses_builds_its_client_from_the_region(fake_aws) -> None:
    boto3.client("sesv2", region_name=REGION).create_email_identity(EmailIdentity="contoh.go.id")
    sender = SesSender(SENDER, region=REGION)
    sender.send(Outgoing.email(to=RESIDENT, subject=SUBJECT, text=TEXT))
    [sent] = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    assert sent.body == TEXT


def test_ses_refusal_is_a_send_error_without_the_address(fake_aws) -> None:
    sender = SesSender(SENDER, region=REGION)  # identity never verified
    with pytest.raises(SendError) as caught:
        sender.send(email())
    assert caught.value.code == "MessageRejected"
    assert RESIDENT not in str(caught.value) and "contoh.go.id" not in str(caught.value)
    assert RESIDENT not in repr(email())


def test_sns_sends_a_transactional_sms(fake_aws) -> None:
    sender = SnsSender(region=REGION)
    sender.send(Outgoing.sms(to=PHONE, text="Permohonan K7QM-2XRD-9F sudah kami terima.",
                             event="tanda-terima"))
    [(number, text)] = sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values()
    assert number == PHONE
    assert text == "Permohonan K7QM-2XRD-9F sudah kami terima."


def test_senders_refuse_the_other_channel(fake_aws) -> None:
    with pytest.raises(SendError, match="wrong_channel"):
        SnsSender(region=REGION).send(email())
    with pytest.raises(SendError, match="wrong_channel"):
        SesSender(SENDER, region=REGION).send(Outgoing.sms(to=PHONE, text="x"))


def test_outbox_writes_a_complete_utf8_email_owner_only(tmp_path: Path, clock) -> None:
    folder = tmp_path / "storage" / "outbox"
    name = OutboxSender(folder, sender=SENDER, reply_to=["kantor@contoh.go.id"],
                        clock=clock).send(email())
    path = folder / name
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert name.startswith("20200925-101500-tanda-terima-") and name.endswith(".eml")
    assert "K7QM" not in name and "siti" not in name
    assert not list(folder.glob(".tmp-*"))
    parsed = read_message(path)
    assert parsed["From"] == SENDER
    assert parsed["To"] == RESIDENT
    assert parsed["Subject"] == SUBJECT
    assert parsed["Reply-To"] == "kantor@contoh.go.id"
    assert parsed["Date"] == "Fri, 25 Sep 2020 10:15:00 +0700"
    assert parsed["Message-ID"].endswith("@contoh.go.id>")
    assert parsed["X-Portal-Event"] == "tanda-terima"
    assert parsed.get_content_type() == "multipart/alternative"
    assert message_text(parsed) == TEXT
    html = parsed.get_body(preferencelist=("html",))
    assert html.get_content_charset() == "utf-8" and html.get_content().strip() == HTML
    raw = path.read_bytes()
    assert raw.isascii()  # headers encoded, bodies transfer-encoded: any mail program reads it


def test_outbox_keeps_an_sms_and_lists_everything_oldest_first(tmp_path: Path, clock) -> None:
    sender = OutboxSender(tmp_path / "outbox", clock=clock)
    sender.send(email())
    clock.advance(minutes=3)
    sender.send(Outgoing.sms(to=PHONE, text="Permohonan K7QM-2XRD-9F selesai.", event="selesai"))
    first, second = list_outbox(tmp_path / "outbox")
    assert (first.number, first.channel, first.event, first.to) == (1, "email", "tanda-terima", RESIDENT)
    assert first.subject == SUBJECT
    assert (second.number, second.channel, second.to) == (2, "sms", PHONE)
    assert second.sent_at.isoformat() == "2020-09-25T10:18:00+07:00"
    assert message_text(read_message(second.path)).strip() == "Permohonan K7QM-2XRD-9F selesai."
    assert list_outbox(tmp_path / "nowhere") == []


def test_an_unwritable_outbox_is_a_send_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SendError, match="outbox_unwritable"):
        OutboxSender(blocker / "outbox").send(email())
