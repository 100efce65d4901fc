"""The typed runtime object a front's config entry holds while it is loaded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from .const import DOMAIN
from .frente.front import Front

if TYPE_CHECKING:
    from .cameras import FrontCameras
    from .dispatch import FrontDispatch
    from .incidents import FrontIncidents
    from .kit import FrontKit


@dataclass(slots=True)
class FrenteRuntime:
    """What a loaded front needs at run time (``entry.runtime_data``)."""

    front: Front
    device_id: str
    incidents: FrontIncidents
    kit: FrontKit
    cameras: FrontCameras
    dispatch: FrontDispatch


type FrenteConfigEntry = ConfigEntry[FrenteRuntime]


def front_from_entry(entry: ConfigEntry) -> Front:
    """Return the :class:`Front` described by a config entry's data and options."""
    return Front.from_mapping({**entry.data, **entry.options})


def incident_db_path(hass: HomeAssistant, front_id: str) -> Path:
    """Return the SQLite file of a front's incidents, under HA's .storage."""
    return Path(hass.config.path(".storage", DOMAIN, f"{front_id}.db"))
