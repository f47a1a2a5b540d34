"""What each notification is about: one small dataclass per event, and the placeholders it fills.

The caller (the submission service, staff casework) fills one of these and hands it to
:meth:`chalicelib.notify.Notifier.send`; the message text comes from the template of the
same name in ``content/messages/`` (see :mod:`chalicelib.notify.templates`)::

    Receipt(tracking_code="K7QM-2XRD-9F", form_id="ktp-el-baru", form_title="Permohonan KTP-el",
            received_at=now, token=token)              # -> content/messages/tanda-terima.yml
    StatusChanged(..., status="diproses", note="", changed_at=now)        # -> diproses.yml
    CorrectionRequested(..., note="Foto KK buram.", redo=("Foto Kartu Keluarga",),
                        deadline=date(2020, 10, 9), changed_at=now)       # -> perlu-perbaikan.yml
    DocumentReady(..., documents=("Kartu Keluarga",), available_until=..., changed_at=now)
    CardReady(..., card="KTP-el", place="Kantor Dinas, Ungaran", collect_from=date(...),
              bring=("Tanda terima ini",), changed_at=now)                # -> kartu-siap.yml

Every value a template can use is a *placeholder* (``${tracking_code}``); each event
offers the common ones (:data:`COMMON`) plus its own (:data:`PLACEHOLDERS`). The status
credential is never a placeholder: it only ever travels inside ``${status_link}``, in
the URL fragment, so no template can print it in plain text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import ClassVar
from urllib.parse import quote

from ..clock import format_day, format_wib, to_wib

__all__ = [
    "CardReady",
    "COMMON",
    "CorrectionRequested",
    "DocumentReady",
    "Event",
    "FOOTER",
    "Office",
    "PLACEHOLDERS",
    "REQUIRED",
    "Receipt",
    "SMS_PLACEHOLDERS",
    "STATUS_LABELS",
    "STATUS_PAGE_PATH",
    "StatusChanged",
    "TEMPLATES",
    "status_link",
]

STATUS_LABELS: dict[str, str] = {
    "diterima": "Diterima",
    "diproses": "Diproses",
    "perlu_perbaikan": "Perlu perbaikan",
    "diperbaiki": "Diperbaiki",
    "selesai": "Selesai",
    "ditolak": "Ditolak",
}
"""How residents read each status (the same words as the status page)."""

STATUS_PAGE_PATH = "formulir/status/"
"""The status page, relative to the site's URL."""

FOOTER = "penutup"
"""The template appended to every email (office name and contacts)."""

COMMON = frozenset({
    "tracking_code", "form_title", "status_link", "office_name", "office_short_name",
    "office_contacts",
})
"""Placeholders every template may use."""

_CHANGE = frozenset({"status_label", "note", "changed_at"})

PLACEHOLDERS: dict[str, frozenset[str]] = {
    "tanda-terima": COMMON | {"received_at"},
    "diterima": COMMON | _CHANGE,
    "diproses": COMMON | _CHANGE,
    "perlu-perbaikan": COMMON | _CHANGE | {"redo", "deadline"},
    "diperbaiki": COMMON | _CHANGE,
    "selesai": COMMON | _CHANGE,
    "ditolak": COMMON | _CHANGE,
    "dokumen-siap": COMMON | _CHANGE | {"documents", "available_until", "available_days"},
    "kartu-siap": COMMON | _CHANGE | {"card", "place", "place_address", "collect_from", "hours",
                                      "bring"},
    FOOTER: frozenset({"office_name", "office_short_name", "office_contacts"}),
}
"""Each template (file name without ``.yml``) and the placeholders it may use."""

TEMPLATES: dict[str, str] = {
    "tanda-terima": "tanda terima setelah permohonan dikirim",
    "diterima": "status kembali menjadi Diterima",
    "diproses": "status menjadi Diproses",
    "perlu-perbaikan": "petugas meminta perbaikan",
    "diperbaiki": "perbaikan dari warga sudah masuk",
    "selesai": "status menjadi Selesai (tanpa dokumen unduhan atau kartu)",
    "ditolak": "permohonan ditolak",
    "dokumen-siap": "dokumen selesai dan siap diunduh",
    "kartu-siap": "kartu (KTP-el, KIA) siap diambil",
    FOOTER: "penutup setiap email (nama dan kontak kantor)",
}
"""Every template the content must hold, with what it is for (for messages to staff)."""

REQUIRED: dict[str, frozenset[str]] = {
    "tanda-terima": frozenset({"tracking_code", "status_link"}),
    "perlu-perbaikan": frozenset({"note", "redo", "deadline", "status_link"}),
    "ditolak": frozenset({"note"}),
    "dokumen-siap": frozenset({"status_link", "available_until"}),
    "kartu-siap": frozenset({"place", "collect_from", "bring"}),
}
"""Placeholders a template must use: without them the message would not say what it must."""

SMS_PLACEHOLDERS = frozenset({
    "tracking_code", "status_link", "status_label", "deadline", "available_until",
    "collect_from", "office_short_name",
})
"""What an SMS may carry: short values only, nothing personal beyond the tracking code."""


@dataclass(frozen=True)
class Office:
    """The sender's identity from ``content/site.yml``: name and contact lines."""

    name: str
    short_name: str
    contacts: tuple[str, ...] = ()


