"""Password hashes with argon2id (argon2-cffi's defaults, RFC 9106's second choice)."""

from __future__ import annotations

from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH: Final = 12
MAX_LENGTH: Final = 256  # argon2 takes any length; this bounds the work per attempt

_HASHER: Final = PasswordHasher()
# Verified against when the account does not exist, so both cases cost the same.
_DUMMY: Final = _HASHER.hash("consola-dummy-password-never-valid")


def hash_password(password: str) -> str:
    """Return the argon2id hash of ``password``."""
    return _HASHER.hash(password)


def acceptable(password: str) -> bool:
    """Return True when ``password`` may be set (length only: passphrases welcome)."""
    return MIN_LENGTH <= len(password) <= MAX_LENGTH and "\x00" not in password


def verify_password(stored: str | None, password: str) -> bool:
    """Return True when ``password`` matches ``stored`` (None: no such account)."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(stored if stored is not None else _DUMMY, password) and (
            stored is not None
        )
    except VerificationError, InvalidHashError:
        return False
