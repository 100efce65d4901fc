"""The city uplink as a destination: police messages published to the front's alerts topic.

:class:`MqttTransport` is what a destination's durable queue drives (``outcome.py``'s
``Transport``): :meth:`~MqttTransport.render` stores the message's JSON bytes (the same
bytes the HTTP API sends), :meth:`~MqttTransport.attempt` signs them afresh (Standard
Webhooks, the message id as ``webhook-id``) and publishes them with QoS 1 through the
front's :class:`~.link.UplinkLink`: ``DELIVERED`` once the broker answered ``PUBACK``,
``RETRY`` otherwise. Attempts never raise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
import logging
from typing import Any

from ..dispatch.messages import encode_json
from ..dispatch.outcome import Outcome, Verdict
from ..dispatch.signing import WebhookSecret, signature_headers
from .link import UplinkLink
from .settings import UplinkTopics

_LOGGER = logging.getLogger(__name__)


class MqttTransport:
    """One front's messages to the city broker."""

    def __init__(
        self,
        link: UplinkLink,
        topics: UplinkTopics,
        secrets: Sequence[WebhookSecret],
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Publish on ``topics.alerts`` through ``link``, signed with ``secrets``."""
        if not secrets:
            raise ValueError("the uplink signs with the front's secret: none given")
        self.link = link
        self.topics = topics
        self._secrets = tuple(secrets)
        self._clock = clock or (lambda: datetime.now(UTC))

    def __repr__(self) -> str:
        """Show where messages go, never the secrets."""
        return f"MqttTransport({self.endpoint})"

    @property
    def endpoint(self) -> str:
        """Return ``mqtt(s)://host:port/<alerts topic>`` (no credentials)."""
        settings = self.link.settings
        scheme = "mqtts" if settings.tls else "mqtt"
        return f"{scheme}://{settings.host}:{settings.port}/{self.topics.alerts}"

    def render(self, message: Mapping[str, Any]) -> bytes | None:
        """Return the JSON bytes to store and publish (those the HTTP API signs)."""
        return encode_json(message)

    async def attempt(self, message_id: str, body: bytes) -> Outcome:
        """Publish the stored ``body`` once, signed now; never raises."""
        try:
            headers = signature_headers(
                message_id, int(self._clock().timestamp()), body, self._secrets
            )
        except Exception:
            _LOGGER.exception("Could not sign a message for %s", self.endpoint)
            return Outcome(Verdict.REFUSED, "could not be signed")
        return await self.link.publish(self.topics.alerts, body, headers)
