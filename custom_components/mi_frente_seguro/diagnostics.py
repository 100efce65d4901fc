"""Diagnostics of a front: what support needs, without personal data or secrets.

Redacted: the front's address and coordinates, every phone, the coordinator's name, the HA
persons who coordinate, broker credentials, signing secrets, the webhook id and camera
URLs (they may carry credentials). The false-alarm tally is given as counts, never by
person.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE
from homeassistant.core import HomeAssistant

from .const import (
    CONF_ADDRESS,
    CONF_BROKER_PASSWORD,
    CONF_BROKER_USERNAME,
    CONF_COORDINATOR_NAME,
    CONF_COORDINATOR_PERSONS,
    CONF_COORDINATOR_PHONE,
    CONF_CUADRANTE_PHONE,
    PoliceField,
)
from .frente.dispatch.outbox_db import DeadLetter
from .frente.duress import is_hidden
from .police_url import redacted_webhook_url
from .runtime import FrenteConfigEntry
from .runtime.destinations import deliveries_of

TO_REDACT = {
    # Secrets: the broker's login, the police link's signing secrets and webhook id, and
    # camera stream URLs (they may carry credentials).
    CONF_BROKER_USERNAME,
    CONF_BROKER_PASSWORD,
    PoliceField.SECRET,
    PoliceField.SECRET_PREVIOUS,
    PoliceField.WEBHOOK_ID,
    "url",
    # The city broker's login (options' city_uplink: redacted inside it too).
    "username",
    "password",
    # Personal data: where the front is, who runs it, how to reach them.
    CONF_ADDRESS,
    CONF_LATITUDE,
    CONF_LONGITUDE,
    CONF_COORDINATOR_NAME,
    CONF_COORDINATOR_PHONE,
    CONF_COORDINATOR_PERSONS,
    CONF_CUADRANTE_PHONE,
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: FrenteConfigEntry
) -> dict[str, Any]:
    """Return what support needs to see of a front, without personal data."""
    return {
        "entry": {
            "title": entry.title,
            "version": f"{entry.version}.{entry.minor_version}",
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": async_redact_data(dict(entry.options), TO_REDACT),
        },
        "front_id": entry.runtime_data.front.front_id,
        "incidents": _incidents(entry),
        "kit": _kit(entry),
        "police": _police(hass, entry),
        "destinations": _destinations(entry),
        "uplink": _uplink(entry),
        "troubles": _troubles(entry),
    }


def _troubles(entry: FrenteConfigEntry) -> dict[str, dict[str, Any]]:
    """Return the troubles told to the police and not yet restored, by device."""
    return {
        key: {
            "since": reported.since.isoformat(),
            "message_id": reported.message_id,
        }
        for key, reported in entry.runtime_data.trouble.troubles.reported.items()
    }


def _uplink(entry: FrenteConfigEntry) -> dict[str, Any] | None:
    """Describe the city uplink (endpoint without credentials), or None without one."""
    uplink = entry.runtime_data.uplink
    if uplink is None:
        return None
    return {
        "endpoint": uplink.settings.endpoint,
        "client_certificate": uplink.settings.cert_file is not None,
        "connected": uplink.link.connected,
        "reconnects": uplink.link.reconnects,
        "answers_applied": uplink.applied,
        "unstored": uplink.link.unstored,
    }


def _destinations(entry: FrenteConfigEntry) -> list[dict[str, Any]]:
    """Describe every destination: where (host only), its queue, link and refusals."""
    destinations = entry.runtime_data.dispatch.destinations
    described = []
    for destination_id, settings in destinations.settings.items():
        outbox = destinations.outboxes.get(destination_id)
        link = destinations.links.get(destination_id)
        described.append(
            {
                "id": destination_id,
                "name": settings.name,
                "kind": settings.kind,
                "endpoint": outbox.endpoint if outbox else None,
                "encrypted": settings.sia.encrypted if settings.sia else None,
                "depth": outbox.depth if outbox else None,
                "reachable": outbox.reachable if outbox else None,
                "gone": outbox.gone if outbox else None,
                "problem": destinations.problem(destination_id),
                "last_latency_s": outbox.last_latency if outbox else None,
                "last_error": outbox.last_error if outbox else None,
                "link_up": link.supervision.up if link else None,
                "link_failures": link.supervision.failures if link else None,
                "dead_letters": _letters(outbox.dead_letters if outbox else []),
            }
        )
    return described


def _letters(letters: list[DeadLetter]) -> list[dict[str, Any]]:
    return [
        {
            "message_id": letter.message_id,
            "incident_id": letter.incident_id,
            "type": letter.message_type,
            "at": letter.done_at,
            "reason": letter.error,
        }
        for letter in letters
    ]


def _police(hass: HomeAssistant, entry: FrenteConfigEntry) -> dict[str, Any]:
    """Describe the police link (endpoint host only, never secrets or the webhook id)."""
    dispatch = entry.runtime_data.dispatch
    outbox = dispatch.outbox
    return {
        "endpoint": outbox.endpoint if outbox else None,
        # The host the police call back (the webhook id stays redacted).
        "webhook_url": redacted_webhook_url(
            hass, entry.options.get(PoliceField.WEBHOOK_ID)
        ),
        "format": dispatch.settings.message_format.value,
        "secrets": len(dispatch.settings.secrets),
        "depth": outbox.depth if outbox else None,
        "reachable": outbox.reachable if outbox else None,
        "gone": outbox.gone if outbox else None,
        "last_latency_s": outbox.last_latency if outbox else None,
        "last_error": outbox.last_error if outbox else None,
        "last_police_status": dispatch.last_police_status,
        "refused_updates": dict(dispatch.refused),
        "dead_letters": _letters(outbox.dead_letters if outbox else []),
    }


def _kit(entry: FrenteConfigEntry) -> dict[str, Any]:
    """Describe the kit link: state, counters, topics (no credentials)."""
    kit = entry.runtime_data.kit
    client = kit.client
    return {
        "mqtt": client is not None,
        "link_up": kit.link_up,
        "kit_online": kit.kit_online,
        "siren_on": kit.siren_on,
        "telemetry": asdict(kit.telemetry),
        "topics": asdict(kit.settings.topics),
        "adopted_siren": kit.settings.adopted_siren,
        "adopted_buttons": kit.settings.adopted_buttons,
        "reconnects": client.reconnects if client else None,
        "malformed_payloads": dict(client.problems) if client else {},
        "unstored_presses": client.unstored if client else 0,
    }


def _incidents(entry: FrenteConfigEntry) -> dict[str, Any]:
    """Summarise the incidents without who pressed or where they were."""
    incidents = entry.runtime_data.incidents
    current = incidents.current
    return {
        "held": len(incidents.book.all()),
        "store_commits": incidents.ledger.committer.commits,
        "store_failures": incidents.ledger.committer.failures,
        "store_error": (
            None
            if (error := incidents.ledger.committer.last_error) is None
            else error.reason
        ),
        "current": None
        if current is None
        else {
            "incident_id": current.incident_id,
            "state": current.state.value,
            "kind": current.kind.value,
            "source": current.source.value,
            "presses": len(current.presses),
            "times": {
                step.state.value: step.at.isoformat() for step in current.transitions
            },
            "deliveries": None
            if is_hidden(current)
            else deliveries_of(
                incidents.ledger,
                entry.runtime_data.dispatch.names,
                current.incident_id,
            ),
        },
        "stats": asdict(incidents.stats()),
        # Anti-abuse tally: cancelled real incidents opened by each member, as counts
        # (who they are is personal data: the member sensors show it to the front).
        "false_alarms_by_member": sorted(
            incidents.book.false_alarms_by_person().values(), reverse=True
        ),
    }
