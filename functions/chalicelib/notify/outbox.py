"""The local outbox: on the embedded default, every message becomes an ``.eml`` file.

    sender = OutboxSender(Path("var/storage/outbox"))
    sender.send(message)                  # var/storage/outbox/20200925-101500-tanda-terima-3f2a9c1d.eml
    for entry in list_outbox(Path("var/storage/outbox")):
        entry.number, entry.sent_at, entry.event, entry.to, entry.subject
    print(message_text(read_message(entry.path)))

Each file is a complete RFC 5322 message (Python's :class:`email.message.EmailMessage`:
From, To, Subject, Date, Message-ID, UTF-8 text and HTML alternatives) that any mail
program opens. An SMS is kept the same way, marked ``X-Portal-Channel: sms``, with its
text as the only part. The folder is owner-only (0700), files 0600, written atomically;
file names carry the time and the event, never an address or a tracking code.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid, parseaddr, parsedate_to_datetime
from pathlib import Path

from ..clock import Clock, now_wib, to_wib
from ..private_files import write_private
from .senders import Outgoing, SendError

__all__ = ["OutboxEntry", "OutboxSender", "build_email", "list_outbox", "message_text",
           "read_message"]

DEFAULT_SENDER = "noreply@localhost"
SUFFIX = ".eml"


def build_email(message: Outgoing, *, sender: str, reply_to: Sequence[str] = (),
                now: datetime | None = None) -> EmailMessage:
    """The message as an email: headers, then a text part and, if any, an HTML alternative."""
    email = EmailMessage(policy=policy.SMTP)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject or ("SMS" if message.channel == "sms" else "")
    email["Date"] = format_datetime(to_wib(now or now_wib()))
    email["Message-ID"] = make_msgid(domain=domain)
    if reply_to:
        email["Reply-To"] = ", ".join(reply_to)
    email["X-Portal-Channel"] = message.channel
    if message.event:
        email["X-Portal-Event"] = message.event
    email.set_content(message.text, charset="utf-8", cte="quoted-printable")
    if message.html:
        email.add_alternative(message.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return email


class OutboxSender:
    """Writes each message as an ``.eml`` file into ``folder`` (created 0700)."""

    def __init__(self, folder: Path, *, sender: str = DEFAULT_SENDER, reply_to: Sequence[str] = (),
                 clock: Clock = now_wib) -> None:
        self.folder = Path(folder)
        self.sender = sender or DEFAULT_SENDER
        self.reply_to = list(reply_to)
        self._clock = clock

    def send(self, message: Outgoing) -> str:
        now = self._clock()
        email = build_email(message, sender=self.sender, reply_to=self.reply_to, now=now)
        event = "".join(ch for ch in message.event if ch.isalnum() or ch == "-")[:40] or "pesan"
        name = f"{to_wib(now):%Y%m%d-%H%M%S}-{event}-{secrets.token_hex(4)}{SUFFIX}"
        try:
            _private_folder(self.folder)
            write_private(self.folder / name, email.as_bytes())
        except OSError as exc:
            raise SendError("outbox_unwritable", type(exc).__name__) from None
        return name


@dataclass(frozen=True)
class OutboxEntry:
    """One message in the outbox, numbered from 1 (oldest first)."""

    number: int
    path: Path
    sent_at: datetime | None
    channel: str
    event: str
    to: str
    subject: str


def read_message(path: Path) -> EmailMessage:
    """Parse an outbox file back into an :class:`EmailMessage`."""
    with Path(path).open("rb") as handle:
        return BytesParser(policy=policy.default).parse(handle)  # type: ignore[return-value]


def message_text(message: EmailMessage) -> str:
    """The plain-text part of a message (what a resident reads without HTML)."""
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def list_outbox(folder: Path) -> list[OutboxEntry]:
    """The messages in ``folder``, oldest first (an absent folder is an empty outbox)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    entries = []
    for number, path in enumerate(sorted(folder.glob(f"*{SUFFIX}")), start=1):
        message = read_message(path)
        sent_at = None
        with contextlib.suppress(TypeError, ValueError):
            sent_at = to_wib(parsedate_to_datetime(str(message["Date"])))
        entries.append(OutboxEntry(
            number=number, path=path, sent_at=sent_at,
            channel=str(message.get("X-Portal-Channel", "email")),
            event=str(message.get("X-Portal-Event", "")),
            to=str(message.get("To", "")), subject=str(message.get("Subject", "")),
        ))
    return entries


def _private_folder(folder: Path) -> None:
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True)
    os.chmod(folder, 0o700)
