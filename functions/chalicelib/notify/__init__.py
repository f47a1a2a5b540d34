"""Notifications to residents: receipts, status changes, documents and cards ready.

    from chalicelib.notify import Receipt, contact_for, notifier_from_env

    notifier = notifier_from_env(storage)                  # once per container
    notifier.send(Receipt(tracking_code=code, form_id=form.id, form_title=form.title,
                          received_at=now, status_token=token),
                  contact_for(form, values))               # never raises
    notifier.retry()                                       # on a schedule

Texts are templates in ``content/messages/`` (:mod:`.templates`), one small dataclass
per event fills them (:mod:`.events`, rendered by :mod:`.render`), and senders deliver
them: Amazon SES and SNS (:mod:`.senders`) or the local outbox of ``.eml`` files
(:mod:`.outbox`). Failed sends are kept and retried (:mod:`.pending`).
"""

from .config import notifier_from_env
from .events import (
    STATUS_LABELS,
    CardReady,
    CorrectionRequested,
    DocumentReady,
    Event,
    Office,
    Receipt,
    StatusChanged,
    status_link,
)
from .notifier import Delivery, Notifier
from .pending import RetryReport, retry_pending
from .recipients import Contact, contact_for
from .render import Rendered, render
from .senders import Outgoing, Sender, SendError, SesSender, SnsSender
from .templates import Messages, MessageTemplateError, check_messages, load_messages

__all__ = [
    "STATUS_LABELS",
    "CardReady",
    "Contact",
    "CorrectionRequested",
    "Delivery",
    "DocumentReady",
    "Event",
    "MessageTemplateError",
    "Messages",
    "Notifier",
    "Office",
    "OutboxSender",
    "Outgoing",
    "Receipt",
    "Rendered",
    "RetryReport",
    "SendError",
    "Sender",
    "SesSender",
    "SnsSender",
    "StatusChanged",
    "check_messages",
    "contact_for",
    "list_outbox",
    "load_messages",
    "message_text",
    "notifier_from_env",
    "read_message",
    "render",
    "retry_pending",
    "status_link",
]

_OUTBOX = ("OutboxSender", "list_outbox", "message_text", "read_message")


def __getattr__(name: str) -> object:
    """The outbox names, imported on first use (the email package is not needed with SES)."""
    if name in _OUTBOX:
        from . import outbox

        return getattr(outbox, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
