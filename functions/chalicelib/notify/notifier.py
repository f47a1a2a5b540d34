"""The notifier: render an event's message and hand it to the right sender, never failing.

    notifier = Notifier(messages=load_messages, site_url="https://layanan.example.go.id",
                        email=SesSender("Dispendukcapil <layanan@contoh.go.id>"),
                        sms=None, storage=storage)
    delivery = notifier.send(Receipt(...), contact_for(form, values))
    delivery.outcome        # "sent" | "queued" | "skipped" | "lost"
    notifier.retry()        # from a schedule: messages kept after a failed send

:meth:`Notifier.send` never raises: whatever caused the message (a receipt, a status
change) is already stored, and a mail service being down must not undo or delay it.
A failed send is kept in storage and tried again by :meth:`Notifier.retry`
(:mod:`chalicelib.notify.pending`). Email is used when the resident gave an address;
SMS only when they gave none but a mobile number, SMS is switched on and the template
has an ``sms`` text. Logs say which event, form, channel and outcome: never an address,
a tracking code or a text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from ..clock import Clock, now_wib
from .pending import RetryReport, record_failure, retry_pending
from .render import Rendered, render
from .senders import Outgoing, Sender, SendError
from .templates import Messages, MessageTemplateError

if TYPE_CHECKING:
    from ..storage import Storage
    from .events import Event
    from .recipients import Contact

__all__ = ["Delivery", "Notifier"]

log = logging.getLogger("dukcapil.notify")

Outcome = Literal["sent", "queued", "skipped", "lost"]


@dataclass(frozen=True)
class Delivery:
    """What became of one notification.

    ``outcome``: ``sent`` (handed to the service), ``queued`` (failed, kept for a
    retry), ``skipped`` (nobody to reach, or the channel is off), ``lost`` (failed and
    could not be kept, or the templates are broken: see the logs). ``reason`` is a
    short code; ``key`` is the storage key of a queued message.
    """

    outcome: Outcome
    channel: str | None = None
    reason: str = ""
    key: str | None = None


class Notifier:
    """Sends residents the messages of ``content/messages/`` for application events.

    Parameters
    ----------
    messages
        The loaded templates, or a function loading them (called on first use).
    site_url
        The public site's address; status links point at ``<site_url>/formulir/status/``.
    email, sms
        The senders per channel; ``None`` switches a channel off.
    storage
        Where failed sends are kept for a retry (``None``: they are logged and lost).
    clock
        Returns the current aware time (WIB).
    """

    def __init__(self, *, messages: Messages | Callable[[], Messages], site_url: str,
                 email: Sender | None, sms: Sender | None = None,
                 storage: Storage | None = None, clock: Clock = now_wib) -> None:
        self._messages_source = messages
        self._messages: Messages | None = messages if isinstance(messages, Messages) else None
        self.site_url = site_url
        self.email = email
        self.sms = sms
        self.storage = storage
        self._clock = clock

    @property
    def messages(self) -> Messages:
        """The templates, loaded on first use (raises ``MessageTemplateError``)."""
        if self._messages is None:
            source = self._messages_source
            self._messages = source() if callable(source) else source
        return self._messages

    def render(self, event: Event) -> Rendered:
        """The message for ``event`` (subject, text, HTML, SMS text), without sending it."""
        return render(self.messages, event, site_url=self.site_url)

    def send(self, event: Event, contact: Contact) -> Delivery:
        """Send the event's message to the resident. Never raises."""
        try:
            delivery = self._send(event, contact)
        except Exception as exc:  # a notification must never break what caused it
            log.error("notify event=%s form=%s outcome=lost error=%s", event.template_id,
                      event.form_id, type(exc).__name__)
            return Delivery("lost", reason=type(exc).__name__)
        log.info("notify event=%s form=%s channel=%s outcome=%s%s", event.template_id,
                 event.form_id, delivery.channel or "-", delivery.outcome,
                 f" reason={delivery.reason}" if delivery.reason else "")
        return delivery

    def retry(self, *, force: bool = False, limit: int = 200) -> RetryReport:
        """Try again the messages kept after failed sends (see :func:`retry_pending`)."""
        if self.storage is None:
            return RetryReport()
        return retry_pending(self.storage, {"email": self.email, "sms": self.sms},
                             now=self._clock(), limit=limit, force=force)

    def _send(self, event: Event, contact: Contact) -> Delivery:
        if contact.email and self.email is not None:
            channel, sender = "email", self.email
        elif contact.phone and not contact.email and self.sms is not None:
            channel, sender = "sms", self.sms
        else:
            reason = "no_recipient" if not (contact.email or contact.phone) else "channel_off"
            return Delivery("skipped", reason=reason)
        try:
            rendered = self.render(event)
        except MessageTemplateError:
            return Delivery("lost", channel, "templates_broken")
        if channel == "email":
            message = Outgoing.email(to=str(contact.email), subject=rendered.subject,
                                     text=rendered.text, html=rendered.html,
                                     event=event.template_id, form_id=event.form_id)
        elif rendered.sms:
            message = Outgoing.sms(to=str(contact.phone), text=rendered.sms,
                                   event=event.template_id, form_id=event.form_id)
        else:
            return Delivery("skipped", channel, "no_sms_text")
        try:
            sender.send(message)
        except Exception as exc:
            code = exc.code if isinstance(exc, SendError) else type(exc).__name__
            if event.token:  # what is kept for a retry never holds the credential
                return self._send_later(replace(event, status_token=None), contact, channel, code)
            return self._keep(message, code)
        return Delivery("sent", channel)

    def _send_later(self, event: Event, contact: Contact, channel: str, code: str) -> Delivery:
        """Keep the message for a retry, rendered again from ``event`` (no token)."""
        rendered = self.render(event)
        if channel == "email":
            message = Outgoing.email(to=str(contact.email), subject=rendered.subject,
                                     text=rendered.text, html=rendered.html,
                                     event=event.template_id, form_id=event.form_id)
        else:
            message = Outgoing.sms(to=str(contact.phone), text=rendered.sms or "",
                                   event=event.template_id, form_id=event.form_id)
        return self._keep(message, code)

    def _keep(self, message: Outgoing, code: str) -> Delivery:
        if self.storage is None:
            return Delivery("lost", message.channel, code)
        try:
            key = record_failure(self.storage, message, code=code, now=self._clock())
        except Exception as exc:
            log.error("notify event=%s form=%s could not keep a failed message: %s",
                      message.event, message.form_id, type(exc).__name__)
            return Delivery("lost", message.channel, code)
        return Delivery("queued", message.channel, code, key)
