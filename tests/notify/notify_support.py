"""Shared data of the notification tests (imported by conftest.py and the tests).

Kept out of ``conftest.py`` so that ``from notify_support import ...`` cannot pick
up another folder's ``conftest`` module.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from chalicelib.clock import WIB

REPOSITORY = Path(__file__).resolve().parents[2]
CONTENT = REPOSITORY / "content"
REGION = "ap-southeast-3"
BUCKET = "uji-notifikasi"
SITE_URL = "https://layanan.contoh.go.id/"
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


class Clock:
    """A WIB clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2020, 9, 25, 10, 15, tzinfo=WIB)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
