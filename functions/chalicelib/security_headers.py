"""The security headers every answer carries: site pages, API answers, CloudFront.

One source for the fixed part of the header set. The site's Content-Security-Policy
depends on the build (hashes of Material's inline scripts) and is made by
``portal.security`` from :data:`COMMON_HEADERS` plus its own CSP; the API's is
:data:`API_CSP`. ``deploy/site.json`` repeats :data:`COMMON_HEADERS` in its response
headers policy (CloudFormation needs static values) and a test checks they agree.
"""

from __future__ import annotations

__all__ = ["API_CSP", "API_HEADERS", "COMMON_HEADERS", "HSTS_MAX_AGE"]

HSTS_MAX_AGE = 63072000
"""Two years, as hstspreload.org asks; subdomains are the office's own business."""

COMMON_HEADERS: dict[str, str] = {
    "Strict-Transport-Security": f"max-age={HSTS_MAX_AGE}",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
        "accelerometer=(), gyroscope=(), magnetometer=(), browsing-topics=()"
    ),
}
"""Headers with one value on every answer (pages, data files, API)."""

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
"""The API answers JSON only: nothing in it may load, run or be framed."""

API_HEADERS: dict[str, str] = {**COMMON_HEADERS, "Content-Security-Policy": API_CSP}
"""What the functions' middleware adds to every API answer."""
