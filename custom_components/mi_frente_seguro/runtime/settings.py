"""A front's settings, read once from its config entry: the only reader of data and options.

``entry.data`` holds what identifies the front and where it is (the reconfigure flow
changes it), ``entry.options`` what changes more often (the options flow), and the
entry's subentries its members and its destinations (JSON, CAP, SIA, phone). :meth:`FrontSettings.from_entry` turns them into one
typed, frozen object when the front is set up; every part of the front reads that object
(a change of options or members reloads the front, so it is never stale).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from ..const import (
    CITY_DESTINATION,
    CONF_ADOPTED_BUTTONS,
    CONF_ADOPTED_SIREN,
    CONF_BROKER_HOST,
    CONF_BROKER_PASSWORD,
    CONF_BROKER_PORT,
    CONF_BROKER_TLS,
    CONF_BROKER_USERNAME,
    CONF_CAMERAS,
    CONF_CANCEL_WINDOW,
    CONF_CITY_UPLINK,
    CONF_COORDINATOR_PERSONS,
    CONF_DRILL_DAY,
    CONF_EVIDENCE_CLIP,
    CONF_FRONT_ID,
    CONF_INCIDENT_RETENTION_DAYS,
    CONF_KEYFRAME_BUFFER,
    CONF_KIT_KEEPALIVE,
    CONF_RETENTION_DAYS,
    CONF_SIREN_DURATION,
    CONF_SIREN_PLAIN,
    CONF_SIREN_TONE,
    CONF_TOPIC_BASE,
    CONF_TOPIC_OVERRIDES,
    DEFAULT_BROKER_PORT,
    DEFAULT_CANCEL_WINDOW,
    DEFAULT_DRILL_DAY,
    DEFAULT_INCIDENT_RETENTION_DAYS,
    DEFAULT_KIT_KEEPALIVE,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_SIREN_DURATION,
    DEFAULT_SIREN_TONE,
    DOMAIN,
    MAX_CAMERAS,
    ROLE_COORDINATOR,
    SUBENTRY_MEMBER,
    MemberField,
)
from ..frente.front import Front
from ..frente.kit.client import BrokerSettings
from ..frente.kit.protocol import DEFAULT_BASE, KitTopics
from ..frente.uplink.settings import InvalidUplinkError, UplinkSettings, parse_uplink
from .police_settings import (
    DestinationSettings,
    PoliceSettings,
    destination_settings,
    police_settings,
)


@dataclass(frozen=True, slots=True)
class Member:
    """A resident or coordinator of the front (a config subentry of type ``member``)."""

    person: str  # person.* entity id
    name: str
    house: str
    phone: str
    role: str
    # Their authorization (Ley 1581): when it was recorded and which notice they saw.
    authorization: Mapping[str, str] | None = None
    pin_hash: str | None = None  # frente/pins.py: never the PIN itself
    duress_pin_hash: str | None = None
    suspended: Mapping[str, Any] | None = None  # since when, by whom, why

    @classmethod
    def from_subentry(cls, data: Mapping[str, Any], title: str) -> Member:
        """Read a member's subentry."""
        return cls(
            person=data[MemberField.PERSON],
            name=title,
            house=data[MemberField.HOUSE],
            phone=data[MemberField.PHONE],
            role=data[MemberField.ROLE],
            authorization=data.get(MemberField.AUTHORIZATION),
            pin_hash=data.get(MemberField.PIN_HASH) or None,
            duress_pin_hash=data.get(MemberField.DURESS_PIN_HASH) or None,
            suspended=data.get(MemberField.SUSPENDED) or None,
        )


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
    adopted_buttons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CameraSettings:
    """One configured camera: a stream URL or an HA camera entity."""

    camera_id: str  # cam1..cam4, also the file-name prefix in bundles
    name: str
    url: str | None = None
    entity_id: str | None = None


@dataclass(frozen=True, slots=True)
class EvidenceSettings:
    """How the cameras record an incident."""

    keyframe_buffer: bool = True  # keep each camera's latest keyframes (fast stills)
    clip: bool = True  # record a 20 s clip
    retention_days: int = DEFAULT_RETENTION_DAYS
    incident_retention_days: int = DEFAULT_INCIDENT_RETENTION_DAYS  # closed incidents


