"""Sensors of a front: the incident's state and the figures of its alarms."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.util.signal_type import SignalType

from .const import SIGNAL_POLICE
from .entity import (
    FrenteDestinationEntity,
    FrenteDispatchEntity,
    FrenteEntity,
    FrenteKitEntity,
    destinations_with_outbox,
    kit_entities,
)
from .frente.dispatch.outbox import Outbox
from .frente.incident import Incident, IncidentState
from .frente.kit.protocol import Telemetry
from .runtime import FrenteConfigEntry
from .runtime.destinations import deliveries_of
from .runtime.dispatch import FrontDispatch
from .runtime.incidents import FrontIncidents
from .runtime.settings import Member

PARALLEL_UPDATES = 0
NO_INCIDENT = "none"


@dataclass(frozen=True, kw_only=True)
class FrenteReadDescription[T](SensorEntityDescription):
    """A sensor read from one object of the front: its value and its attributes."""

    value_fn: Callable[[T], StateType]
    attributes_fn: Callable[[T], dict[str, Any]] | None = None


@dataclass(frozen=True, kw_only=True)
class FrenteDiagnosticDescription[T](FrenteReadDescription[T]):
    """A diagnostic sensor read from one object (the police link, an outbox, the kit)."""

    entity_category: EntityCategory | None = EntityCategory.DIAGNOSTIC


@dataclass(frozen=True, kw_only=True)
class FrenteSensorDescription(FrenteReadDescription[FrontIncidents]):
    """A front sensor: how to read its value from the front's incidents."""

    follows_police: bool = False  # the incident shows its deliveries too


