"""Incident ids: ULIDs, sortable by creation time and unique across restarts.

26 characters of Crockford base32: 48 bits of Unix milliseconds then 80 random bits. Ids made
in the same millisecond by one generator increase monotonically, so sorting ids sorts
incidents by when they were opened.
"""

from __future__ import annotations

import random

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RANDOM_BITS = 80
_MAX_RANDOM = (1 << _RANDOM_BITS) - 1


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, index = divmod(value, 32)
        chars.append(_ALPHABET[index])
    return "".join(reversed(chars))


class UlidGenerator:
    """Make ULIDs; monotonic within a millisecond."""

    def __init__(self) -> None:
        """Start with no previous id.

        The random part comes from a generator seeded once from the OS: ids must be
        unique, not secret (a fresh OS read per id cost about half a millisecond per
        police message here).
        """
        self._last_ms = -1
        self._last_random = 0
        self._random = random.Random()  # noqa: S311  (seeded from os.urandom)

    def new(self, unix_ms: int) -> str:
        """Return a new id for the time ``unix_ms`` (milliseconds since 1970)."""
        if unix_ms <= self._last_ms and self._last_random < _MAX_RANDOM:
            unix_ms = self._last_ms
            self._last_random += 1
        else:
            self._last_random = self._random.getrandbits(_RANDOM_BITS)
        self._last_ms = unix_ms
        return _encode(unix_ms, 10) + _encode(self._last_random, 16)


def ulid_time_ms(ulid: str) -> int:
    """Return the milliseconds timestamp stored in ``ulid``."""
    value = 0
    for char in ulid[:10]:
        value = value * 32 + _ALPHABET.index(char)
    return value


def is_ulid(text: str) -> bool:
    """Return True for a well-formed ULID: 26 characters of Crockford's base 32."""
    return (
        len(text) == 26 and text[0] in "01234567" and all(c in _ALPHABET for c in text)
    )
