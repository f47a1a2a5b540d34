"""Senders behind one interface: Amazon SES (email) and Amazon SNS (SMS) through boto3.

    message = Outgoing.email(to="siti@contoh.id", subject="...", text="...", html="...",
                             event="tanda-terima", form_id="ktp-el-baru")
    SesSender("Dispendukcapil <layanan@contoh.go.id>", region="ap-southeast-3").send(message)
    SnsSender(region="ap-southeast-1").send(Outgoing.sms(to="+6281234567890", text="..."))

A sender returns the provider's message id or raises :class:`SendError` with a short,
stable ``code`` (``MessageRejected``, ``Throttling``, ``connection``...), never the
address. The local outbox (:class:`chalicelib.notify.outbox.OutboxSender`) is the third
implementation. boto3 is imported, and its client built, on the first send only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, Protocol

__all__ = ["Outgoing", "SendError", "Sender", "SesSender", "SnsSender"]

Channel = Literal["email", "sms"]


class SendError(Exception):
    """A message could not be handed over; ``code`` says why (no personal data)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code


@dataclass(frozen=True)
class Outgoing:
    """One message to one recipient, rendered and ready for a sender."""

    channel: Channel
    to: str
    text: str
    subject: str = ""
    html: str = ""
    event: str = ""
    form_id: str = ""

    @classmethod
    def email(cls, *, to: str, subject: str, text: str, html: str = "", event: str = "",
              form_id: str = "") -> Outgoing:
        return cls("email", to, text, subject, html, event, form_id)

    @classmethod
    def sms(cls, *, to: str, text: str, event: str = "", form_id: str = "") -> Outgoing:
        return cls("sms", to, text, event=event, form_id=form_id)

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Outgoing:
        fields = ("channel", "to", "text", "subject", "html", "event", "form_id")
        values = {name: str(data.get(name) or "") for name in fields}
        if values["channel"] not in ("email", "sms") or not values["to"]:
            raise ValueError("not an outgoing message")
        return cls(**values)  # type: ignore[arg-type]

    def __repr__(self) -> str:  # the address and texts stay out of logs and tracebacks
        return f"Outgoing(channel={self.channel!r}, event={self.event!r}, form_id={self.form_id!r})"


class Sender(Protocol):
    """Hands one message over to a delivery service; returns its message id."""

    def send(self, message: Outgoing) -> str: ...


def _client_error(exc: Exception) -> SendError:
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code") or "ClientError")
        return SendError(code[:60])
    return SendError("connection", type(exc).__name__)


class SesSender:
    """Email through Amazon SES v2 (``sesv2.send_email``, simple content, UTF-8).

    Parameters
    ----------
    sender
        The From address, with a display name if wished (``Dispendukcapil <x@y.go.id>``);
        its address or domain must be a verified SES identity.
    client
        A boto3 ``sesv2`` client; built on first send from ``region`` when omitted.
    configuration_set
        SES configuration set (event publishing, suppression), optional.
    reply_to
        Reply-To addresses (the office's mailbox), optional.
    """

    def __init__(self, sender: str, *, client: Any = None, region: str | None = None,
                 configuration_set: str | None = None, reply_to: Sequence[str] = ()) -> None:
        if not sender.strip():
            raise ValueError("sender address is empty")
        self.sender = sender.strip()
        self.region = region
        self.configuration_set = configuration_set or None
        self.reply_to = [address for address in reply_to if address]
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("sesv2", region_name=self.region)
        return self._client

    def send(self, message: Outgoing) -> str:
        if message.channel != "email":
            raise SendError("wrong_channel")
        body: dict[str, Any] = {"Text": {"Data": message.text, "Charset": "UTF-8"}}
        if message.html:
            body["Html"] = {"Data": message.html, "Charset": "UTF-8"}
        request: dict[str, Any] = {
            "FromEmailAddress": self.sender,
            "Destination": {"ToAddresses": [message.to]},
            "Content": {"Simple": {"Subject": {"Data": message.subject, "Charset": "UTF-8"},
                                   "Body": body}},
            "EmailTags": [{"Name": "event", "Value": message.event or "lain"}],
        }
        if self.reply_to:
            request["ReplyToAddresses"] = self.reply_to
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        try:
            response = self.client.send_email(**request)
        except Exception as exc:
            raise _client_error(exc) from None
        return str(response.get("MessageId", ""))


class SnsSender:
    """SMS through Amazon SNS (``publish`` to a phone number, transactional).

    Parameters
    ----------
    client
        A boto3 ``sns`` client; built on first send from ``region`` when omitted.
    sender_id
        Alphanumeric sender ID where the country supports it, optional.
    """

    def __init__(self, *, client: Any = None, region: str | None = None,
                 sender_id: str | None = None) -> None:
        self.region = region
        self.sender_id = sender_id or None
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("sns", region_name=self.region)
        return self._client

    def send(self, message: Outgoing) -> str:
        if message.channel != "sms":
            raise SendError("wrong_channel")
        attributes = {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}}
        if self.sender_id:
            attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": self.sender_id}
        try:
            response = self.client.publish(PhoneNumber=message.to, Message=message.text,
                                           MessageAttributes=attributes)
        except Exception as exc:
            raise _client_error(exc) from None
        return str(response.get("MessageId", ""))
