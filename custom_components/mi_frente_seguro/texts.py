"""Sentences the integration writes itself (logbook, notifications), in HA's language.

They live in translations/<language>.json under their own categories ("logbook",
"notification"), are loaded once at start-up and read from HA's translation cache.
"""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import (
    async_get_cached_translations,
    async_get_translations,
)

from .const import DOMAIN

CATEGORIES = ("logbook", "notification")
LANGUAGES = ("es", "en")


async def async_load_texts(hass: HomeAssistant) -> None:
    """Load our own categories for HA's language, Spanish and English."""
    for language in {hass.config.language, *LANGUAGES}:
        for category in CATEGORIES:
            await async_get_translations(hass, language, category, {DOMAIN})


def texts(hass: HomeAssistant, category: str) -> Callable[[str], str]:
    """Return a lookup of ``category``'s sentences in HA's language (English fallback)."""
    prefix = f"component.{DOMAIN}.{category}."
    phrases = async_get_cached_translations(
        hass, hass.config.language, category, DOMAIN
    ) or async_get_cached_translations(hass, "en", category, DOMAIN)
    return lambda key: phrases.get(prefix + key, key)


def state_name(hass: HomeAssistant, state: str) -> str:
    """Return the translated name of an incident state (the incident sensor's states)."""
    names = async_get_cached_translations(hass, hass.config.language, "entity", DOMAIN)
    key = f"component.{DOMAIN}.entity.sensor.incident.state.{state}"
    return names.get(key, state)
