"""Keep camera credentials out of logs, exceptions, reprs and manifests.

Camera URLs often carry a user and password (``rtsp://admin:secret@10.0.0.5/stream1``) or
put them in the query or path (``.../cam/realmonitor?user=admin&password=secret``). Every
text that leaves this package and may hold a URL goes through ``redact_text``; URLs that
are shown on purpose go through ``redact_url``.
"""

from __future__ import annotations

import re
import traceback
from urllib.parse import unquote, urlsplit

MASK = "***"

# ``scheme://userinfo@``: userinfo runs to the last "@" before the first "/" or blank.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@]*(?:@[^/\s@]*)*@")
# ``password=...`` and friends, in a query or in a path (some cameras put them there).
_SECRET_PARAM = re.compile(
    r"(?i)(?<![a-z0-9_])"
    r"(user(?:name)?|usr|pass(?:word|wd)?|pwd|token|access_token|auth|key|api_?key"
    r"|secret|sig(?:nature)?)=([^&;/\s#]*)"
)
MIN_SECRET_LENGTH = 3  # shorter literal secrets would mangle every message


def redact_url(url: str) -> str:
    """Return ``url`` with its user, password and secret parameters masked."""
    return redact_text(url)


def redact_text(text: str, *secrets: str) -> str:
    """Mask URL credentials anywhere in ``text``, then every literal in ``secrets``.

    ``secrets`` catches credentials that a program echoed without their URL around them
    (use ``url_secrets``). Secrets shorter than ``MIN_SECRET_LENGTH`` are left to the
    patterns alone.
    """
    text = _USERINFO.sub(rf"\1{MASK}@", text)
    text = _SECRET_PARAM.sub(rf"\1={MASK}", text)
    for secret in sorted(set(secrets), key=len, reverse=True):
        if len(secret) >= MIN_SECRET_LENGTH:
            text = text.replace(secret, MASK)
    return text


def url_secrets(url: str) -> tuple[str, ...]:
    """Return the credentials in ``url``, as written and percent-decoded."""
    found: list[str] = []
    try:
        parts = urlsplit(url)
        userinfo = [parts.username, parts.password]
    except ValueError:  # not parseable as a URL: the patterns still apply
        userinfo = []
    found += [item for item in userinfo if item]
    found += [match.group(2) for match in _SECRET_PARAM.finditer(url)]
    found += [unquote(item) for item in found]
    return tuple(dict.fromkeys(item for item in found if item))


def redacted_traceback(error: BaseException, *secrets: str) -> str:
    """Return ``error``'s traceback as text, passed through ``redact_text``."""
    return redact_text("".join(traceback.format_exception(error)).rstrip(), *secrets)