def status_link(site_url: str, tracking_code: str, token: str | None = None) -> str:
    """The status page's address for a code, with the token in the URL fragment when known.

    The fragment (after ``#``) never leaves the resident's browser, so the credential
    reaches no server log.

    Example
    -------
        >>> status_link("https://layanan.example.go.id", "K7QM-2XRD-9F", "ABCD-EFGH-JKMN")
        'https://layanan.example.go.id/formulir/status/#kode=K7QM-2XRD-9F&token=ABCD-EFGH-JKMN'
    """
    base = site_url.rstrip("/") + "/" + STATUS_PAGE_PATH
    fragment = "kode=" + quote(tracking_code, safe="-")
    if token:
        fragment += "&token=" + quote(token, safe="-_.~")
    return f"{base}#{fragment}"


def _moment(value: date | datetime) -> str:
    return format_wib(value) if isinstance(value, datetime) else format_day(value)


def _lines(items: Sequence[str]) -> str:
    return "\n".join(f"- {' '.join(str(item).split())}" for item in items if str(item).strip())


@dataclass(frozen=True, kw_only=True)
class Event:
    """What every notification names: the application and its form."""

    tracking_code: str
    form_id: str
    form_title: str

    template: ClassVar[str] = ""

    @property
    def template_id(self) -> str:
        """The template in ``content/messages/`` this event is written with."""
        return self.template

    @property
    def token(self) -> str | None:
        """The status credential, when this event knows it (only the receipt does)."""
        return None

    def values(self) -> dict[str, str]:
        """This event's own placeholders as text (the common ones are added by the notifier)."""
        return {}


@dataclass(frozen=True, kw_only=True)
class Receipt(Event):
    """The application was received (sent at ``complete``); the only event with the token."""

    received_at: datetime
    status_token: str | None = field(default=None, repr=False)

    template: ClassVar[str] = "tanda-terima"

    @property
    def token(self) -> str | None:
        return self.status_token

    def values(self) -> dict[str, str]:
        return {"received_at": format_wib(self.received_at)}


@dataclass(frozen=True, kw_only=True)
class _Change(Event):
    changed_at: datetime
    note: str = ""

    status: ClassVar[str] = ""

    def values(self) -> dict[str, str]:
        return {
            "status_label": STATUS_LABELS.get(self.status, self.status),
            "note": " ".join(self.note.split()),
            "changed_at": format_wib(self.changed_at),
        }


@dataclass(frozen=True, kw_only=True)
class StatusChanged(_Change):
    """Any status change without an event of its own (diterima, diproses, diperbaiki,
    selesai without a document or card, ditolak)."""

    status: str  # type: ignore[misc]  # an instance field here

    _OWN_EVENT: ClassVar[Mapping[str, str]] = {
        "perlu_perbaikan": "CorrectionRequested",
    }

    def __post_init__(self) -> None:
        if self.status in self._OWN_EVENT:
            raise ValueError(f"status {self.status!r} is notified with {self._OWN_EVENT[self.status]}")
        if self.status not in STATUS_LABELS:
            raise ValueError(f"unknown status {self.status!r}")

    @property
    def template_id(self) -> str:
        return self.status.replace("_", "-")


@dataclass(frozen=True, kw_only=True)
class CorrectionRequested(_Change):
    """Staff ask for fixes: the note, what to redo (labels of questions and attachments),
    and until when the resident can send them."""

    redo: tuple[str, ...]
    deadline: date | datetime

    status: ClassVar[str] = "perlu_perbaikan"
    template: ClassVar[str] = "perlu-perbaikan"

    def values(self) -> dict[str, str]:
        return {**super().values(), "redo": _lines(self.redo), "deadline": _moment(self.deadline)}


@dataclass(frozen=True, kw_only=True)
class DocumentReady(_Change):
    """*Selesai* with finished documents (PDF with the QR signature) to download until a day."""

    documents: tuple[str, ...]
    available_until: date | datetime

    status: ClassVar[str] = "selesai"
    template: ClassVar[str] = "dokumen-siap"

    def values(self) -> dict[str, str]:
        until = self.available_until
        last = to_wib(until).date() if isinstance(until, datetime) else until
        days = max(0, (last - to_wib(self.changed_at).date()).days)
        return {**super().values(), "documents": _lines(self.documents),
                "available_until": _moment(until), "available_days": str(days)}


@dataclass(frozen=True, kw_only=True)
class CardReady(_Change):
    """*Selesai* for a card (KTP-el, KIA): where, from when, and what to bring."""

    card: str
    place: str
    collect_from: date | datetime
    bring: tuple[str, ...]
    place_address: str = ""
    hours: str = ""

    status: ClassVar[str] = "selesai"
    template: ClassVar[str] = "kartu-siap"

    def values(self) -> dict[str, str]:
        return {**super().values(), "card": self.card, "place": self.place,
                "place_address": self.place_address, "collect_from": _moment(self.collect_from),
                "hours": self.hours, "bring": _lines(self.bring)}


def common_values(event: Event, office: Office, site_url: str) -> dict[str, str]:
    """The placeholders every template may use, for one event."""
    return {
        "tracking_code": event.tracking_code,
        "form_title": event.form_title,
        "status_link": status_link(site_url, event.tracking_code, event.token),
        "office_name": office.name,
        "office_short_name": office.short_name,
        "office_contacts": "\n".join(office.contacts),
    }
