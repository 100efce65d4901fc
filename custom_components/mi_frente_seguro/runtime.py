"""The typed runtime object a front's config entry holds while it is loaded."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .frente.front import Front


@dataclass(slots=True)
class FrenteRuntime:
    """What a loaded front needs at run time (``entry.runtime_data``)."""

    front: Front
    device_id: str


type FrenteConfigEntry = ConfigEntry[FrenteRuntime]


def front_from_entry(entry: ConfigEntry) -> Front:
    """Return the :class:`Front` described by a config entry's data and options."""
    return Front.from_mapping({**entry.data, **entry.options})
