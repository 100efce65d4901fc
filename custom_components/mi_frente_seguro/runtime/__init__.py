"""A loaded front at run time: what ``entry.runtime_data`` holds, and its one life cycle.

:meth:`FrenteRuntime.async_build` reads the settings once and opens the front's file
(the ledger: incidents, police outbox); :meth:`FrenteRuntime.async_start` brings up what
runs (the police link and its webhook, the city uplink, the coordinators' duress notices, the kit's MQTT
link, adopted buttons, cameras, the midnight refresh and the nightly deletion of incidents
past their retention, the police response times in HA's long-term statistics, the monthly drill
reminder and each drill's report, the troubles told to the police);
:meth:`FrenteRuntime.async_stop` ends all of it and closes the file.
Unloading the entry and HA stopping both use that one stop (it is idempotent). Each part
owns its client, task and shutdown.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
import sqlite3
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers.event import async_track_time_change
from homeassistant.util import dt as dt_util

from ..const import LOGGER
from ..errors import translated
from ..frente.committer import StorageError
from ..frente.drills import Step, drill_timeline
from ..frente.front import Front, InvalidFrontError
from ..frente.incident import Incident
from ..frente.ledger import FrontLedger
from ..frente.store import IncidentStore
from .adopted import AdoptedButtons
from .cameras import FrontCameras
from .destinations import build_outboxes, deliveries_of
from .devices import async_front_device
from .dispatch import FrontDispatch
from .drills import FrontDrills
from .duress import FrontDuress
from .incidents import FrontIncidents
from .jamming import FrontJamming
from .kit import FrontKit
from .police_evidence import (
    PoliceEvidence,
    async_police_token,
    build_uploads,
    link_outboxes,
)
from .settings import FrontSettings, incident_db_path
from .statistics import FrontStatistics
from .trouble import FrontTrouble
from .uplink import FrontUplink, async_tls_context

type FrenteConfigEntry = ConfigEntry[FrenteRuntime]


@dataclass(slots=True)
class FrenteRuntime:
    """What a loaded front needs at run time (``entry.runtime_data``)."""

    settings: FrontSettings
    device_id: str
    incidents: FrontIncidents
    dispatch: FrontDispatch
    duress: FrontDuress
    kit: FrontKit
    adopted: AdoptedButtons
    cameras: FrontCameras
    statistics: FrontStatistics
    drills: FrontDrills
    jamming: FrontJamming
    trouble: FrontTrouble
    uplink: FrontUplink | None = None
    _unsubs: list[CALLBACK_TYPE] = field(default_factory=list)
    _purging: asyncio.Task[None] | None = None
    _stopped: bool = False

    @property
    def front(self) -> Front:
        """Return the front's settings (who, where, which quadrant)."""
        return self.settings.front

    @classmethod
    async def async_build(
        cls, hass: HomeAssistant, entry: FrenteConfigEntry
    ) -> FrenteRuntime:
        """Read the settings and open the front's file; raise what HA should show.

        ``ConfigEntryError`` for stored settings no form would accept,
        ``ConfigEntryNotReady`` when the incident file cannot be opened (HA retries).
        """
        try:
            settings = FrontSettings.from_entry(entry)
        except InvalidFrontError as err:
            where = {"front": entry.title, "field": err.field, "reason": err.reason}
            raise translated(ConfigEntryError, "invalid_front", **where) from err
        front = settings.front
        uplink_tls = (
            None
            if settings.uplink is None
            else await async_tls_context(hass, entry.title, settings.uplink)
        )
        store = IncidentStore(
            incident_db_path(hass, front.front_id), hass.async_add_executor_job
        )
        uplink = (
            None
            if settings.uplink is None
            else FrontUplink(
                hass,
                entry,
                settings.uplink,
                uplink_tls,
                front_id=front.front_id,
                secrets=settings.police.secrets,
            )
        )
        ledger = FrontLedger(
            front,
            store,
            clock=dt_util.now,
            outboxes=build_outboxes(
                hass,
                store.committer,
                settings.police,
                None if uplink is None else uplink.transport,
            ),
            uploads=build_uploads(hass, store.committer, settings.police),
        )
        police = PoliceEvidence(hass, front, await async_police_token(hass))
        link_outboxes(ledger.outboxes, police)
        incidents = FrontIncidents(hass, entry.entry_id, front, ledger)
        duress = FrontDuress(hass, entry)
        dispatch = FrontDispatch(hass, incidents, settings.police, duress)
        if uplink is not None:
            uplink.bind(dispatch)
        trouble = FrontTrouble(hass, settings, ledger)
        try:
            await ledger.open()
            await trouble.async_open()
        except (sqlite3.Error, OSError, StorageError) as err:
            await ledger.close()
            raise translated(
                ConfigEntryNotReady,
                "storage_unavailable",
                path=str(store.path),
                error=str(err),
            ) from err
        device = async_front_device(hass, entry, settings)
        kit = FrontKit(
            hass,
            settings,
            incidents,
            on_auth_failed=lambda: entry.async_start_reauth(hass),
        )

        def drill_steps(incident: Incident) -> list[Step]:
            deliveries = deliveries_of(ledger, dispatch.names, incident.incident_id)
            return drill_timeline(incident, deliveries, kit.siren_confirmed)

        return cls(
            settings=settings,
            device_id=device.id,
            incidents=incidents,
            dispatch=dispatch,
            duress=duress,
            kit=kit,
            adopted=AdoptedButtons(hass, settings, incidents),
            cameras=FrontCameras(hass, settings, incidents, police=police),
            statistics=FrontStatistics(hass, settings, incidents),
            drills=FrontDrills(hass, settings, incidents.signal, drill_steps),
            jamming=FrontJamming(hass, entry),
            trouble=trouble,
            uplink=uplink,
        )

    async def async_start(self, hass: HomeAssistant) -> None:
        """Start the front's links: police first (the first message never waits)."""
        self.dispatch.async_start()
        if self.uplink is not None:  # police answers over the city broker
            await self.uplink.async_start()
        self.duress.async_start()
        self.kit.async_start()
        self.adopted.async_start()
        await self.cameras.async_start()
        self.statistics.async_start()
        self.drills.async_start()
        self.jamming.async_start()
        self.trouble.async_start(self.kit, self.cameras)

        @callback
        def midnight(_now: datetime) -> None:
            self.incidents.async_refresh()  # "this month" sensors roll over
            self._purge(hass)

        self._unsubs.append(
            async_track_time_change(hass, midnight, hour=0, minute=0, second=0)
        )
        self._purge(hass)

    def _purge(self, hass: HomeAssistant) -> None:
        """Delete closed incidents past their retention (Ley 1581), in the background."""

        async def purge() -> None:
            days = self.settings.evidence.incident_retention_days
            try:
                await self.incidents.async_purge(days)
            except StorageError as err:  # the repair issue says it; tried again tonight
                LOGGER.warning("Could not delete incidents past %s days: %s", days, err)

        if self._purging is not None and not self._purging.done():
            return  # still at it
        self._purging = hass.async_create_background_task(
            purge(), f"mi_frente_seguro purge {self.front.front_id}"
        )

    async def async_stop(self, *_: Any) -> None:
        """Stop everything the front runs and close its file (once; later calls do nothing)."""
        if self._stopped:
            return
        self._stopped = True
        for unsub in self._unsubs:
            unsub()
        if self._purging is not None:
            self._purging.cancel()
        self.statistics.async_stop()
        self.drills.async_stop()
        self.jamming.async_stop()
        self.trouble.async_stop()
        self.adopted.async_stop()
        self.duress.async_stop()
        self.dispatch.async_stop()
        if self.uplink is not None:
            await self.uplink.async_stop()
        await self.kit.async_stop()
        await self.cameras.async_stop()
        await self.trouble.async_close()
        await self.incidents.ledger.close()
