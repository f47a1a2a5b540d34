"""The one exception the checks raise: a refusal with its problem code."""

from __future__ import annotations

from typing import Any


class Refused(Exception):
    """The file is not acceptable: ``code`` names why, ``details`` fill the message."""

    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.details = details
