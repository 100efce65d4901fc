"""The police status webhook as the coordinator must hand it to the police: a full URL.

The police are not on the LAN, so the URL is built from HA's external URL (or its Home
Assistant Cloud remote URL), never the internal one. Without either, the coordinator gets
the path and a translated note saying where to set the external URL.
"""

from __future__ import annotations

from homeassistant.components import webhook
from homeassistant.core import HomeAssistant
from homeassistant.helpers.network import NoURLAvailableError, get_url

from .texts import texts

REDACTED = "**REDACTED**"


def external_base(hass: HomeAssistant) -> str | None:
    """Return HA's URL as the police reach it (external or cloud), or None."""
    try:
        return get_url(hass, allow_internal=False, allow_ip=True, prefer_external=True)
    except NoURLAvailableError:
        return None


def police_webhook_url(hass: HomeAssistant, webhook_id: str | None) -> str | None:
    """Return the full URL the police send their status updates to, or None."""
    base = external_base(hass)
    if not webhook_id or base is None:
        return None
    return base.rstrip("/") + webhook.async_generate_path(webhook_id)


def police_webhook_text(hass: HomeAssistant, webhook_id: str | None) -> str:
    """Return what the police step shows: the full URL, or the path and a note."""
    if not webhook_id:
        return "-"
    if (url := police_webhook_url(hass, webhook_id)) is not None:
        return url
    note = texts(hass, "notification")("no_external_url")
    return f"{webhook.async_generate_path(webhook_id)} ({note})"


def redacted_webhook_url(hass: HomeAssistant, webhook_id: str | None) -> str | None:
    """Return the webhook URL for diagnostics: the host is shown, the id never."""
    if not webhook_id:
        return None
    base = external_base(hass)
    return None if base is None else f"{base.rstrip('/')}/api/webhook/{REDACTED}"
