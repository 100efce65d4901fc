"""One signed delivery attempt of a police message: the POST and what its answer means."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
import logging

import aiohttp

from ..text import safe_text
from .cap import CONTENT_TYPE as CAP_CONTENT_TYPE
from .retry import parse_retry_after
from .signing import WebhookSecret, signature_headers

_LOGGER = logging.getLogger(__name__)

DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=10, sock_connect=3)
USER_AGENT = "mi-frente-seguro/1"
REFUSAL_EXCERPT = 200  # characters of a refusal's body kept as its reason


class OutboxFormat(StrEnum):
    """What an outbox sends: the JSON message or its CAP 1.2 rendering."""

    JSON = "json"
    CAP = "cap"


CONTENT_TYPES = {
    OutboxFormat.JSON: "application/json",
    OutboxFormat.CAP: CAP_CONTENT_TYPE,
}


@dataclass(frozen=True, slots=True)
class Answer:
    """How an attempt ended: the HTTP status (None if none came), Retry-After, why.

    ``error`` is ``HTTP <status>`` (and, for a 4xx, the start of the receiver's answer)
    or what went wrong before an answer came (``timeout``, an exception's name).
    """

    status: int | None
    retry_after: float | None
    error: str


async def post_signed(  # noqa: PLR0913  (one request's whole description)
    session: aiohttp.ClientSession,
    url: str,
    message_id: str,
    body: bytes,
    *,
    secrets: Sequence[WebhookSecret],
    message_format: OutboxFormat,
    timeout: aiohttp.ClientTimeout,
    now: datetime,
) -> Answer:
    """POST ``body`` signed with ``secrets`` (Standard Webhooks); never raises."""
    headers = signature_headers(message_id, int(now.timestamp()), body, secrets)
    headers["Content-Type"] = CONTENT_TYPES[message_format]
    headers["User-Agent"] = USER_AGENT
    try:
        async with session.post(
            url, data=body, headers=headers, timeout=timeout, allow_redirects=False
        ) as response:
            retry_after = parse_retry_after(response.headers.get("Retry-After"), now)
            error = f"HTTP {response.status}"
            if 400 <= response.status < 500:
                said = await response.content.read(REFUSAL_EXCERPT * 4)
                text = safe_text(said.decode("utf-8", "replace")).strip()
                if text:
                    error += f": {text[:REFUSAL_EXCERPT]}"
            return Answer(response.status, retry_after, error)
    except TimeoutError:
        return Answer(None, None, "timeout")
    except (aiohttp.ClientError, OSError) as err:
        return Answer(None, None, type(err).__name__)
    except Exception:
        _LOGGER.exception("Unexpected error posting a police message")
        return Answer(None, None, "unexpected error")
