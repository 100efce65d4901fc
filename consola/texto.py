"""Text at the door: what a form or an alert may hold, checked before anything stores it.

One line (a name, a unit) holds no control character at all; free text (a note) may hold
line breaks and tabs. Neither may hold lone UTF-16 surrogates or the non-characters U+FFFE
and U+FFFF, which neither backend stores faithfully.
"""

from __future__ import annotations

import re
from typing import Final

_LINE_BAD: Final = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_TEXT_BAD: Final = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]"
)


class FormError(ValueError):
    """A field of a form is wrong; ``reason`` is the catalog key of what to tell."""

    def __init__(self, reason: str) -> None:
        """Keep the catalog key."""
        super().__init__(reason)
        self.reason = reason


def is_line(value: str) -> bool:
    """Return True when ``value`` is storable one-line text."""
    return _LINE_BAD.search(value) is None


def is_text(value: str) -> bool:
    """Return True when ``value`` is storable free text (line breaks and tabs allowed)."""
    return _TEXT_BAD.search(value) is None


def line(value: object, *, min_len: int = 0, max_len: int) -> str | None:
    """Return ``value`` stripped when it is a one-line text of ``min_len``..``max_len``."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not min_len <= len(value) <= max_len or not is_line(value):
        return None
    return value


def text(value: object, *, max_len: int) -> str | None:
    """Return ``value`` stripped when it is free text of at most ``max_len`` characters."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if len(value) > max_len or not is_text(value):
        return None
    return value
