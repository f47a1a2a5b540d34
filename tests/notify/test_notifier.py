"""The notifier: recipients from the form, email or SMS, failures kept and retried, quiet logs."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import boto3
import pytest
from chalicelib.notify import (
    Contact,
    CorrectionRequested,
    Notifier,
    OutboxSender,
    Outgoing,
    Receipt,
    SendError,
    SesSender,
    SnsSender,
    StatusChanged,
    contact_for,
    list_outbox,
    message_text,
    notifier_from_env,
    read_message,
)
from chalicelib.notify.pending import FAILED_PREFIX, MAX_ATTEMPTS, PENDING_PREFIX
from chalicelib.notify.templates import MessageTemplateError
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from notify_support import CONTENT, REGION, SITE_URL

EMAIL = "siti.aminah@contoh.id"
PHONE = "+6281234567890"
CODE = "K7QM-2XRD-9F"
TOKEN = "ABCD-EFGH-JKMN"


class Broken:
    """A sender whose service is down."""

    def __init__(self) -> None:
        self.calls = 0

    def send(self, message: Outgoing) -> str:
        self.calls += 1
        raise SendError("ServiceUnavailable")


class Recorder:
    """A sender that works and remembers what it sent."""

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    def send(self, message: Outgoing) -> str:
        self.sent.append(message)
        return f"id-{len(self.sent)}"


def receipt(form_id: str = "ktp-el-baru", title: str = "Permohonan KTP-el baru") -> Receipt:
    from notify_support import Clock

    return Receipt(tracking_code=CODE, form_id=form_id, form_title=title, received_at=Clock()(),
                   status_token=TOKEN)


def notifier(messages, *, email=None, sms=None, storage=None, clock=None) -> Notifier:
    kwargs = {"clock": clock} if clock else {}
    return Notifier(messages=messages, site_url=SITE_URL, email=email, sms=sms, storage=storage,
                    **kwargs)


# --------------------------------------------------------------------------- recipients


def test_contact_comes_from_the_forms_email_and_phone_questions(forms) -> None:
    form = forms["ktp-el-baru"]
    email_field = next(s.id for s in form.fields if s.type == "email")
    phone_field = next(s.id for s in form.fields if s.type == "phone")
    contact = contact_for(form, {email_field: EMAIL, phone_field: PHONE, "nama": "Siti"})
    assert (contact.email, contact.phone) == (EMAIL, PHONE)
    assert EMAIL not in repr(contact) and PHONE not in repr(contact)
    assert contact_for(form, {email_field: None, phone_field: PHONE}) == Contact(None, PHONE)
    assert contact_for(form, {phone_field: "+62246921105"}) == Contact()  # a landline takes no SMS
    assert contact_for(None, {email_field: EMAIL}) == Contact()


# --------------------------------------------------------------------------- sending


def test_a_receipt_reaches_the_outbox_as_an_email(messages, forms, tmp_path: Path, clock) -> None:
    form = forms["kk-baru"]
    outbox = tmp_path / "outbox"
    delivery = notifier(messages, email=OutboxSender(outbox, clock=clock)).send(
        receipt(form.id, form.title), contact_for(form, {"email": EMAIL, "telepon": PHONE}))
    assert (delivery.outcome, delivery.channel) == ("sent", "email")
    [entry] = list_outbox(outbox)
    assert entry.to == EMAIL and entry.event == "tanda-terima"
    assert entry.subject == f"{form.title} sudah kami terima ({CODE})"
    text = message_text(read_message(entry.path))
    assert f"{SITE_URL}formulir/status/#kode={CODE}&token={TOKEN}" in text


def test_sms_goes_only_to_residents_without_email_and_only_when_switched_on(messages) -> None:
    email, sms = Recorder(), Recorder()
    both = Contact(EMAIL, PHONE)
    phone_only = Contact(None, PHONE)
    assert notifier(messages, email=email, sms=sms).send(receipt(), both).channel == "email"
    delivery = notifier(messages, email=email, sms=sms).send(receipt(), phone_only)
    assert (delivery.outcome, delivery.channel) == ("sent", "sms")
    assert sms.sent[0].to == PHONE and CODE in sms.sent[0].text and len(sms.sent[0].text) <= 160
    off = notifier(messages, email=email, sms=None).send(receipt(), phone_only)
    assert (off.outcome, off.reason) == ("skipped", "channel_off")
    nobody = notifier(messages, email=email, sms=sms).send(receipt(), Contact())
    assert (nobody.outcome, nobody.reason) == ("skipped", "no_recipient")
    quiet = StatusChanged(tracking_code=CODE, form_id="kk-baru", form_title="Permohonan KK baru",
                          status="diproses", changed_at=receipt().received_at)
    assert notifier(messages, email=email, sms=sms).send(quiet, phone_only).reason == "no_sms_text"
    assert len(sms.sent) == 1


def test_ses_delivery_through_the_notifier(messages, fake_aws) -> None:
    boto3.client("sesv2", region_name=REGION).create_email_identity(EmailIdentity="contoh.go.id")
    ses = SesSender("Layanan <layanan@contoh.go.id>", region=REGION)
    assert notifier(messages, email=ses).send(receipt(), Contact(EMAIL)).outcome == "sent"
    [sent] = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    assert sent.destinations["ToAddresses"] == [EMAIL]
    assert f"#kode={CODE}&amp;token={TOKEN}" in sent.body  # in the link's href only


def test_broken_templates_never_raise(tmp_path: Path) -> None:
    def load():
        raise MessageTemplateError([])

    delivery = notifier(load, email=Recorder()).send(receipt(), Contact(EMAIL))
    assert (delivery.outcome, delivery.reason) == ("lost", "templates_broken")


# --------------------------------------------------------------------------- failures and retries


def test_a_failed_send_is_kept_and_a_retry_sends_it(messages, storage, clock) -> None:
    broken = Broken()
    delivery = notifier(messages, email=broken, storage=storage, clock=clock).send(
        receipt(), Contact(EMAIL))
    assert (delivery.outcome, delivery.reason) == ("queued", "ServiceUnavailable")
    assert delivery.key.startswith(PENDING_PREFIX)
    record, _ = storage.get_json(delivery.key)
    assert record["attempts"] == 1 and record["message"]["to"] == EMAIL
    # What is kept in storage never holds the credential: the link keeps only the code.
    kept = json.dumps(record)
    assert TOKEN not in kept and TOKEN.replace("-", "") not in kept and f"#kode={CODE}" in kept

    working = Recorder()
    retrying = notifier(messages, email=working, storage=storage, clock=clock)
    assert retrying.retry().waiting == 1  # not due yet (5 minutes back-off)
    assert working.sent == []
    clock.advance(minutes=6)
    report = retrying.retry()
    assert (report.sent, report.failed, report.waiting) == (1, 0, 0)
    [sent] = working.sent
    assert sent.to == EMAIL and sent.event == "tanda-terima" and TOKEN not in sent.text
    assert list(storage.list_keys(PENDING_PREFIX)) == []


def test_retries_back_off_and_finally_give_up_into_failed(messages, storage, clock) -> None:
    broken = Broken()
    failing = notifier(messages, email=broken, storage=storage, clock=clock)
    key = failing.send(receipt(), Contact(EMAIL)).key
    assert failing.retry(force=True).failed == 1
    record, _ = storage.get_json(key)
    assert record["attempts"] == 2 and record["last_error"] == "ServiceUnavailable"
    assert record["next_attempt_at"] == "2020-09-25T10:25:00+07:00"  # 10 minutes after try 2
    for _ in range(MAX_ATTEMPTS - 2):
        report = failing.retry(force=True)
    assert report.gave_up == 1
    assert broken.calls == MAX_ATTEMPTS
    assert list(storage.list_keys(PENDING_PREFIX)) == []
    [failed] = list(storage.list_keys(FAILED_PREFIX))
    assert storage.get_json(failed)[0]["message"]["event"] == "tanda-terima"


def test_a_channel_switched_off_keeps_its_messages_waiting(messages, storage, clock) -> None:
    key = notifier(messages, sms=Broken(), storage=storage, clock=clock).send(
        receipt(), Contact(None, PHONE)).key
    report = notifier(messages, email=Recorder(), sms=None, storage=storage, clock=clock).retry(force=True)
    assert report.failed == 1
    assert storage.get_json(key)[0]["last_error"] == "channel_off"


def test_without_storage_a_failure_is_reported_lost(messages) -> None:
    delivery = notifier(messages, email=Broken()).send(receipt(), Contact(EMAIL))
    assert (delivery.outcome, delivery.reason) == ("lost", "ServiceUnavailable")


def test_a_sender_raising_anything_never_breaks_the_caller(messages, storage, clock) -> None:
    class Crashing:
        def send(self, message: Outgoing) -> str:
            raise RuntimeError("boom")

    delivery = notifier(messages, email=Crashing(), storage=storage, clock=clock).send(
        receipt(), Contact(EMAIL))
    assert (delivery.outcome, delivery.reason) == ("queued", "RuntimeError")


def test_logs_carry_event_form_and_outcome_but_no_personal_data(messages, storage, clock,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    correction = CorrectionRequested(tracking_code=CODE, form_id="kk-baru", form_title="Permohonan KK",
                                     note="Foto KK buram", redo=("Foto KK",), deadline=date(2020, 10, 9),
                                     changed_at=clock())
    failing = notifier(messages, email=Broken(), sms=Broken(), storage=storage, clock=clock)
    failing.send(receipt(), Contact(EMAIL))
    failing.send(correction, Contact(None, PHONE))
    failing.retry(force=True)
    notifier(messages, email=Recorder(), sms=Recorder(), storage=storage, clock=clock).retry(force=True)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "event=tanda-terima form=ktp-el-baru channel=email outcome=queued" in logged
    assert "outcome=sent" in logged
    for secret in (EMAIL, PHONE, CODE, TOKEN, "Foto KK buram", "siti"):
        assert secret not in logged


# --------------------------------------------------------------------------- configuration


def test_the_local_backend_writes_into_the_storage_folders_outbox(tmp_path: Path) -> None:
    from chalicelib.storage import LocalStorage

    storage = LocalStorage(tmp_path / "storage", "http://127.0.0.1:8000/upload", b"x" * 32)
    built = notifier_from_env(storage, {"STORAGE_BACKEND": "local"}, content=CONTENT)
    assert isinstance(built.email, OutboxSender) and built.sms is None
    assert built.email.folder == tmp_path.resolve() / "storage" / "outbox"
    assert built.site_url == "http://127.0.0.1:8000/"
    assert built.send(receipt(), Contact(EMAIL)).outcome == "sent"
    assert len(list_outbox(built.email.folder)) == 1
    with_sms = notifier_from_env(storage, {"SMS_ENABLED": "true", "SITE_URL": SITE_URL})
    assert with_sms.sms is with_sms.email and with_sms.site_url == SITE_URL


def test_production_uses_ses_and_sns_from_the_settings() -> None:
    env = {"STORAGE_BACKEND": "s3", "AWS_REGION": REGION, "SITE_ORIGIN": "https://layanan.contoh.go.id",
           "MAIL_SENDER": "Layanan <layanan@contoh.go.id>", "SES_REGION": "ap-southeast-1",
           "SES_CONFIGURATION_SET": "portal", "MAIL_REPLY_TO": "kantor@contoh.go.id",
           "SMS_ENABLED": "true"}
    built = notifier_from_env(None, env)
    assert isinstance(built.email, SesSender) and isinstance(built.sms, SnsSender)
    assert (built.email.region, built.email.configuration_set) == ("ap-southeast-1", "portal")
    assert built.email.reply_to == ["kantor@contoh.go.id"] and built.sms.region == REGION
    assert built.site_url == "https://layanan.contoh.go.id"
    assert notifier_from_env(None, {**env, "SMS_ENABLED": "false"}).sms is None
    assert notifier_from_env(None, {**env, "MAIL_SENDER": ""}).email is None  # mail off


@pytest.mark.parametrize(("env", "message"), [
    ({"STORAGE_BACKEND": "s3", "MAIL_BACKEND": "ses", "SITE_URL": SITE_URL}, "MAIL_SENDER"),
    ({"STORAGE_BACKEND": "s3", "MAIL_SENDER": "a@b.id", "SITE_URL": SITE_URL}, "SES_REGION"),
    ({"STORAGE_BACKEND": "s3", "MAIL_BACKEND": "off"}, "SITE_URL"),
    ({"MAIL_BACKEND": "smtp"}, "MAIL_BACKEND"),
])
def test_settings_that_cannot_work_are_refused(env: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        notifier_from_env(None, env)
