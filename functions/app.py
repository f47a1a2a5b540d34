"""HTTP routes of the portal's functions (AWS Chalice). Only wiring lives here.

Routes (JSON in, JSON out; every refusal is ``{"message", "code"[, "errors"]}``
in Bahasa Indonesia)::

    GET  /forms                             public form definitions
    GET  /forms/{form_id}                   one definition
    POST /submissions                       validate, store pending, presigned POSTs
    POST /submissions/{submission_id}/complete   verify uploads, receipt
    POST /status                            status + history for code and token
    POST /corrections                       what staff asked to correct -> presigned POSTs
    POST /corrections/{submission_id}/complete   verify, add the revision, status
    POST /documents                         a finished document's download link (minutes)

and, every 15 minutes, ``retry_notifications`` sends again what failed to send.

The logic is in ``chalicelib/`` (see :mod:`chalicelib.submissions`). Storage
and the service are built lazily, once per container, so that importing this
module stays cheap (cold start).
"""

from __future__ import annotations

import functools
import logging
import os
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalice import Chalice, CORSConfig, Rate, Response
from chalicelib.errors import ServiceError
from chalicelib.payloads import (
    MAX_BODY_BYTES,
    parse_complete_request,
    parse_correction_request,
    parse_create_request,
    parse_document_request,
    parse_json_body,
    parse_status_request,
)
from chalicelib.security_headers import API_HEADERS

if TYPE_CHECKING:
    from chalicelib.storage import Storage
    from chalicelib.submissions import SubmissionService

APP_NAME = "dukcapil-portal"
app = Chalice(app_name=APP_NAME)

log = logging.getLogger("dukcapil.api")
_level = os.environ.get("LOG_LEVEL", "INFO").strip().upper()
logging.getLogger("dukcapil").setLevel(_level if _level in logging.getLevelNamesMapping()
                                       else logging.INFO)

SITE_ORIGIN = os.environ.get("SITE_ORIGIN", "").strip()
"""The one origin allowed to call the API from a browser (empty: same origin only)."""

CORS = (
    CORSConfig(allow_origin=SITE_ORIGIN, allow_headers=["Content-Type"], max_age=600)
    if SITE_ORIGIN
    else None
)
JSON_TYPES = ["application/json", "text/plain"]
"""``text/plain`` too: a cross-origin POST with that type needs no CORS preflight,
one round trip less on a slow mobile connection. The body is parsed as JSON either way."""

_MESSAGES = {
    400: "Permintaan tidak dapat dibaca. Muat ulang halaman lalu coba lagi.",
    403: "Alamat tidak ditemukan.",
    404: "Alamat tidak ditemukan.",
    405: "Metode permintaan ini tidak didukung untuk alamat ini.",
    413: f"Permintaan terlalu besar (lebih dari {MAX_BODY_BYTES // 1024} KB).",
    415: "Jenis isi permintaan tidak didukung. Kirim sebagai JSON (application/json).",
    500: "Terjadi kesalahan pada server. Isian Anda belum terkirim; coba lagi beberapa saat lagi.",
}
_CODES = {400: "bad_request", 403: "not_found", 404: "not_found", 405: "method_not_allowed",
          413: "payload_too_large", 415: "unsupported_media_type", 500: "internal_error"}

_storage: Storage | None = None
_service: SubmissionService | None = None


def get_storage() -> Storage:
    """The storage backend for this container, built from the environment on first use."""
    global _storage
    if _storage is None:
        from chalicelib.storage import storage_from_env

        _storage = storage_from_env(os.environ)
    return _storage


def get_service() -> SubmissionService:
    """The submission service for this container (forms load on first use)."""
    global _service
    if _service is None:
        from chalicelib.forms import load_forms
        from chalicelib.quota import quota_from_env
        from chalicelib.submissions import SubmissionService

        storage = get_storage()

        def notifier() -> Any:
            from chalicelib.notify import notifier_from_env

            return notifier_from_env(storage)

        _service = SubmissionService(storage, forms=load_forms, quota=quota_from_env(storage),
                                     notifier=notifier)
    return _service


def use_storage(storage: Storage | None) -> None:
    """Use this storage instead of the environment's (the local server injects its own).

    ``None`` forgets both storage and service: the next request builds them again
    from the environment (tests switch backends this way).
    """
    global _storage, _service
    _storage = storage
    _service = None


def reset() -> None:
    """Forget the storage and service; the next request builds them from the environment."""
    use_storage(None)


# ---------------------------------------------------------------------- routes


