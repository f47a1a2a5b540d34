"""What residents are shown of an application: receipt summary, history, sizes, types.

Shared by the receipt (:mod:`chalicelib.receiving`), the status check
(:mod:`chalicelib.status_lookup`) and staff messages. Nothing here touches storage.

Example::

    >>> human_size(5 * 1024 * 1024)
    '5,0 MB'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .clock import format_wib, parse_iso
from .statuses import STATUS_LABELS

if TYPE_CHECKING:
    from .forms import FormDefinition

__all__ = [
    "form_title",
    "receipt_summary",
    "public_history",
    "format_iso",
    "human_size",
    "type_label",
]

_TYPE_LABELS = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WebP",
    "image/gif": "GIF",
    "image/heic": "HEIC",
    "image/tiff": "TIFF",
}


def form_title(form: FormDefinition) -> str:
    return str(getattr(form, "title", None) or getattr(form, "id", ""))


def receipt_summary(form: FormDefinition, pending: Mapping[str, Any]) -> dict[str, Any]:
    """What the receipt repeats back: form title, answered questions, files.

    A receipt is printed and may be left on a shared computer, so only the
    answers to choice questions (a kecamatan, a kind of request) are repeated;
    for every other answered question only its label is listed (``value`` is
    ``None``): no NIK, name, phone number or address.
    """
    values = pending["values"]
    fields = []
    for spec in getattr(form, "fields", ()):
        answer = values.get(spec.id)
        if answer in (None, "", [], {}):
            continue
        shown = None
        if spec.type == "choice":
            labels = {c.value: c.label for c in getattr(spec, "choices", ())}
            shown = labels.get(str(answer), str(answer))
        fields.append({"id": spec.id, "label": spec.label, "value": shown})
    labels = {a.id: a.label for a in form.attachments}
    counts: dict[str, int] = {}
    for f in pending["files"]:
        counts[f["attachment"]] = counts.get(f["attachment"], 0) + 1
    return {
        "form_title": pending.get("form_title", pending["form_id"]),
        "fields": fields,
        "files": [
            {"attachment": a, "label": labels.get(a, a), "count": n} for a, n in counts.items()
        ],
    }


def public_history(entry: Mapping[str, Any]) -> dict[str, Any]:
    """One history entry as the resident reads it (never the staff member's name)."""
    status = str(entry.get("to", ""))
    return {
        "at": entry.get("at"),
        "at_text": format_iso(entry.get("at")),
        "status": status,
        "status_label": STATUS_LABELS.get(status, status),
        "note": entry.get("note", ""),
    }


def format_iso(moment: object) -> str | None:
    """Indonesian wording of a stored ISO time, or ``None`` if it is not one."""
    try:
        return format_wib(parse_iso(str(moment)))
    except ValueError:
        return None


def human_size(size: int) -> str:
    """``5,0 MB``, ``120 KB``, ``12 bita``."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bita"


def type_label(content_type: str | None) -> str:
    """``PDF``, ``JPEG``, ... for a MIME type."""
    return _TYPE_LABELS.get(content_type or "", content_type or "tidak dikenal")
