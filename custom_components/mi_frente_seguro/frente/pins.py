"""A member's PIN and duress PIN: how they are kept (scrypt) and how a code is told apart.

A member may set a PIN (to cancel their own alarm) and a duress PIN (to seem to cancel it
while the police get a silent duress alarm, ``cancels.py``). Neither is ever stored: only
an scrypt hash with its own random salt, as ``scrypt$<n>$<r>$<p>$<salt hex>$<hash hex>``.
Checking a code always hashes it against both, whatever it matches, and compares in
constant time, so how long a check takes says nothing about which PIN was typed.
"""

from __future__ import annotations

from enum import StrEnum
import hashlib
import hmac
import secrets

PIN_MIN = 4
PIN_MAX = 8
# scrypt's cost: 16 MiB and ~50 ms per hash on a small box; a PIN is checked twice.
_N, _R, _P = 2**14, 8, 1
_PREFIX = "scrypt"
_MAX_COST = 2**20  # a stored hash asking for more is refused, never computed
# What a missing duress PIN is checked against (it matches nothing: no hash is all zeros).
_NOTHING = f"{_PREFIX}${_N}${_R}${_P}${'00' * 16}${'00' * 32}"


class CodeMatch(StrEnum):
    """What a typed code is, for a member's PINs."""

    NO_PIN = "no_pin"  # the member has no PIN: no code is asked for
    PIN = "pin"
    DURESS = "duress"
    WRONG = "wrong"


class PinError(ValueError):
    """A PIN that cannot be set (the ``reason`` is a translation key)."""

    def __init__(self, reason: str) -> None:
        """Keep the reason (never the PIN)."""
        super().__init__(reason)
        self.reason = reason


def check_new_pins(pin: str, duress_pin: str | None) -> None:
    """Raise :class:`PinError` unless ``pin`` (and ``duress_pin``) may be set."""
    for code in (pin, duress_pin):
        if code is None:
            continue
        if not (PIN_MIN <= len(code) <= PIN_MAX) or not code.isascii():
            raise PinError("pin_format")
        if not code.isdigit():
            raise PinError("pin_format")
    if duress_pin is not None and duress_pin == pin:
        raise PinError("pin_same")


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    """Return the stored form of ``pin`` (a fresh random salt unless one is given)."""
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"{_PREFIX}${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def _matches(code: bytes, stored: str | None) -> bool:
    """Return True if ``code`` is the PIN ``stored`` (a bad stored form: False)."""
    parts = (_NOTHING if stored is None else stored).split("$")
    try:
        prefix, n, r, p, salt_hex, digest_hex = parts
        cost = int(n), int(r), int(p)
        salt, digest = bytes.fromhex(salt_hex), bytes.fromhex(digest_hex)
    except ValueError:
        return False
    if prefix != _PREFIX or cost[0] > _MAX_COST or cost[1] > 16 or cost[2] > 4:
        return False
    try:  # a cost past scrypt's memory cap (32 MiB), or not a power of 2: no match
        computed = hashlib.scrypt(
            code, salt=salt, n=cost[0], r=cost[1], p=cost[2], dklen=len(digest)
        )
    except ValueError:
        return False
    return hmac.compare_digest(computed, digest) and stored is not None


def match_code(
    code: str | None, pin_hash: str | None, duress_hash: str | None
) -> CodeMatch:
    """Return what ``code`` is for a member with these stored PINs (blocking: scrypt).

    Both hashes are always computed (a missing duress PIN against a fixed hash), so a
    duress PIN takes exactly as long to check as the PIN.
    """
    if pin_hash is None:
        return CodeMatch.NO_PIN
    typed = (code or "").encode()
    is_pin = _matches(typed, pin_hash)
    is_duress = _matches(typed, duress_hash)
    if is_duress:
        return CodeMatch.DURESS
    return CodeMatch.PIN if is_pin else CodeMatch.WRONG
