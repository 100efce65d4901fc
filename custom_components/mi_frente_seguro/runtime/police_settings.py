"""A front's destinations, read from its subentries: where its messages go, how signed.

Each destination is a config subentry (JSON or CAP: a signed POST; SIA DC-09; the
cuadrante's phone); :func:`destination_settings` reads them, the first police link
first, and :func:`police_settings` adds what the police's status webhook accepts (the
secrets of every JSON/CAP destination). ``settings.py`` puts them in ``FrontSettings``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry

from ..const import (
    CONF_DESTINATION_ID,
    CONF_ESCALATION_DELAY,
    CONF_PHONE_TARGET,
    DEFAULT_ESCALATION_DELAY,
    DEFAULT_SIA_LINK_TEST_INTERVAL,
    FIRST_DESTINATION,
    SUBENTRY_CAP,
    SUBENTRY_JSON,
    SUBENTRY_PHONE,
    SUBENTRY_SIA,
    PoliceField,
    SiaField,
)
from ..frente.dispatch.attempt import OutboxFormat
from ..frente.dispatch.sia import ContentFormat, SiaKey, SiaProtocol, SiaSettings
from ..frente.dispatch.signing import WebhookSecret


@dataclass(frozen=True, slots=True)
class DestinationSettings:
    """One destination of the front's messages (a config subentry)."""

    destination_id: str
    name: str
    kind: str  # json, cap, sia, phone; city for the city broker
    url: str | None = None  # json, cap
    secrets: tuple[WebhookSecret, ...] = ()  # json, cap
    sia: SiaSettings | None = None
    phone_target: str | None = None  # notify.* entity or action
    subentry_id: str | None = None

    @property
    def message_format(self) -> OutboxFormat | None:
        """Return the format a JSON or CAP destination POSTs (None for the others)."""
        if self.kind in (SUBENTRY_JSON, SUBENTRY_CAP):
            return OutboxFormat(self.kind)
        return None


@dataclass(frozen=True, slots=True)
class PoliceSettings:
    """The front's destinations and the police's webhook back.

    ``url``, ``message_format`` and ``secrets`` are the first JSON/CAP destination's (the
    police link of before); the status webhook accepts the secrets of every JSON/CAP
    destination (and those left in the options of a front with no endpoint).
    """

    url: str | None
    message_format: OutboxFormat
    secrets: tuple[WebhookSecret, ...]
    escalation_delay: int
    webhook_id: str | None
    destinations: tuple[DestinationSettings, ...] = ()


def police_settings(
    options: Mapping[str, Any], destinations: tuple[DestinationSettings, ...] = ()
) -> PoliceSettings:
    """Return the police settings of a front's options and destinations."""
    secrets = _secrets(options)
    first = next((d for d in destinations if d.message_format is not None), None)
    if first is not None:
        others = [d for d in destinations if d.message_format and d is not first]
        keys = {s.export() for s in first.secrets}
        extra = [s for d in others for s in d.secrets if s.export() not in keys]
        secrets = (*first.secrets, *extra, *secrets)
    return PoliceSettings(
        url=first.url if first else options.get(PoliceField.URL) or None,
        message_format=(
            first.message_format or OutboxFormat.JSON
            if first
            else OutboxFormat(options.get(PoliceField.FORMAT, OutboxFormat.JSON))
        ),
        secrets=secrets,
        destinations=destinations,
        escalation_delay=int(
            options.get(CONF_ESCALATION_DELAY, DEFAULT_ESCALATION_DELAY)
        ),
        webhook_id=options.get(PoliceField.WEBHOOK_ID) or None,
    )


def _secrets(data: Mapping[str, Any]) -> tuple[WebhookSecret, ...]:
    return tuple(
        WebhookSecret.parse(text)
        for key in (PoliceField.SECRET, PoliceField.SECRET_PREVIOUS)
        if (text := data.get(key))
    )


def destination_settings(entry: ConfigEntry) -> tuple[DestinationSettings, ...]:
    """Return the front's destinations, the first police link first, then by creation."""
    found: list[DestinationSettings] = []
    for subentry in entry.subentries.values():
        kind = subentry.subentry_type
        if kind not in (SUBENTRY_JSON, SUBENTRY_CAP, SUBENTRY_SIA, SUBENTRY_PHONE):
            continue
        found.append(
            replace(
                read_destination(kind, subentry.title, subentry.data),
                subentry_id=subentry.subentry_id,
            )
        )
    found.sort(key=lambda d: d.destination_id != FIRST_DESTINATION)
    return tuple(found)


def read_destination(
    kind: str, name: str, data: Mapping[str, Any]
) -> DestinationSettings:
    """Return one destination's settings (raises ValueError for stored nonsense)."""
    destination_id = str(data[CONF_DESTINATION_ID])
    if kind == SUBENTRY_SIA:
        sia = read_sia(data)
        return DestinationSettings(destination_id, name, kind, sia=sia)
    if kind == SUBENTRY_PHONE:
        target = str(data[CONF_PHONE_TARGET])
        return DestinationSettings(destination_id, name, kind, phone_target=target)
    return DestinationSettings(
        destination_id,
        name,
        kind,
        url=str(data[PoliceField.URL]),
        secrets=_secrets(data),
    )


def read_sia(data: Mapping[str, Any]) -> SiaSettings:
    """Return an SIA destination's settings from its data (what its form stored).

    Raises ``InvalidKeyError`` or ``InvalidSiaSettingsError`` (ValueErrors), or
    ValueError/TypeError for a protocol, content or number no form stores.
    """
    key = data.get(SiaField.KEY) or ""
    return SiaSettings(
        host=str(data[SiaField.HOST]),
        port=int(data[SiaField.PORT]),
        account=str(data[SiaField.ACCOUNT]),
        key=sia_key(key, data.get(SiaField.KEY_FORMAT, "text")) if key else None,
        protocol=SiaProtocol(data.get(SiaField.PROTOCOL, SiaProtocol.TCP)),
        content=ContentFormat(data.get(SiaField.CONTENT, ContentFormat.SIA_DCS)),
        link_test_interval=timedelta(
            seconds=int(
                data.get(SiaField.LINK_TEST_INTERVAL, DEFAULT_SIA_LINK_TEST_INTERVAL)
            )
        ),
    )


def sia_key(text: str, key_format: str) -> SiaKey:
    """Return the SIA key: ``hex`` (32/48/64 digits) or ``text`` (16/24/32 characters).

    Hex is DC-09 equipment's form; characters are pysiaalarm's (HA's ``sia``). The two
    overlap (32 hex digits are also 32 characters), so the form is stored with the key.
    Raises ``InvalidKeyError`` (a ValueError).
    """
    if key_format == "hex":
        return SiaKey.from_hex(text)
    return SiaKey.from_text(text)