def incident_attributes(
    incident: Incident | None, deliveries: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return the incident sensor's attributes (documented in docs/incidents.md).

    Silent (duress) presses are left out of ``presses`` and ``senders``; ``deliveries``
    is the proof of delivery of its alert, per destination.
    """
    if incident is None:
        return {}
    dispatched = incident.details_of(IncidentState.DISPATCHED)
    return {
        "incident_id": incident.incident_id,
        "kind": incident.kind.value,
        "emergency": incident.emergency.value,
        "emergencies": [item.value for item in incident.emergencies],
        "source": incident.source.value,
        "exercise": incident.exercise,
        "presses": incident.senders.shown_count,
        "senders": list(incident.senders.shown_names),
        "times": {
            step.state.value: step.at.isoformat() for step in incident.transitions
        },
        "unit": dispatched.get("unit"),
        "eta_minutes": dispatched.get("eta_minutes"),
        "note": incident.note,
        "cancel_reason": incident.details_of(IncidentState.CANCELLED).get("reason"),
        "deliveries": deliveries or {},
    }


INCIDENT_UNRECORDED = frozenset(
    {
        "incident_id",
        "presses",
        "senders",
        "times",
        "unit",
        "eta_minutes",
        "note",
        "cancel_reason",
        "deliveries",
    }
)

SENSORS = (
    FrenteSensorDescription(
        key="incident",
        translation_key="incident",
        device_class=SensorDeviceClass.ENUM,
        options=[NO_INCIDENT, *(state.value for state in IncidentState)],
        value_fn=lambda inc: inc.shown.state.value if inc.shown else NO_INCIDENT,
        attributes_fn=lambda inc: incident_attributes(inc.shown),
        follows_police=True,
    ),
    FrenteSensorDescription(
        key="incidents_this_month",
        translation_key="incidents_this_month",
        value_fn=lambda inc: inc.stats().incidents_this_month,
    ),
    FrenteSensorDescription(
        key="false_alarms_this_month",
        translation_key="false_alarms_this_month",
        value_fn=lambda inc: inc.stats().false_alarms_this_month,
    ),
    *(
        FrenteSensorDescription(
            key=key,
            translation_key=key,
            device_class=SensorDeviceClass.DURATION,
            native_unit_of_measurement=UnitOfTime.SECONDS,
            suggested_unit_of_measurement=UnitOfTime.MINUTES,
            suggested_display_precision=1,
            value_fn=value_fn,
        )
        for key, value_fn in (
            ("last_response_time", lambda inc: inc.stats().last_response_seconds),
            (
                "mean_response_time_30d",
                lambda inc: inc.stats().mean_response_seconds_30d,
            ),
        )
    ),
)


@dataclass(frozen=True, kw_only=True)
class FrenteKitSensorDescription(FrenteDiagnosticDescription[Telemetry]):
    """A kit measurement (a diagnostic) and how to read it from the kit's telemetry."""

    state_class: SensorStateClass | None = SensorStateClass.MEASUREMENT


KIT_SENSORS = (
    FrenteKitSensorDescription(
        key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        value_fn=attrgetter("battery"),
    ),
    FrenteKitSensorDescription(
        key="rssi",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        entity_registry_enabled_default=False,
        value_fn=attrgetter("rssi"),
    ),
)


# A police-link sensor (a diagnostic unless it says otherwise), and one of a destination.
FrenteDispatchSensorDescription = FrenteDiagnosticDescription[FrontDispatch]
FrenteDestinationSensorDescription = FrenteDiagnosticDescription[Outbox]


def _last_dead_letter(outbox: Outbox) -> dict[str, Any]:
    """Return the newest refused message: which, of what incident, and why."""
    if not outbox.dead_letters:
        return {}
    letter = outbox.dead_letters[0]
    return {
        "message_id": letter.message_id,
        "incident_id": letter.incident_id,
        "message_type": letter.message_type,
        "reason": letter.error,
    }


DESTINATION_SENSORS = (
    FrenteDestinationSensorDescription(
        key="outbox_depth",
        translation_key="outbox_depth",
        state_class=SensorStateClass.MEASUREMENT,
        # Changes with every police message: its history is noise for most fronts, and
        # its recorder rows load HA exactly when alarms flow (the police-link problem
        # sensor and the repair issue tell when something is wrong).
        entity_registry_enabled_default=False,
        value_fn=lambda outbox: outbox.depth,
    ),
    FrenteDestinationSensorDescription(
        key="delivery_latency",
        translation_key="delivery_latency",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        suggested_display_precision=0,
        entity_registry_enabled_default=False,  # as the outbox depth: one per message
        value_fn=lambda outbox: (
            None
            if outbox.last_latency is None
            else round(outbox.last_latency * 1000, 1)
        ),
    ),
    FrenteDestinationSensorDescription(
        key="dead_letters",
        translation_key="dead_letters",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda outbox: len(outbox.dead_letters),
        attributes_fn=_last_dead_letter,
    ),
)
DISPATCH_SENSORS = (
    FrenteDispatchSensorDescription(
        key="police_status",
        translation_key="police_status",
        device_class=SensorDeviceClass.ENUM,
        options=["received", "dispatched", "on_scene", "closed"],
        entity_category=None,  # what the police answered is the front's news
        value_fn=lambda dispatch: dispatch.last_police_status,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FrenteConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the front's sensors, and the kit's when it has an MQTT kit."""
    entities: list[SensorEntity] = [
        FrenteSensor(entry, description) for description in SENSORS
    ]
    entities += kit_entities(entry, FrenteKitSensor, KIT_SENSORS)
    dispatch = entry.runtime_data.dispatch
    if dispatch.outbox is not None:
        entities += [FrenteDispatchSensor(entry, d) for d in DISPATCH_SENSORS]
    members = entry.runtime_data.settings.members.values()
    entities += [FrenteMemberFalseAlarms(entry, member) for member in members]
    for destination, subentry_id in destinations_with_outbox(entry):
        group = [
            FrenteDestinationSensor(entry, d, destination) for d in DESTINATION_SENSORS
        ]
        if subentry_id is None:
            entities += group
        else:
            async_add_entities(group, config_subentry_id=subentry_id)
    async_add_entities(entities)
    _remove_former_members(hass, entry, {member.person for member in members})


def _remove_former_members(
    hass: HomeAssistant, entry: FrenteConfigEntry, persons: set[str]
) -> None:
    """Drop the false-alarm sensors of people who are no longer members."""
    registry = er.async_get(hass)
    prefix = f"{entry.runtime_data.front.front_id}-false_alarms-"
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        if entity.unique_id.startswith(prefix) and (
            entity.unique_id.removeprefix(prefix) not in persons
        ):
            registry.async_remove(entity.entity_id)


class FrenteReadSensor(SensorEntity):
    """A sensor whose description reads its value and attributes from one object."""

    _attr_should_poll = False  # pushed, as every entity of ours (entity.py)
    entity_description: FrenteReadDescription[Any]

    def _show(self, source: object) -> None:
        """Set the value and the attributes the description reads from ``source``."""
        description = self.entity_description
        self._attr_native_value = description.value_fn(source)
        if description.attributes_fn is not None:
            self._attr_extra_state_attributes = description.attributes_fn(source)


class FrenteSensor(FrenteEntity, FrenteReadSensor):
    """A sensor read from the front's incidents."""

    # What only repeats the incident book (kept whole in the front's own store) is not
    # written to HA's history: each of these differs from one state to the next.
    _unrecorded_attributes = INCIDENT_UNRECORDED
    entity_description: FrenteSensorDescription

    @override
    def _signals(self) -> list[SignalType[()]]:
        if not self.entity_description.follows_police:
            return []
        return [SIGNAL_POLICE.format(self.incidents.front.front_id)]

    @override
    def _update_from_incidents(self) -> None:
        self._show(self.incidents)
        if self.entity_description.follows_police and (shown := self.incidents.shown):
            dispatch = self.entry.runtime_data.dispatch
            self._attr_extra_state_attributes["deliveries"] = deliveries_of(
                self.incidents.ledger, dispatch.names, shown.incident_id
            )


class FrenteKitSensor(FrenteKitEntity, SensorEntity):
    """Battery or signal of the street kit."""

    entity_description: FrenteKitSensorDescription

    @property
    @override
    def native_value(self) -> StateType:
        """Return the kit's last reported value."""
        return self.entity_description.value_fn(self.kit.telemetry)


class FrenteMemberFalseAlarms(FrenteEntity, SensorEntity):
    """How many alarms a member raised that were cancelled as false (anti-abuse tally)."""

    _attr_translation_key = "member_false_alarms"

    def __init__(self, entry: FrenteConfigEntry, member: Member) -> None:
        """Name the sensor after the member."""
        description = SensorEntityDescription(
            key=f"false_alarms-{member.person}",
            translation_key="member_false_alarms",
            entity_category=EntityCategory.DIAGNOSTIC,
        )
        super().__init__(entry, description)
        self.person = member.person
        self._attr_translation_placeholders = {"name": member.name}

    @override
    def _update_from_incidents(self) -> None:
        self._attr_native_value = self.incidents.book.false_alarms_by_person()[
            self.person
        ]


class FrenteDestinationSensor(FrenteDestinationEntity, FrenteReadSensor):
    """A destination's outbox depth, last delivery latency or dead letters."""

    entity_description: FrenteDestinationSensorDescription

    @override
    def _update_from_incidents(self) -> None:
        if (outbox := self.outbox) is None:
            self._attr_native_value = None
        else:
            self._show(outbox)


class FrenteDispatchSensor(FrenteDispatchEntity, FrenteReadSensor):
    """The last police status."""

    entity_description: FrenteDispatchSensorDescription

    @override
    def _update_from_incidents(self) -> None:
        self._show(self.entry.runtime_data.dispatch)