@dataclass(frozen=True, slots=True)
class FrontSettings:
    """Everything a loaded front reads from its config entry."""

    front: Front
    kit: KitSettings
    police: PoliceSettings
    cameras: tuple[CameraSettings, ...]
    evidence: EvidenceSettings
    coordinator_persons: frozenset[str]
    members: Mapping[str, Member]  # by subentry id
    drill_day: int = DEFAULT_DRILL_DAY  # the monthly drill reminder (0: none)
    cancel_window: int = DEFAULT_CANCEL_WINDOW  # a sender's own cancel, in seconds
    uplink: UplinkSettings | None = None  # the city broker (docs/city-uplink.md)

    @classmethod
    def from_entry(cls, entry: ConfigEntry) -> FrontSettings:
        """Read a front's entry (raises ``InvalidFrontError`` for stored nonsense)."""
        data, options = entry.data, entry.options
        police = police_settings(options, destination_settings(entry))
        uplink = uplink_settings(options, police, str(data[CONF_FRONT_ID]))
        if uplink is not None:  # the city broker takes the front's messages too
            city = DestinationSettings(
                CITY_DESTINATION, "Ciudad (MQTT)", CITY_DESTINATION, uplink.endpoint
            )
            police = replace(police, destinations=(*police.destinations, city))
        return cls(
            front=Front.from_mapping({**data, **options}),
            kit=kit_settings(data, options),
            police=police,
            uplink=uplink,
            cameras=tuple(
                CameraSettings(
                    camera_id=item["camera_id"],
                    name=item.get("name") or item["camera_id"],
                    url=item.get("url") or None,
                    entity_id=item.get("entity_id") or None,
                )
                for item in options.get(CONF_CAMERAS, [])[:MAX_CAMERAS]
            ),
            evidence=EvidenceSettings(
                keyframe_buffer=bool(options.get(CONF_KEYFRAME_BUFFER, True)),
                clip=bool(options.get(CONF_EVIDENCE_CLIP, True)),
                retention_days=int(
                    options.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS)
                ),
                incident_retention_days=int(
                    options.get(
                        CONF_INCIDENT_RETENTION_DAYS, DEFAULT_INCIDENT_RETENTION_DAYS
                    )
                ),
            ),
            coordinator_persons=frozenset(options.get(CONF_COORDINATOR_PERSONS, [])),
            members={
                subentry.subentry_id: Member.from_subentry(
                    subentry.data, subentry.title
                )
                for subentry in entry.get_subentries_of_type(SUBENTRY_MEMBER)
            },
            drill_day=int(options.get(CONF_DRILL_DAY, DEFAULT_DRILL_DAY)),
            cancel_window=int(options.get(CONF_CANCEL_WINDOW, DEFAULT_CANCEL_WINDOW)),
        )

    def member(self, person: str | None) -> Member | None:
        """Return the member who is HA person ``person``, if any."""
        if person is None:
            return None
        return next((m for m in self.members.values() if m.person == person), None)

    def coordinators(self) -> list[str]:
        """Return the persons of the front's coordinators (options first, then members)."""
        persons = dict.fromkeys(sorted(self.coordinator_persons))
        persons |= dict.fromkeys(
            m.person for m in self.members.values() if self.is_coordinator(m.person)
        )
        return list(persons)

    def is_coordinator(self, person: str | None) -> bool:
        """Return True for a coordinator: chosen in the options, or a member with the role.

        The one rule for who may cancel, close, answer for the police and broadcast.
        """
        if person is None:
            return False
        member = self.member(person)
        return person in self.coordinator_persons or (
            member is not None and member.role == ROLE_COORDINATOR
        )


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
    """Return the kit settings of a front's entry data and options."""
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
        adopted_buttons=tuple(options.get(CONF_ADOPTED_BUTTONS) or ()),
    )


def uplink_settings(
    options: Mapping[str, Any], police: PoliceSettings, front_id: str
) -> UplinkSettings | None:
    """Return the checked city-broker settings (raises ``InvalidUplinkError``).

    Answers over the uplink are verified with the front's police secret: without one
    the uplink cannot be used; the front's id must be able to name its topics.
    """
    uplink = parse_uplink(options.get(CONF_CITY_UPLINK))
    if uplink is not None:
        if not police.secrets:
            raise InvalidUplinkError(CONF_CITY_UPLINK, "needs_secret")
        uplink.topics(front_id)
    return uplink


def incident_db_path(hass: HomeAssistant, front_id: str) -> Path:
    """Return the SQLite file of a front's incidents, under HA's .storage."""
    return Path(hass.config.path(".storage", DOMAIN, f"{front_id}.db"))
