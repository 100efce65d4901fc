"""A front's destinations in HA: one outbox each, SIA link tests, what each shows.

:func:`build_outboxes` makes one durable outbox per destination of the front's settings
(JSON or CAP: a signed POST; SIA DC-09; the cuadrante's phone through an HA notify
service), all on the front's file. :class:`FrontDestinations` runs the SIA link tests
(background tasks of the entry, stopped at unload) and tells each destination's entities
when its link changes. Each destination has its own entities, repair issues and
diagnostics; the destination ``police`` (the police link of before) keeps the ids it had.

Proof of delivery: :func:`deliveries_of` gives an incident's deliveries per destination
(the incident sensor's ``deliveries`` attribute, diagnostics) and
:func:`async_tell_delivery` fires the ``mi_frente_seguro_incident`` event of a
destination taking or refusing an alert (never for a silent incident).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util

from ..const import (
    CITY_DESTINATION,
    EVENT_INCIDENT,
    FIRST_DESTINATION,
    SUBENTRY_PHONE,
    SUBENTRY_SIA,
)
from ..frente.committer import Committer
from ..frente.dispatch.messages import MessageType
from ..frente.dispatch.outbox import Outbox, OutboxEvent
from ..frente.dispatch.outcome import Transport
from ..frente.dispatch.sia import LinkSupervision, SiaTransport
from ..frente.dispatch.sia.linktest import supervise
from ..frente.duress import is_hidden
from ..frente.ledger import FrontLedger
from .incidents import FrontIncidents
from .phone import PhoneTransport
from .police_settings import DestinationSettings, PoliceSettings


def build_outboxes(
    hass: HomeAssistant,
    committer: Committer,
    settings: PoliceSettings,
    city: Transport | None = None,
) -> list[Outbox]:
    """Return the front's outboxes on its file, one per destination, in order.

    ``city`` is the city uplink's transport (``uplink.py``), for the ``city`` destination.
    """
    outboxes: list[Outbox] = []
    for destination in settings.destinations:
        outbox = build_outbox(hass, committer, destination, city)
        if outbox is not None:
            outboxes.append(outbox)
    return outboxes


def build_outbox(
    hass: HomeAssistant,
    committer: Committer,
    destination: DestinationSettings,
    city: Transport | None = None,
) -> Outbox | None:
    """Return one destination's outbox (None for a JSON/CAP one without URL or secret)."""
    common = {
        "destination": destination.destination_id,
        "name": destination.name,
        "clock": dt_util.now,
    }
    if destination.kind == SUBENTRY_SIA and destination.sia is not None:
        transport = SiaTransport(destination.sia, clock=dt_util.now, log_trouble=False)
        return Outbox(committer, transport=transport, **common)  # type: ignore[arg-type]
    if destination.kind == CITY_DESTINATION:
        if city is None:
            return None
        return Outbox(committer, transport=city, **common)  # type: ignore[arg-type]
    if destination.kind == SUBENTRY_PHONE and destination.phone_target:
        transport_phone = PhoneTransport(hass, destination.phone_target)
        return Outbox(committer, transport=transport_phone, **common)  # type: ignore[arg-type]
    if destination.message_format is None or not destination.url:
        return None
    if not destination.secrets:
        return None
    return Outbox(
        committer,
        async_get_clientsession(hass),
        destination.url,
        destination.secrets,
        message_format=destination.message_format,
        **common,  # type: ignore[arg-type]
    )


def destination_key(destination_id: str, key: str) -> str:
    """Return an entity's key: the ``police`` destination keeps the keys it had."""
    if destination_id == FIRST_DESTINATION:
        return key
    return f"{destination_id}-{key}"


@dataclass(slots=True)
class LinkState:
    """The link tests of one SIA destination."""

    supervision: LinkSupervision
    task: asyncio.Task[None] | None = None


@dataclass(slots=True)
class FrontDestinations:
    """The destinations of one loaded front, by id (their outboxes are the ledger's)."""

    hass: HomeAssistant
    front_id: str
    outboxes: dict[str, Outbox]
    settings: dict[str, DestinationSettings]
    links: dict[str, LinkState] = field(default_factory=dict)
    on_change: Callable[[], None] | None = None  # a link went up or down

    @classmethod
    def of(
        cls, hass: HomeAssistant, front_id: str, outboxes: tuple[Outbox, ...],
        settings: PoliceSettings,
    ) -> FrontDestinations:  # fmt: skip
        """Index the ledger's outboxes and the settings by destination id."""
        return cls(
            hass,
            front_id,
            {outbox.destination: outbox for outbox in outboxes},
            {d.destination_id: d for d in settings.destinations},
        )

    @callback
    def async_start(self) -> None:
        """Start the link tests of the SIA destinations."""
        for destination_id, outbox in self.outboxes.items():
            transport = outbox.transport
            if not isinstance(transport, SiaTransport):
                continue
            state = LinkState(
                LinkSupervision(interval=transport.settings.link_test_interval)
            )

            def changed(_up: bool | None) -> None:
                if self.on_change is not None:
                    self.on_change()

            state.task = self.hass.async_create_background_task(
                supervise(transport, state.supervision, on_change=changed),
                f"mi_frente_seguro link tests {self.front_id} {destination_id}",
            )
            self.links[destination_id] = state

    @callback
    def async_stop(self) -> None:
        """Stop the link tests."""
        for state in self.links.values():
            if state.task is not None:
                state.task.cancel()
        self.links.clear()

    def problem(self, destination_id: str) -> bool | None:
        """Return True while a destination cannot take messages (None: not known yet)."""
        outbox = self.outboxes.get(destination_id)
        if outbox is None:
            return None
        link = self.links.get(destination_id)
        link_up = None if link is None else link.supervision.up
        if outbox.reachable is None and not outbox.gone and link_up is None:
            return None
        return outbox.gone or outbox.reachable is False or link_up is False


DELIVERY_CHANGES = {
    "delivered": "delivered",
    "dead": "not_delivered",
    "dropped": "not_delivered",
}


def deliveries_of(
    ledger: FrontLedger, names: dict[str, str], incident_id: str
) -> dict[str, dict[str, Any]]:
    """Return an incident's deliveries by destination id, each with its name."""
    return {
        destination: {"name": names.get(destination, destination), **delivery}
        for destination, delivery in ledger.receipts.of(incident_id).items()
    }


@callback
def async_tell_delivery(
    hass: HomeAssistant,
    incidents: FrontIncidents,
    names: dict[str, str],
    event: OutboxEvent,
) -> None:
    """Fire the incident event of a destination taking (or refusing) an alert.

    ``change`` is ``delivered`` or ``not_delivered``, with ``destination``, its name and
    the incident's ``deliveries``; never for a hidden (silent) incident (duress.py).
    """
    change = DELIVERY_CHANGES.get(event.kind)
    if (
        change is None
        or event.message_type != MessageType.CREATED
        or event.incident_id is None
        or event.destination is None
    ):
        return
    try:
        incident = incidents.book.get(event.incident_id)
    except LookupError:
        return
    if is_hidden(incident):
        return
    hass.bus.async_fire(
        EVENT_INCIDENT,
        {
            **incidents.event_data(incident),
            "change": change,
            "destination": event.destination,
            "destination_name": names.get(event.destination, event.destination),
            "deliveries": deliveries_of(incidents.ledger, names, incident.incident_id),
        },
        context=incidents.cause_of(event.incident_id),
    )
