"""The submission service: create, complete and look up applications.

Files never pass through the API. The flow (see ``shared/DESIGN.md``)::

    service = SubmissionService(storage, forms=load_forms)
    offer = service.create(parse_create_request(body))       # pending + presigned POSTs
    # ... the browser posts each file to offer["uploads"][i]["url"] ...
    receipt = service.complete(offer["submission_id"], key)  # checked, kept, received
    service.status(receipt["tracking_code"], receipt["status_token"])

Each step has its own module, composed here:

* :mod:`chalicelib.intake` — validate, store pending (one conditional write that is
  also the idempotency claim), offer uploads;
* :mod:`chalicelib.receiving` — read each upload once, check those bytes, keep
  exactly them, claim, write the record; the token is derived, never stored;
* :mod:`chalicelib.status_lookup` — code + token, with a lock against guessing.

The key layout is in :mod:`chalicelib.layout`. Logs carry form ids, submission
ids and error codes only: never answers, names of files, tracking codes or tokens.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from . import layout
from .clock import Clock, now_wib
from .errors import NotFound
from .intake import Intake
from .notices import Notices
from .pending import Settings, is_fresh
from .receiving import FileChecker, Receiving
from .status_lookup import StatusLookup
from .statuses import INITIAL_STATUS, STATUS_LABELS

if TYPE_CHECKING:
    from .corrections import Corrections
    from .forms import FormDefinition
    from .payloads import CorrectionRequest, CreateRequest
    from .policy import Policy
    from .quota import SubmissionQuota
    from .results import Results
    from .storage import Storage

__all__ = [
    "STATUS_LABELS",
    "INITIAL_STATUS",
    "Settings",
    "SubmissionService",
]

log = logging.getLogger("dukcapil.submissions")

FormsSource = Mapping[str, "FormDefinition"] | Callable[[], Mapping[str, "FormDefinition"]]


class SubmissionService:
    """Create, complete and look up submissions on one :class:`Storage`.

    Parameters
    ----------
    storage:
        Any backend of :mod:`chalicelib.storage` (S3 or local folder).
    forms:
        The form definitions by id, or a function returning them (called once,
        on first use, so that importing the app stays cheap).
    clock:
        Returns the current aware time; WIB is used for every stored time.
    settings:
        Expiry times; the defaults suit production.
    check:
        The checks each uploaded file's bytes get (default: size, type by content,
        structure, malware scan when configured).
    policy:
        The office's lifecycle rules (default: read from ``content/`` on first use).
    quota:
        Bounds on new submissions and declared bytes per window, for everyone
        (:mod:`chalicelib.quota`); ``None``: no bound.
    notifier:
        Builds the resident notifier on first use (:func:`chalicelib.notify.notifier_from_env`);
        ``None``: no messages.
    """

    def __init__(
        self,
        storage: Storage,
        forms: FormsSource,
        *,
        clock: Clock = now_wib,
        settings: Settings | None = None,
        check: FileChecker | None = None,
        policy: Policy | None = None,
        quota: SubmissionQuota | None = None,
        notifier: Callable[[], Any] | None = None,
    ) -> None:
        from .forms import LazyForms

        self.storage = storage
        self._forms = LazyForms(forms)
        self._clock = clock
        self.settings = settings or Settings()
        self._policy = policy
        self.notices = Notices(notifier)
        self.receiving = Receiving(storage, self.form, clock=clock, settings=self.settings,
                                   check=check, on_received=self._received)
        self.intake = Intake(storage, self.form, clock=clock, settings=self.settings,
                             receipt_for=self.receiving.receipt_for, quota=quota)
        self.lookup = StatusLookup(storage, clock=clock, form=self.form)

    # After the receipt: built on first use, so a cold start that only takes an
    # application imports none of it.

    @functools.cached_property
    def corrections(self) -> Corrections:
        from .corrections import Corrections

        return Corrections(self.storage, self.form, self.lookup, self.intake, self.receiving,
                           clock=self._clock, on_changed=self._changed)

    @functools.cached_property
    def results(self) -> Results:
        from .results import Results

        return Results(self.storage, self.lookup, self.policy, clock=self._clock)

    # ------------------------------------------------------------------ forms

    @property
    def forms(self) -> Mapping[str, FormDefinition]:
        """The form definitions, loaded on first use."""
        return self._forms.get()

    def form(self, form_id: str) -> FormDefinition:
        """Return one form definition.

        Raises
        ------
        NotFound
            No form has that id.
        """
        form = self.forms.get(form_id) if isinstance(form_id, str) else None
        if form is None:
            raise NotFound(
                "Formulir tidak ditemukan. Buka kembali formulir dari daftar layanan.",
                code="form_not_found",
            )
        return form

    def _received(self, claim: Mapping[str, Any], pending: Mapping[str, Any], token: str) -> None:
        self.notices.received(claim, self.forms.get(str(claim["form_id"])),
                              pending.get("values") or {}, token)

    def _changed(self, record: Mapping[str, Any]) -> None:
        self.notices.changed(record, self.forms.get(str(record.get("form_id"))))

    # ------------------------------------------------------------------ steps

    def create(self, request: CreateRequest) -> dict[str, Any]:
        """Validate, store as pending, offer uploads (:meth:`Intake.create`)."""
        return self.intake.create(request)

    def complete(self, submission_id: str, idempotency_key: object) -> dict[str, Any]:
        """Verify and keep the uploads, answer with the receipt (:meth:`Receiving.complete`)."""
        return self.receiving.complete(submission_id, idempotency_key)

    def status(self, tracking_code: object, token: object) -> dict[str, Any]:
        """Status and history for the holder of the token (:meth:`StatusLookup.status`)."""
        return self.lookup.status(tracking_code, token)

    def correct(self, request: CorrectionRequest) -> dict[str, Any]:
        """Offer uploads for what staff asked to correct (:meth:`Corrections.create`)."""
        return self.corrections.create(request)

    def complete_correction(self, submission_id: str, idempotency_key: object) -> dict[str, Any]:
        """Add the correction as a new revision (:meth:`Corrections.complete`)."""
        return self.corrections.complete(submission_id, idempotency_key)

    def download(self, tracking_code: object, token: object, index: object) -> dict[str, Any]:
        """A short-lived link to a finished document (:meth:`Results.download`)."""
        return self.results.download(tracking_code, token, index)

    def policy(self) -> Policy:
        """The office's lifecycle rules, read from ``content/`` on first use."""
        if self._policy is None:
            from .paths import content_dir
            from .policy import load_policy

            self._policy = load_policy(content_dir())
        return self._policy

    # ---------------------------------------------------------------- cleanup

    def purge_expired(self) -> int:
        """Delete expired pending submissions (and schema-1 idempotency entries); return how many.

        S3 does this with the bucket's lifecycle rules; the local folder backend
        has none, so the local server calls this at start.
        """
        now = self._clock()
        removed = 0
        groups: dict[str, list[str]] = {}
        for key in self.storage.list_keys(layout.PENDING_PREFIX):
            submission = key[len(layout.PENDING_PREFIX) :].split("/", 1)[0]
            groups.setdefault(submission, []).append(key)
        for submission, keys in groups.items():
            loaded = self.storage.get_json(layout.pending_record_key(submission))
            if loaded is not None and is_fresh(loaded[0], self.settings.pending_ttl, now):
                continue
            for key in keys:
                self.storage.delete(key)
            removed += 1
        for key in list(self.storage.list_keys(layout.IDEMPOTENCY_PREFIX)):
            loaded = self.storage.get_json(key)
            if loaded is None or not is_fresh(loaded[0], self.settings.idempotency_ttl, now):
                self.storage.delete(key)
                removed += 1
        return removed
