"""Build the notifier from environment variables (the functions and the staff commands).

    notifier = notifier_from_env(storage)             # os.environ
    notifier = notifier_from_env(storage, {"MAIL_BACKEND": "ses", "MAIL_SENDER": "...", ...})

Settings (all optional on the local backend):

``SITE_URL``
    The public site's address for status links (falls back to ``SITE_ORIGIN``; on the
    local backend to ``http://127.0.0.1:8000/``).
``MAIL_BACKEND``
    ``outbox`` (default with ``STORAGE_BACKEND=local``), ``ses`` (default with
    ``STORAGE_BACKEND=s3`` when ``MAIL_SENDER`` is set), or ``off``.
``MAIL_SENDER``, ``MAIL_REPLY_TO``
    From address (a verified SES identity, display name allowed) and Reply-To.
``SES_REGION``, ``SES_CONFIGURATION_SET``
    SES's region (default ``AWS_REGION``) and an optional configuration set.
``MAIL_OUTBOX_DIR``
    The outbox folder (default ``<local storage folder>/outbox``).
``SMS_ENABLED``, ``SMS_REGION``, ``SMS_SENDER_ID``
    SMS to residents who gave only a phone number: off unless ``true``; through SNS
    (region default ``AWS_REGION``), or into the outbox when mail goes there.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .notifier import Notifier
from .senders import Sender, SesSender, SnsSender
from .templates import load_messages

if TYPE_CHECKING:
    from ..storage import Storage

__all__ = ["notifier_from_env"]

LOCAL_SITE_URL = "http://127.0.0.1:8000/"
_TRUE = {"1", "true", "yes", "ya", "on"}


def notifier_from_env(storage: Storage | None, environ: Mapping[str, str] | None = None, *,
                      content: Path | None = None, site_url: str | None = None) -> Notifier:
    """The notifier the settings describe; templates load on the first message.

    ``site_url`` overrides ``SITE_URL`` (the local server knows its own port).

    Raises
    ------
    ValueError
        An unknown ``MAIL_BACKEND``, ``ses`` without ``MAIL_SENDER`` or a region, or no
        site URL outside the local backend.
    """
    environ = os.environ if environ is None else environ  # at call time: tests replace it

    def get(name: str) -> str:
        return (environ.get(name) or "").strip()

    storage_backend = (get("STORAGE_BACKEND") or "local").lower()
    local = storage_backend == "local"
    url = site_url or get("SITE_URL") or get("SITE_ORIGIN") or (LOCAL_SITE_URL if local else "")
    if not url.startswith(("http://", "https://")):
        raise ValueError("SITE_URL must be the site's address (https://...) for status links")
    backend = get("MAIL_BACKEND").lower() or ("outbox" if local else "ses" if get("MAIL_SENDER") else "off")
    region = get("AWS_REGION") or get("AWS_DEFAULT_REGION") or None
    reply_to = [address.strip() for address in get("MAIL_REPLY_TO").split(",") if address.strip()]
    email: Sender | None
    sms: Sender | None = None
    sms_on = get("SMS_ENABLED").lower() in _TRUE
    if backend == "outbox":
        from .outbox import OutboxSender  # the email package only where the outbox is used

        root = getattr(storage, "root", None) or Path(get("LOCAL_STORAGE_DIR") or "./var/storage")
        folder = Path(get("MAIL_OUTBOX_DIR") or Path(root) / "outbox")
        email = OutboxSender(folder, sender=get("MAIL_SENDER"), reply_to=reply_to)
        sms = email if sms_on else None
    elif backend == "ses":
        if not get("MAIL_SENDER"):
            raise ValueError("MAIL_SENDER must be set when MAIL_BACKEND=ses")
        ses_region = get("SES_REGION") or region
        if not ses_region:
            raise ValueError("SES_REGION or AWS_REGION must be set when MAIL_BACKEND=ses")
        email = SesSender(get("MAIL_SENDER"), region=ses_region, reply_to=reply_to,
                          configuration_set=get("SES_CONFIGURATION_SET") or None)
        if sms_on:
            sms = SnsSender(region=get("SMS_REGION") or region, sender_id=get("SMS_SENDER_ID") or None)
    elif backend == "off":
        email = None
    else:
        raise ValueError(f"MAIL_BACKEND must be 'outbox', 'ses' or 'off', not {backend!r}")
    return Notifier(messages=lambda: load_messages(content), site_url=url, email=email, sms=sms,
                    storage=storage)
