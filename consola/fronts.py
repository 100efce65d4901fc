"""The fronts registry's rules: what a supervisor may enter for a front, checked at the door.

A front is known by the id its Home Assistant derived once (``manga_calle_real``); the
console keeps its name, cuadrante, the status webhook the answers go to, and the signing
secrets (``whsec_`` + base64 of at least 32 bytes, docs/police-api.md section 3). Secrets
are never shown again in full: :func:`mask` is what pages print.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
import re
from typing import Final
from urllib.parse import urlsplit

from . import texto

FRONT_ID: Final = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")
SECRET_PREFIX: Final = "whsec_"
MIN_SECRET_BYTES: Final = 32
MAX_SECRET_LEN: Final = 200
MAX_URL_LEN: Final = 500


class InvalidFrontError(texto.FormError):
    """A field of the front form is wrong; ``reason`` is a key of the catalog."""


@dataclass(frozen=True, slots=True)
class FrontForm:
    """A checked registration (or update) of a front."""

    front_id: str
    name: str
    cuadrante_code: str
    cuadrante_name: str
    status_webhook_url: str
    secret: str | None


def valid_front_id(value: object) -> str | None:
    """Return ``value`` when it is a front id, else None."""
    if isinstance(value, str) and FRONT_ID.fullmatch(value):
        return value
    return None


def valid_secret(value: object) -> str | None:
    """Return the secret when it is ``whsec_`` + base64 of at least 32 bytes, else None."""
    if not isinstance(value, str) or len(value) > MAX_SECRET_LEN:
        return None
    value = value.strip()
    if not value.startswith(SECRET_PREFIX):
        return None
    try:
        raw = base64.b64decode(value.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error, ValueError:
        return None
    return value if len(raw) >= MIN_SECRET_BYTES else None


def valid_url(value: object) -> str | None:
    """Return an http(s) URL with a host and no credentials ("" allowed: none), else None."""
    url = texto.line(value, max_len=MAX_URL_LEN)
    if url is None:
        return None
    if url == "":
        return url
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a bad port
    except ValueError:
        return None
    del port
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.username is not None or parts.password is not None or " " in url:
        return None
    return url


def parse_front_form(fields: Mapping[str, object]) -> FrontForm:
    """Return the checked form; raise :class:`InvalidFrontError`."""
    front_id = valid_front_id(texto.line(fields.get("front_id"), max_len=100))
    if front_id is None:
        raise InvalidFrontError("fronts.reason.id")
    texts = [
        texto.line(fields.get(name), min_len=1, max_len=120)
        for name in ("name", "cuadrante_code", "cuadrante_name")
    ]
    name, code, cuadrante = texts
    if name is None or code is None or cuadrante is None:
        raise InvalidFrontError("fronts.reason.text")
    url = valid_url(fields.get("status_webhook_url", ""))
    if url is None:
        raise InvalidFrontError("fronts.reason.url")
    raw_secret = fields.get("secret", "")
    secret = None
    if raw_secret not in ("", None):
        secret = valid_secret(raw_secret)
        if secret is None:
            raise InvalidFrontError("fronts.reason.secret")
    return FrontForm(front_id, name, code, cuadrante, url, secret)


def mask(secret: str) -> str:
    """Return what a page may show of a secret: its start and its length."""
    return f"{secret[: len(SECRET_PREFIX) + 4]}… ({len(secret)})"
