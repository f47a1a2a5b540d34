"""Tracking codes and status tokens.

A tracking code is what a resident reads aloud on the phone or copies by hand
from a printed receipt, so it uses an alphabet without look-alikes (no ``0``/``O``,
``1``/``I``/``L``), is grouped like ``ABCD-EFGH-JK`` and ends with a check character
(weighted sum modulo 31) that catches every single mistyped character and every
swapped pair of neighbours.
The nine random characters come from :mod:`secrets`: 31**9 is about 2**44.6.

A status token is the resident's secret for the status check: 12 characters
from the same alphabet, grouped like ``ABCD-EFGH-JKMN`` (about 59 bits), short
enough to print, copy and type. It is derived from the browser's idempotency key
and the submission id (HMAC-SHA256), so a repeated ``complete`` from the same
browser gets the same token back while nothing stored or logged can rebuild it.
Only its SHA-256 digest is stored, and it is compared in constant time. Tokens
of the earlier long form (43 URL-safe characters) keep working.

Example::

    >>> code = new_tracking_code()          # e.g. 'K7QM-2XRD-9F'
    >>> normalise_tracking_code(code.lower().replace("-", " ")) == code
    True
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = [
    "ALPHABET",
    "RANDOM_LENGTH",
    "new_tracking_code",
    "normalise_tracking_code",
    "new_status_token",
    "derive_status_token",
    "normalise_status_token",
    "hash_token",
    "token_digest",
    "token_matches",
]

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""31 symbols: digits 2-9 and A-Z without I, L and O."""

RANDOM_LENGTH = 9
"""Random characters per code (about 44.6 bits); a check character follows."""

_GROUPS = (4, 4, 2)
TOKEN_LENGTH = 12
"""Characters of a status token (31**12 is about 2**59.4)."""
_TOKEN_GROUPS = (4, 4, 4)
_INDEX = {char: i for i, char in enumerate(ALPHABET)}
_SEPARATORS = str.maketrans("", "", " -._\t")


def _check_character(body: str) -> str:
    """Check character for ``body``: weighted sum modulo the prime 31.

    Position weights 2, 3, 4, ... (and 1 for the check character) are distinct and
    non-zero modulo 31, so any single substituted character and any swap of two
    neighbouring characters changes the sum and is caught.
    """
    n = len(ALPHABET)
    total = sum((weight + 2) * _INDEX[char] for weight, char in enumerate(reversed(body)))
    return ALPHABET[-total % n]


def _group(compact: str, groups: tuple[int, ...] = _GROUPS) -> str:
    parts, start = [], 0
    for size in groups:
        parts.append(compact[start : start + size])
        start += size
    return "-".join(parts)


def new_tracking_code() -> str:
    """Return a fresh random tracking code such as ``K7QM-2XRD-9F``."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return _group(body + _check_character(body))


def normalise_tracking_code(text: object) -> str | None:
    """Return the canonical form of a typed code, or ``None`` if it cannot be one.

    Case, spaces, dots and hyphens are forgiven; a wrong check character is not.
    """
    if not isinstance(text, str) or len(text) > 40:
        return None
    compact = text.translate(_SEPARATORS).upper()
    if len(compact) != RANDOM_LENGTH + 1 or any(char not in _INDEX for char in compact):
        return None
    if _check_character(compact[:-1]) != compact[-1]:
        return None
    return _group(compact)


def new_status_token() -> str:
    """Return a fresh random status token such as ``K7QM-2XRD-9FHT``."""
    return _group("".join(secrets.choice(ALPHABET) for _ in range(TOKEN_LENGTH)), _TOKEN_GROUPS)


def derive_status_token(secret: str, context: str) -> str:
    """The status token for ``context`` (a submission id) held by whoever knows ``secret``.

    ``secret`` is the browser's idempotency key: never logged, never stored. The
    same key and submission always give the same token, so a repeated ``complete``
    can return the receipt without the token ever being stored.
    """
    digest = hmac.new(secret.encode("utf-8"), b"status-token\0" + context.encode("utf-8"),
                      hashlib.sha256).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(TOKEN_LENGTH):
        number, rest = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[rest])
    return _group("".join(chars), _TOKEN_GROUPS)


def normalise_status_token(text: object) -> str | None:
    """The form of a presented token that is hashed: ``None`` if it cannot be a token.

    A short token is forgiven case, spaces and hyphens (``k7qm 2xrd 9fht``); a
    token of the earlier long form is taken exactly as it is.
    """
    if not isinstance(text, str) or not 0 < len(text) <= 256:
        return None
    compact = text.translate(_SEPARATORS).upper()
    if len(compact) == TOKEN_LENGTH and all(char in _INDEX for char in compact):
        return compact
    return text


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a token (as :func:`normalise_status_token` gives it)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: object, stored_hash: str) -> bool:
    """Compare a presented token with a stored digest in constant time."""
    presented = normalise_status_token(token) or ""
    return hmac.compare_digest(hash_token(presented), stored_hash)


def token_digest(token: str) -> str:
    """The digest stored for a token shown to the resident."""
    return hash_token(normalise_status_token(token) or "")
