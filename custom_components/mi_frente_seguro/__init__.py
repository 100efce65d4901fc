"""Mi Frente Seguro: Cartagena's neighbourhood security fronts in Home Assistant."""

from __future__ import annotations

import asyncio
from datetime import datetime
from functools import partial
from pathlib import Path
import sqlite3

from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.event import async_track_time_change
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util, ssl as ssl_util

from .cameras import FrontCameras, evidence_links
from .const import CONF_FRONT_ID, DOMAIN
from .dispatch import (
    FrontDispatch,
    async_register_webhook,
    build_outbox,
    police_settings,
)
from .frente.change import IncidentChange
from .frente.committer import StorageError
from .frente.evidence import BundleUpdate
from .frente.front import InvalidFrontError
from .frente.kit.client import KitClient
from .frente.ledger import FrontLedger
from .frente.store import IncidentStore
from .incidents import FrontIncidents
from .kit import FrontKit
from .kit_settings import kit_settings
from .notifications import async_listen_for_answers
from .runtime import (
    FrenteConfigEntry,
    FrenteRuntime,
    front_from_entry,
    incident_db_path,
)
from .services import async_setup_services
from .texts import async_load_texts

PLATFORMS: list[Platform] = [
    Platform.ALARM_CONTROL_PANEL,
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CAMERA,
    Platform.EVENT,
    Platform.SENSOR,
    Platform.SIREN,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
LINK_STOP_TIMEOUT = 5.0  # s for the kit link to disconnect cleanly at unload


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, whether or not a front is loaded."""
    async_setup_services(hass)
    async_listen_for_answers(hass)
    await async_load_texts(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: FrenteConfigEntry) -> bool:
    """Set up one front: its device, its incidents (restored from disk) and entities."""
    try:
        front = front_from_entry(entry)
    except InvalidFrontError as err:  # stored settings no form would accept
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="invalid_front",
            translation_placeholders={
                "front": entry.title,
                "field": err.field,
                "reason": err.reason,
            },
        ) from err
    settings = police_settings(entry.options)
    store = IncidentStore(
        incident_db_path(hass, front.front_id), hass.async_add_executor_job
    )
    ledger = FrontLedger(
        front,
        store,
        clock=dt_util.now,
        outbox=build_outbox(hass, store.committer, settings),
    )
    incidents = FrontIncidents(hass, entry.entry_id, front, ledger)
    dispatch = FrontDispatch(hass, incidents, settings)
    try:
        await ledger.open()
    except (sqlite3.Error, OSError, StorageError) as err:
        await ledger.close()
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="storage_unavailable",
            translation_placeholders={"path": str(store.path), "error": str(err)},
        ) from err
    entry.async_on_unload(ledger.close)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, front.front_id)},
        manufacturer="Mi Frente Seguro",
        model="Frente de seguridad",
        translation_key="front",
        translation_placeholders={"name": front.name},
        suggested_area=front.barrio,
    )
    kit = _create_kit(hass, entry, incidents)
    if kit.client is None:
        _remove_stale_kit_device(hass, entry, front.front_id)
    entry.runtime_data = FrenteRuntime(
        front=front,
        device_id=device.id,
        incidents=incidents,
        kit=kit,
        cameras=FrontCameras(hass, front.front_id, front.name, entry.options),
        dispatch=dispatch,
    )
    kit.async_start()
    entry.async_on_unload(kit.async_stop)
    dispatch.async_start()
    entry.async_on_unload(dispatch.async_stop)
    entry.async_on_unload(async_register_webhook(hass, dispatch))
    await _start_cameras(hass, entry)

    async def _stop_links(_event: Event) -> None:
        # HA stops without unloading entries: end the links, ffmpeg and the file cleanly.
        if kit.client is not None:
            kit.client.stop()
        dispatch.async_stop()
        await entry.runtime_data.cameras.async_stop()
        await ledger.close()

    entry.async_on_unload(hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, _stop_links))
    if kit.client is not None:
        # The front works without its broker: the link keeps retrying in the background
        # (its entities are unavailable meanwhile) and a refused password starts reauth.
        # Not an entry task: HA would cancel it mid-connect at unload (paho then logs
        # errors); the link is stopped cleanly instead, before the entry is unloaded.
        link = hass.async_create_background_task(
            kit.client.run(), f"{DOMAIN} kit link {front.front_id}"
        )
        entry.async_on_unload(partial(_stop_link, kit.client, link))

    @callback
    def _midnight(_now: datetime) -> None:
        incidents.async_refresh()  # "this month" sensors roll over

    entry.async_on_unload(
        async_track_time_change(hass, _midnight, hour=0, minute=0, second=0)
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # New options or members (subentries) take effect by reloading the front.
    entry.async_on_unload(entry.add_update_listener(_async_reload))
    return True


async def _async_reload(hass: HomeAssistant, entry: FrenteConfigEntry) -> None:
    hass.config_entries.async_schedule_reload(entry.entry_id)


async def _start_cameras(hass: HomeAssistant, entry: FrenteConfigEntry) -> None:
    """Start the keyframe buffers; capture evidence for every new incident; purge daily."""
    cameras = entry.runtime_data.cameras
    incidents = entry.runtime_data.incidents
    await cameras.async_start()
    entry.async_on_unload(cameras.async_stop)

    async def on_update(update: BundleUpdate) -> None:
        for missing in update.missing:
            for camera in cameras.cameras:
                if camera.settings.camera_id == missing.camera_id:
                    cameras.set_down(camera, missing.reason)
        summary = {
            "camera": update.camera_id,
            "stage": update.stage,
            "files": len(update.files),
            "missing": [item.reason for item in update.missing],
        }
        await incidents.async_add_evidence(
            update.incident_id, evidence_links(update), summary
        )

    @callback
    def on_change(change: IncidentChange | None) -> None:
        if change is not None and change.opened and cameras.cameras:
            incident = change.incident
            entry.async_create_background_task(
                hass,
                cameras.async_capture(incident, on_update),
                f"{DOMAIN} evidence {incident.incident_id}",
            )

    entry.async_on_unload(async_dispatcher_connect(hass, incidents.signal, on_change))
    entry.async_on_unload(
        async_track_time_change(hass, cameras.async_purge, hour=3, minute=30, second=0)
    )


def _create_kit(
    hass: HomeAssistant, entry: FrenteConfigEntry, incidents: FrontIncidents
) -> FrontKit:
    """Build the front's kit: its MQTT link when a broker is configured."""
    settings = kit_settings(entry.data, entry.options)
    kit = FrontKit(
        hass,
        front_name=incidents.front.name,
        incidents=incidents,
        settings=settings,
        client=None,
        on_auth_failed=lambda: entry.async_start_reauth(hass),
    )
    if settings.broker is not None:
        kit.client = KitClient(
            settings.broker,
            settings.topics,
            kit,
            tls_context=ssl_util.client_context() if settings.broker.tls else None,
        )
    return kit


def _remove_stale_kit_device(
    hass: HomeAssistant, entry: FrenteConfigEntry, front_id: str
) -> None:
    """Drop the kit's device when the front no longer has an MQTT kit."""
    registry = dr.async_get(hass)
    device = registry.async_get_device_by_identifier(
        (DOMAIN, f"{front_id}-kit"), entry.entry_id
    )
    if device is not None:
        registry.async_update_device(device.id, remove_config_entry_id=entry.entry_id)


async def _stop_link(client: KitClient, link: asyncio.Task[None]) -> None:
    """End the kit link cleanly; cancel it if it does not end in time."""
    client.stop()
    _, pending = await asyncio.wait({link}, timeout=LINK_STOP_TIMEOUT)
    for task in pending:
        task.cancel()
        await asyncio.wait({task})


async def async_unload_entry(hass: HomeAssistant, entry: FrenteConfigEntry) -> bool:
    """Unload a front; pending incident writes finish before the file closes."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: FrenteConfigEntry) -> None:
    """Delete the front's incident file when the front itself is deleted."""
    path = incident_db_path(hass, entry.data[CONF_FRONT_ID])

    def remove() -> None:
        # The replay file of earlier versions too (its table is in the front's file now).
        replay = path.with_name(f"{path.stem}-replay.db")
        for base in (path, replay):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{base}{suffix}").unlink(missing_ok=True)

    await hass.async_add_executor_job(remove)
