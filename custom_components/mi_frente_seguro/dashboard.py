"""The front's ready dashboard: the ``mi_frente_seguro.dashboard`` action returns it.

One view groups what a coordinator watches (docs/tablero.md): the alarm panel, the panic
buttons (Pánico, Pánico silencioso, Emergencia médica, Incendio, Simulacro), the siren, the
incident and the police link, and the cameras. It is built from the front's own entities in
the entity registry, so renamed entity ids and adopted devices are what the cards show,
with the short names HA gave them (``has_entity_name``) on every card.

The silent panic is a dashboard button that performs the ``trigger`` action: a button
entity would show every press (docs/incidents.md, *Duress*). The config is Lovelace's own
(paste it in a new dashboard's *raw configuration editor*).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import probatio

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .action_fields import FRONT_FIELDS, Action, front_entry
from .const import DOMAIN
from .runtime import FrenteConfigEntry
from .runtime.people import async_require_manager
from .texts import texts

SERVICE_DASHBOARD = "dashboard"
DASHBOARD_SCHEMA = probatio.Schema(FRONT_FIELDS)
BUTTONS = ("panic_button", "medical_button", "fire_button", "drill_button")
STATUS = (
    (Platform.SENSOR, "incident"),
    (Platform.SENSOR, "police_status"),
    (Platform.BINARY_SENSOR, "endpoint_problem"),
    (Platform.SENSOR, "outbox_depth"),
    (Platform.SENSOR, "incidents_this_month"),
    (Platform.SENSOR, "false_alarms_this_month"),
    (Platform.SENSOR, "last_response_time"),
    (Platform.SENSOR, "mean_response_time_30d"),
)


def front_dashboard(hass: HomeAssistant, entry: FrenteConfigEntry) -> dict[str, Any]:
    """Return the Lovelace config of ``entry``'s dashboard (one view)."""
    registry = er.async_get(hass)
    front_id = entry.runtime_data.front.front_id
    mine = {
        item.unique_id: item
        for item in er.async_entries_for_config_entry(registry, entry.entry_id)
        if not item.disabled
    }

    def entity(key: str) -> er.RegistryEntry | None:
        return mine.get(f"{front_id}-{key}")

    text = texts(hass, "notification")

    def label(key: str) -> str | None:
        """Return the card's shorter label for ``key`` (where the name would be cut)."""
        found = text(f"dashboard.{key}")
        return None if found == f"dashboard.{key}" else found

    def tile(key: str, **extra: Any) -> dict[str, Any] | None:
        found = entity(key)
        if found is None:
            return None
        name = found.name or label(key) or found.original_name
        card: dict[str, Any] = {"type": "tile", "entity": found.entity_id}
        return card | ({"name": name} if name else {}) | extra

    devices = dr.async_get(hass)

    def short(found: er.RegistryEntry) -> str | None:
        """Return the entity's own name (its friendly name without the device's)."""
        state = hass.states.get(found.entity_id)
        device = devices.async_get(found.device_id) if found.device_id else None
        if state is None or device is None:
            return None
        friendly = str(state.attributes.get("friendly_name") or "")
        prefix = device.name_by_user or device.name or ""
        if prefix and friendly.startswith(prefix) and friendly != prefix:
            return friendly[len(prefix) :].strip() or None
        return None

    def row(key: str, found: er.RegistryEntry) -> dict[str, Any] | str:
        name = found.name or label(key) or short(found)
        return {"entity": found.entity_id, "name": name} if name else found.entity_id

    # A button's state is the time of its last press: not what a coordinator reads there.
    buttons = [tile(key, vertical=True, hide_state=True) for key in BUTTONS]
    silent = {
        "type": "button",
        "name": text("kind.silent"),
        "icon": "mdi:bell-off-outline",
        "show_state": False,
        "tap_action": {
            "action": "perform-action",
            "perform_action": f"{DOMAIN}.trigger",
            "data": {"config_entry_id": entry.entry_id, "kind": "silent"},
        },
    }
    buttons.insert(1, silent)
    cards: list[dict[str, Any] | None] = [
        _alarm(entity("alarm"), short),
        {"type": "grid", "columns": 3, "square": False, "cards": _kept(buttons)},
        tile("kit-siren"),
        {
            "type": "entities",
            "title": entry.title,
            "entities": [
                row(key, found)
                for platform, key in STATUS
                if (found := entity(key)) is not None and found.domain == platform
            ],
        },
        _cameras(registry, entry, front_id),
        _logbook(entity("incident"), entity("press")),
    ]
    return {
        "title": entry.title,
        "views": [
            {
                "title": entry.title,
                "path": front_id.replace("_", "-"),
                "icon": "mdi:shield-home",
                "cards": _kept(cards),
            }
        ],
    }


def _kept(cards: list[dict[str, Any] | None]) -> list[dict[str, Any]]:
    return [card for card in cards if card is not None]


def _alarm(
    found: er.RegistryEntry | None,
    short: Callable[[er.RegistryEntry], str | None],
) -> dict[str, Any] | None:
    if found is None:
        return None
    card = {"type": "alarm-panel", "entity": found.entity_id, "states": []}
    name = short(found)
    return card | ({"name": name} if name else {})


def _cameras(
    registry: er.EntityRegistry, entry: FrenteConfigEntry, front_id: str
) -> dict[str, Any] | None:
    cameras = [
        {
            "type": "picture-entity",
            "entity": item.entity_id,
            "camera_view": "auto",
            "show_state": False,  # the state ("Inactivo") would cover the name
        }
        for item in er.async_entries_for_config_entry(registry, entry.entry_id)
        if item.domain == Platform.CAMERA and not item.disabled
    ]
    if not cameras:
        return None
    return {"type": "grid", "columns": 2, "square": False, "cards": cameras}


def _logbook(*found: er.RegistryEntry | None) -> dict[str, Any] | None:
    entities = [item.entity_id for item in found if item is not None]
    if not entities:
        return None
    return {"type": "logbook", "entities": entities, "hours_to_show": 168}


async def async_dashboard(call: ServiceCall) -> ServiceResponse:
    """Return the front's dashboard config (coordinators and administrators)."""
    entry = front_entry(call)
    await async_require_manager(
        call.hass, entry.runtime_data.settings, call.context, call.service
    )
    return front_dashboard(call.hass, entry)


DASHBOARD_ACTIONS = (
    Action(SERVICE_DASHBOARD, async_dashboard, DASHBOARD_SCHEMA, answers=True),
)
