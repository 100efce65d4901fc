"""Test support for the police link: the front's secret and webhook, a front, signing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import time

from aiohttp import web
from aiohttp.test_utils import TestClient
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from standardwebhooks import Webhook

from custom_components.mi_frente_seguro.flows.police import current_police
from custom_components.mi_frente_seguro.frente.dispatch.signing import WebhookSecret
from homeassistant.core import Event, HomeAssistant

from .const import ENTRY_DATA, ENTRY_OPTIONS
from .helpers import call, enable_entity, front_entry

SECRET = WebhookSecret.generate().export()
PRIMARY = WebhookSecret.parse(SECRET)
WEBHOOK_ID = "police-status-test-hook"
NOWHERE = (
    "http://127.0.0.1:9/alerts"  # the discard port: alerts stay queued, unconfirmed
)


async def police_front(
    hass: HomeAssistant, url: str, **options: object
) -> MockConfigEntry:
    """Set up the Calle Real front with its police link on ``url`` (and the webhook)."""
    entry = front_entry(
        data=dict(ENTRY_DATA),
        options={
            **ENTRY_OPTIONS,
            "police_url": url,
            "police_format": "json",
            "police_secret": SECRET,
            "police_webhook_id": WEBHOOK_ID,
            "escalation_delay": 60,
            **options,
        },
    )
    entry.add_to_hass(hass)
    for key in ("outbox_depth", "delivery_latency"):  # diagnostics, disabled by default
        enable_entity(hass, entry, "sensor", key)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def signed(
    body: bytes, *, msg_id: str = "msg-1", at: float | None = None
) -> dict[str, str]:
    """Return the headers of a status update signed by the reference library."""
    timestamp = int(at if at is not None else time.time())
    signature = Webhook(SECRET).sign(
        msg_id, datetime.fromtimestamp(timestamp), body.decode()
    )
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
        "content-type": "application/json",
    }


async def unconfirmed_front(
    hass: HomeAssistant, escalation_delay: int
) -> tuple[MockConfigEntry, list[Event]]:
    """Set up a front whose alerts nobody receives; return it and its escalation events."""
    events = async_capture_events(hass, "mi_frente_seguro_escalation")
    entry = await police_front(hass, NOWHERE, escalation_delay=escalation_delay)
    return entry, events


async def front_with_an_alarm(
    hass: HomeAssistant, url: str
) -> tuple[MockConfigEntry, str]:
    """Set up the front with its police link on ``url``, press once: (entry, incident id)."""
    entry = await police_front(hass, url)
    opened = await call(hass, "trigger", entry.entry_id)
    assert opened is not None
    return entry, str(opened["incident_id"])


@dataclass(frozen=True, slots=True)
class Alarm:
    """A front with its police link up, after one press; a client for its webhook."""

    entry: MockConfigEntry
    incident_id: str
    client: TestClient[web.Request, web.Application]


def link_of(entry: MockConfigEntry) -> dict[str, object]:
    """Return the front's police link: its options and its ``police`` destination."""
    return current_police(entry)
