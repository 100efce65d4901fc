"""The signed-JSON or CAP 1.2 destination: a police message POSTed to a receiver's URL.

:class:`WebhookTransport` is the ``Transport`` (``outcome.py``) of a JSON or CAP
destination: :meth:`~WebhookTransport.render` stores the exact bytes to POST (the JSON
message, or its CAP rendering), :meth:`~WebhookTransport.attempt` POSTs them signed
(Standard Webhooks, ``attempt.py``) with the message id as ``webhook-id``, so every retry
carries the same id and receivers dedupe by it.

Answers: 2xx delivered; 400, 413 and 422 refused for good (a dead letter); 410 Gone: the
endpoint is retired (the queue pauses); anything else (other 4xx, 5xx, refused, timeout)
is retried, honouring Retry-After.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from .attempt import DEFAULT_TIMEOUT, Answer, OutboxFormat, post_signed
from .cap import to_cap
from .messages import encode_json
from .outcome import DELIVERED, Outcome, Verdict
from .signing import WebhookSecret

REFUSED_FOR_GOOD = frozenset({400, 413, 422})  # this message will never be taken
GONE = 410


class SignedEndpoint:
    """One URL that takes signed POSTs: what every webhook-style transport shares."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        secrets: Iterable[WebhookSecret],
        *,
        timeout: aiohttp.ClientTimeout,
        clock: Callable[[], datetime] | None,
    ) -> None:
        """POST to ``url`` signed with ``secrets`` (the primary first, then the previous)."""
        self._session = session
        self._url = url
        self._secrets = checked_secrets(secrets)
        self._timeout = timeout
        self._clock = clock or (lambda: datetime.now(UTC))

    @property
    def endpoint(self) -> str:
        """Return the endpoint's scheme, host and port only (safe to log)."""
        return safe_endpoint(self._url)

    async def _post(
        self, message_id: str, body: bytes, message_format: OutboxFormat
    ) -> Answer:
        """POST ``body`` once, signed now; never raises."""
        return await post_signed(
            self._session,
            self._url,
            message_id,
            body,
            secrets=self._secrets,
            message_format=message_format,
            timeout=self._timeout,
            now=self._clock(),
        )


class WebhookTransport(SignedEndpoint):
    """Signed POSTs of JSON or CAP to one URL."""

    def __init__(  # noqa: PLR0913  (one endpoint's whole description)
        self,
        session: aiohttp.ClientSession,
        url: str,
        secrets: Iterable[WebhookSecret],
        *,
        message_format: OutboxFormat = OutboxFormat.JSON,
        cap_sender: str | None = None,
        timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """POST to ``url`` signed with ``secrets`` (the primary first, then the previous)."""
        super().__init__(session, url, secrets, timeout=timeout, clock=clock)
        self.message_format = OutboxFormat(message_format)
        self._cap_sender = cap_sender

    def __repr__(self) -> str:
        """Show the endpoint without credentials, path or query."""
        return f"WebhookTransport({self.endpoint}, {self.message_format.value})"

    def render(self, message: Mapping[str, Any]) -> bytes | None:
        """Return the JSON message or its CAP rendering (raises ValueError for NaN...)."""
        if self.message_format is OutboxFormat.CAP:
            return to_cap(message, self._cap_sender)
        return encode_json(message)

    async def attempt(self, message_id: str, body: bytes) -> Outcome:
        """POST ``body`` once, signed; never raises."""
        answer = await self._post(message_id, body, self.message_format)
        status = answer.status
        if status is not None and 200 <= status < 300:
            return DELIVERED
        if status in REFUSED_FOR_GOOD:
            return Outcome(Verdict.REFUSED, answer.error)
        if status == GONE:
            return Outcome(Verdict.GONE, answer.error)
        return Outcome(Verdict.RETRY, answer.error, answer.retry_after)


def safe_endpoint(url: str) -> str:
    """Return a URL's scheme, host and port (no credentials, path or query)."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{host}{port}"


def checked_secrets(secrets: Iterable[WebhookSecret]) -> tuple[WebhookSecret, ...]:
    """Return the secrets as a tuple; raises ValueError when there is none."""
    keys = tuple(secrets)
    if not keys:
        raise ValueError("an outbox needs at least one signing secret")
    return keys
