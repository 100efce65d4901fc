"""Config entry migrations: an old front's entry brought to what this version reads.

1.1 -> 1.2: the single police link of the options (``police_url``, ``police_format``,
``police_secret``, ``police_secret_previous``) becomes the front's first destination, a
``json`` or ``cap`` subentry whose ``destination_id`` is ``police`` (so the outbox rows it
queued before, the entities and the repair issues keep their ids), with the same secrets:
the receiver sees no change. The escalation delay and the status webhook id stay in the
options (they are the front's). A front without an endpoint keeps its secrets in the
options (the status webhook still checks them).
"""

from __future__ import annotations

from types import MappingProxyType

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import HomeAssistant

from .const import (
    CONF_DESTINATION_ID,
    FIRST_DESTINATION,
    LOGGER,
    SUBENTRY_CAP,
    SUBENTRY_JSON,
    PoliceField,
)

VERSION = 1
MINOR_VERSION = 2
LINK_KEYS = (
    PoliceField.URL,
    PoliceField.FORMAT,
    PoliceField.SECRET,
    PoliceField.SECRET_PREVIOUS,
)


def police_subentry(
    url: str, message_format: str, secret: str, previous: str, title: str
) -> ConfigSubentry:
    """Return the first destination's subentry (id ``police``) for a police link."""
    kind = SUBENTRY_CAP if message_format == SUBENTRY_CAP else SUBENTRY_JSON
    return ConfigSubentry(
        data=MappingProxyType(
            {
                CONF_DESTINATION_ID: FIRST_DESTINATION,
                PoliceField.URL: url,
                PoliceField.SECRET: secret,
                PoliceField.SECRET_PREVIOUS: previous,
            }
        ),
        subentry_type=kind,
        title=title,
        unique_id=FIRST_DESTINATION,
    )


async def async_migrate_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Migrate a front's entry; False for a version from the future (not loaded)."""
    if entry.version > VERSION:
        return False
    if entry.version == VERSION and entry.minor_version < 2:  # noqa: PLR2004
        options = dict(entry.options)
        url = str(options.get(PoliceField.URL) or "").strip()
        if url:
            subentry = police_subentry(
                url,
                str(options.get(PoliceField.FORMAT) or SUBENTRY_JSON),
                str(options.get(PoliceField.SECRET) or ""),
                str(options.get(PoliceField.SECRET_PREVIOUS) or ""),
                "Policía",
            )
            hass.config_entries.async_add_subentry(entry, subentry)
            for key in LINK_KEYS:
                options.pop(key, None)
        hass.config_entries.async_update_entry(
            entry, options=options, minor_version=MINOR_VERSION
        )
        LOGGER.debug("Front %s migrated to 1.2 (destinations)", entry.title)
    return True
