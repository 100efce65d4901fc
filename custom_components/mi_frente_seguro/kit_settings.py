"""The kit settings of a front, read from its config entry's data and options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .const import (
    CONF_ADOPTED_BUTTONS,
    CONF_ADOPTED_SIREN,
    CONF_BROKER_HOST,
    CONF_BROKER_PASSWORD,
    CONF_BROKER_PORT,
    CONF_BROKER_TLS,
    CONF_BROKER_USERNAME,
    CONF_FRONT_ID,
    CONF_KIT_KEEPALIVE,
    CONF_SIREN_DURATION,
    CONF_SIREN_PLAIN,
    CONF_SIREN_TONE,
    CONF_TOPIC_BASE,
    CONF_TOPIC_OVERRIDES,
    DEFAULT_BROKER_PORT,
    DEFAULT_KIT_KEEPALIVE,
    DEFAULT_SIREN_DURATION,
    DEFAULT_SIREN_TONE,
)
from .frente.kit.client import BrokerSettings
from .frente.kit.protocol import DEFAULT_BASE, KitTopics


@dataclass(frozen=True, slots=True)
class KitSettings:
    """How a front's kit is reached and how it behaves."""

    broker: BrokerSettings | None
    topics: KitTopics
    siren_duration: int = DEFAULT_SIREN_DURATION
    siren_tone: str = DEFAULT_SIREN_TONE
    siren_plain: bool = False
    keepalive: int = DEFAULT_KIT_KEEPALIVE
    adopted_siren: str | None = None
    adopted_buttons: list[str] = field(default_factory=list)


def broker_settings(data: Mapping[str, Any]) -> BrokerSettings | None:
    """Return the broker settings in ``data``, or None when no broker is configured."""
    host = str(data.get(CONF_BROKER_HOST) or "").strip()
    if not host:
        return None
    return BrokerSettings(
        host=host,
        port=int(data.get(CONF_BROKER_PORT) or DEFAULT_BROKER_PORT),
        username=data.get(CONF_BROKER_USERNAME) or None,
        password=data.get(CONF_BROKER_PASSWORD) or None,
        tls=bool(data.get(CONF_BROKER_TLS, False)),
        client_id=f"mi-frente-seguro-{data[CONF_FRONT_ID]}",
    )


def kit_settings(data: Mapping[str, Any], options: Mapping[str, Any]) -> KitSettings:
    """Return the kit settings of a front's config entry."""
    return KitSettings(
        broker=broker_settings(data),
        topics=KitTopics.build(
            data[CONF_FRONT_ID],
            data.get(CONF_TOPIC_BASE) or DEFAULT_BASE,
            options.get(CONF_TOPIC_OVERRIDES) or {},
        ),
        siren_duration=int(options.get(CONF_SIREN_DURATION, DEFAULT_SIREN_DURATION)),
        siren_tone=str(options.get(CONF_SIREN_TONE, DEFAULT_SIREN_TONE)),
        siren_plain=bool(options.get(CONF_SIREN_PLAIN, False)),
        keepalive=int(options.get(CONF_KIT_KEEPALIVE, DEFAULT_KIT_KEEPALIVE)),
        adopted_siren=options.get(CONF_ADOPTED_SIREN) or None,
        adopted_buttons=list(options.get(CONF_ADOPTED_BUTTONS) or []),
    )
