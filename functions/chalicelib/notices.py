"""Which message each step of the lifecycle sends the resident, and sending it.

    notices = Notices(notifier_factory)          # e.g. lambda: notifier_from_env(storage)
    notices.received(claim, form, values, token) # at complete: the receipt, with the link
    notices.changed(record, form)                # after any status change is written

Called only after the record is written; a notice never raises and never blocks
what caused it (a failed send is kept and retried by :mod:`chalicelib.notify`).
The resident's contact comes from the form's ``email`` (and ``phone``) answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .clock import parse_iso
from .statuses import CORRECTION_REQUESTED, FINISHED

if TYPE_CHECKING:
    from .forms import FormDefinition

__all__ = ["Notices", "event_for"]

log = logging.getLogger("dukcapil.notices")

_DAYS = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")


class Notices:
    """Send lifecycle messages through a notifier built on first use."""

    def __init__(self, notifier: Callable[[], Any] | None) -> None:
        self._factory = notifier
        self._notifier: Any = None
        self._broken = False

    @property
    def notifier(self) -> Any:
        if self._notifier is None and self._factory is not None and not self._broken:
            try:
                self._notifier = self._factory()
            except (ValueError, OSError) as error:  # misconfigured: say so, never block
                self._broken = True
                log.error("notices off: %s", type(error).__name__)
        return self._notifier

    def received(self, claim: Mapping[str, Any], form: FormDefinition | None,
                 values: Mapping[str, Any], token: str) -> None:
        """The receipt: tracking code and the status link (the token only in its fragment)."""
        from .notify import Receipt

        event = Receipt(tracking_code=str(claim["tracking_code"]), form_id=str(claim["form_id"]),
                        form_title=str(claim["receipt"]["form_title"]),
                        received_at=parse_iso(str(claim["received_at"])), status_token=token)
        self._send(event, form, values)

    def changed(self, record: Mapping[str, Any], form: FormDefinition | None) -> None:
        """The message for the status the record now holds (its last history entry)."""
        event = event_for(record, form)
        if event is not None:
            self._send(event, form, record.get("values") or {})

    def _send(self, event: Any, form: FormDefinition | None, values: Mapping[str, Any]) -> None:
        notifier = self.notifier
        if notifier is None or form is None:
            return
        from .notify import contact_for

        try:
            contact = contact_for(form, values)
        except Exception as error:  # noqa: BLE001 - a notice never breaks a status change
            log.error("notice skipped: %s", type(error).__name__)
            return
        notifier.send(event, contact)


def event_for(record: Mapping[str, Any], form: FormDefinition | None) -> Any:
    """The notify event for the record's latest status change (``None`` for a download).

    A change to the same status still tells the resident (documents sent again, a new note).
    """
    from .notify import CardReady, CorrectionRequested, DocumentReady, StatusChanged

    history = record.get("history") or []
    if not history or history[-1].get("event"):  # a recorded download: nothing to tell
        return None
    entry = history[-1]
    status = str(record.get("status"))
    common = {"tracking_code": str(record.get("tracking_code")), "form_id": str(record.get("form_id")),
              "form_title": str(record.get("form_title") or record.get("form_id")),
              "changed_at": parse_iso(str(entry["at"])), "note": str(entry.get("note") or "")}
    if status == CORRECTION_REQUESTED:
        asked = record.get("correction") or {}
        labels = {f.id: f.label for f in getattr(form, "fields", ())}
        labels.update({a.id: a.label for a in getattr(form, "attachments", ())})
        redo = tuple(labels.get(i, i) for i in (*asked.get("fields", []),
                                                 *asked.get("attachments", [])))
        return CorrectionRequested(**common, redo=redo, deadline=parse_iso(str(asked["deadline"])))
    result = record.get("result") if status == FINISHED else None
    if isinstance(result, Mapping) and result.get("kind") == "document":
        return DocumentReady(**common, documents=tuple(str(d.get("name")) for d in
                                                       result.get("documents", [])),
                             available_until=parse_iso(str(result["available_until"])))
    if isinstance(result, Mapping) and result.get("kind") == "card":
        place = result.get("collection") or {}
        hours = place.get("hours") or {}
        return CardReady(**common, card=str(result.get("card") or "Kartu"),
                         place=str(place.get("office_name", "")),
                         collect_from=parse_iso(f"{place.get('from')}T00:00:00+07:00"),
                         bring=tuple(place.get("bring") or ()),
                         place_address=str(place.get("address") or ""),
                         hours="; ".join(f"{day.capitalize()} {hours[day]}" for day in _DAYS
                                         if day in hours))
    return StatusChanged(**common, status=status)
