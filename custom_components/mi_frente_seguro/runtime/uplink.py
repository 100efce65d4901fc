"""A front's city MQTT uplink in HA: police answers over the city broker, no inbound port.

When the front's options hold ``city_uplink`` settings (docs/city-uplink.md), the front
keeps one outbound connection to the city broker as client ``mfs-<front_id>`` (persistent
session, QoS 1), subscribes to its answers topic and applies each answer through
:class:`~..frente.uplink.answers.PoliceAnswers`: the same verification (signature,
timestamp window, replay cache, contract) and the same ``police_update`` of the ledger as
the status webhook, one commit, acknowledged to the broker only once it is on disk. A
verified answer also shows the police system is up (the outbox retries at once), as a
signed webhook call does. :attr:`FrontUplink.transport` is the
:class:`~..frente.uplink.transport.MqttTransport` the front's ``city`` destination (its
own durable queue, like any destination) drives to publish the front's alerts over the
same connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
import ssl
from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryError
from homeassistant.util import dt as dt_util

from ..const import LOGGER
from ..errors import translated
from ..frente.dispatch.inbound import InboundVerifier
from ..frente.dispatch.replay import QUEUED_PAST_TOLERANCE
from ..frente.dispatch.signing import WebhookSecret
from ..frente.ledger import PoliceAnswer
from ..frente.uplink.answers import Applied, PoliceAnswers, uplink_handler
from ..frente.uplink.link import (
    Handler,
    Incoming,
    RedeliveryNeededError,
    UplinkLink,
    tls_context,
)
from ..frente.uplink.settings import UplinkSettings
from ..frente.uplink.transport import MqttTransport
from .dispatch import FrontDispatch

STOP_TIMEOUT: Final = 5.0  # s for a clean DISCONNECT


def client_id(front_id: str) -> str:
    """Return the front's fixed MQTT client id (its persistent session at the broker)."""
    return f"mfs-{front_id}"


async def async_tls_context(
    hass: HomeAssistant, title: str, settings: UplinkSettings
) -> ssl.SSLContext | None:
    """Read the TLS files in the executor; raise a translated ConfigEntryError if unusable."""
    try:
        return await hass.async_add_executor_job(tls_context, settings)
    except (OSError, ssl.SSLError, ValueError) as err:
        raise translated(
            ConfigEntryError, "uplink_tls", front=title, error=type(err).__name__
        ) from err


class FrontUplink:
    """The city uplink of one loaded front."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        settings: UplinkSettings,
        context: ssl.SSLContext | None,
        *,
        front_id: str,
        secrets: Sequence[WebhookSecret],
    ) -> None:
        """Prepare the link and its transport (``settings`` checked, ``secrets`` given).

        Built before the front's ledger, whose ``city`` destination drives
        :attr:`transport`; :meth:`bind` then gives it the ledger for the answers.
        """
        self.hass = hass
        self.entry = entry
        self.settings = settings
        self.front_id = front_id
        self.topics = settings.topics(front_id)
        self.dispatch: FrontDispatch | None = None
        self._handle: Handler | None = None
        self.link = UplinkLink(
            settings,
            client_id(front_id),
            subscribe=self.topics.answers,
            handler=self._on_answer,
            context=context,
        )
        self.transport = MqttTransport(
            self.link, self.topics, secrets, clock=dt_util.now
        )
        self.applied = 0  # answers stored (or already in that state)
        self._task: asyncio.Task[None] | None = None

    def bind(self, dispatch: FrontDispatch) -> None:
        """Apply answers through the front's ledger, as its status webhook does."""
        verifier = InboundVerifier(
            dispatch.settings.secrets,
            dispatch.ledger.replay,
            dt_util.now,
            past=QUEUED_PAST_TOLERANCE,
        )
        self.answers = PoliceAnswers(verifier, dispatch.ledger)
        self.dispatch = dispatch
        self._handle = uplink_handler(self.answers, self._report)

    async def _on_answer(self, incoming: Incoming) -> None:
        if self._handle is None:  # not bound yet: not acknowledged, the broker resends
            raise RedeliveryNeededError
        await self._handle(incoming)

    def __repr__(self) -> str:
        """Show the endpoint, never the password."""
        return f"FrontUplink({self.settings.endpoint})"

    async def async_start(self) -> None:
        """Connect in the background."""
        self._task = self.entry.async_create_background_task(
            self.hass,
            self.link.run(),
            f"mi_frente_seguro uplink {self.front_id}",
        )

    async def async_stop(self) -> None:
        """Disconnect cleanly (an answer being stored is not acknowledged: sent again)."""
        self.link.stop()
        task, self._task = self._task, None
        if task is None:
            return
        # HA may have cancelled the entry's background task already (unload does).
        _done, pending = await asyncio.wait([task], timeout=STOP_TIMEOUT)
        for late in pending:
            late.cancel()
            await asyncio.wait([late])

    def _report(self, applied: Applied) -> None:
        """Count how an answer ended, as the webhook does; log each refusal reason once."""
        dispatch = self.dispatch
        assert dispatch is not None  # answers are handled only once bound
        if applied.refused is not None:
            if not dispatch.refused[applied.refused]:
                LOGGER.warning(
                    "Refused a police update for %s from the city broker: %s "
                    "(further ones only counted)",
                    dispatch.incidents.front.name,
                    applied.refused,
                )
            dispatch.refused[applied.refused] += 1
            return
        if applied.answer in (PoliceAnswer.STORED, PoliceAnswer.ALREADY):
            self.applied += 1
        if dispatch.outbox is not None:  # a signed answer: the police system is up
            dispatch.outbox.resume()
            dispatch.outbox.retry_now()