def _api(view: Callable[..., Any]) -> Callable[..., Any]:
    """Turn service errors into JSON responses and anything else into a logged 500."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except ServiceError as error:
            return _json(error.status, error.to_dict(), headers=error.headers)
        except Exception as error:  # never let details (or personal data) leak
            where = traceback.extract_tb(error.__traceback__)[-1]
            log.error(
                "unhandled %s in %s at %s:%s",
                type(error).__name__,
                view.__name__,
                os.path.basename(where.filename),
                where.lineno,
            )
            return _json(500, {"message": _MESSAGES[500], "code": "internal_error"})

    return wrapper


@app.route("/forms", methods=["GET"], cors=CORS)
@_api
def list_forms() -> Response:
    """All public form definitions: ``{"forms": [definition, ...]}``."""
    forms = get_service().forms
    body = {"forms": [forms[form_id].to_public_dict() for form_id in sorted(forms)]}
    return _json(200, body, cache="public, max-age=300")


@app.route("/forms/{form_id}", methods=["GET"], cors=CORS)
@_api
def get_form(form_id: str) -> Response:
    """One public form definition, or 404."""
    return _json(200, get_service().form(form_id).to_public_dict(), cache="public, max-age=300")


@app.route("/submissions", methods=["POST"], cors=CORS, content_types=JSON_TYPES)
@_api
def create_submission() -> Response:
    """Validate answers and declared files; answer with presigned POSTs (201, or 200 replayed)."""
    request = parse_create_request(parse_json_body(app.current_request.raw_body))
    offer = get_service().create(request)
    return _json(200 if offer["replayed"] else 201, offer)


@app.route(
    "/submissions/{submission_id}/complete",
    methods=["POST"],
    cors=CORS,
    content_types=JSON_TYPES,
)
@_api
def complete_submission(submission_id: str) -> Response:
    """Verify every upload and answer with the receipt (the same one on every repeat).

    The body ``{"idempotency_key"}`` proves it is the browser that created the
    submission: the id alone (it reaches logs) returns nothing.
    """
    key = parse_complete_request(parse_json_body(app.current_request.raw_body or b"{}"))
    return _json(200, get_service().complete(submission_id, key))


@app.route("/status", methods=["POST"], cors=CORS, content_types=JSON_TYPES)
@_api
def application_status() -> Response:
    """Status and history for ``{"tracking_code", "token"}``; 404 unless both match."""
    request = parse_status_request(parse_json_body(app.current_request.raw_body))
    return _json(200, get_service().status(request.tracking_code, request.token))


@app.route("/corrections", methods=["POST"], cors=CORS, content_types=JSON_TYPES)
@_api
def create_correction() -> Response:
    """Code + token + the corrected answers and files -> presigned POSTs (201, or 200 replayed)."""
    request = parse_correction_request(parse_json_body(app.current_request.raw_body))
    offer = get_service().correct(request)
    return _json(200 if offer["replayed"] else 201, offer)


@app.route(
    "/corrections/{submission_id}/complete",
    methods=["POST"],
    cors=CORS,
    content_types=JSON_TYPES,
)
@_api
def complete_correction(submission_id: str) -> Response:
    """Verify the corrected files, add the revision, answer with the status."""
    key = parse_complete_request(parse_json_body(app.current_request.raw_body or b"{}"))
    return _json(200, get_service().complete_correction(submission_id, key))


@app.route("/documents", methods=["POST"], cors=CORS, content_types=JSON_TYPES)
@_api
def document_link() -> Response:
    """Code + token + document index -> a download link that works for minutes."""
    request = parse_document_request(parse_json_body(app.current_request.raw_body))
    return _json(200, get_service().download(request.tracking_code, request.token, request.index))


@app.route("/", methods=["GET"], cors=CORS)
@_api
def index() -> Response:
    """A health check that touches nothing: ``{"service": ..., "ok": true}``."""
    return _json(200, {"service": APP_NAME, "ok": True})


@app.schedule(Rate(15, unit=Rate.MINUTES))
def retry_notifications(event: Any) -> dict[str, int]:
    """Every 15 minutes: send again the residents' messages whose send failed.

    A failed send never blocks what caused it; it is kept (without the status token)
    under ``notifications/pending/`` and retried here with a growing delay.
    """
    from chalicelib.notify import notifier_from_env

    report = notifier_from_env(get_storage()).retry()
    counts = {"sent": report.sent, "failed": report.failed, "waiting": report.waiting,
              "gave_up": report.gave_up}
    log.info("notify retry %s", " ".join(f"{k}={v}" for k, v in counts.items()))
    return counts


# ------------------------------------------------------------------ middleware


@app.middleware("http")
def indonesian_errors(event: Any, get_response: Callable[[Any], Response]) -> Response:
    """Rewrite Chalice's own English errors (405, 415, ...), forbid caching by default, and
    add the security headers every answer carries (``chalicelib.security_headers``)."""
    response = get_response(event)
    body = response.body
    if isinstance(body, dict) and "Code" in body and "Message" in body:
        status = response.status_code
        response.body = {
            "message": _MESSAGES.get(status, _MESSAGES[400]),
            "code": _CODES.get(status, "error"),
        }
    headers = response.headers
    headers.setdefault("Cache-Control", "no-store")
    for name, value in API_HEADERS.items():
        headers.setdefault(name, value)
    return response


# --------------------------------------------------------------------- helpers


def _json(status: int, body: dict[str, Any], *, cache: str = "no-store",
          headers: dict[str, str] | None = None) -> Response:
    return Response(
        body=body,
        status_code=status,
        headers={"Content-Type": "application/json; charset=utf-8", "Cache-Control": cache,
                 **(headers or {})},
    )


__all__ = ["app", "get_storage", "get_service", "use_storage", "reset"]
