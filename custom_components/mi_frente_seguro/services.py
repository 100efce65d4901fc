"""The integration's actions (services.yaml), registered once from async_setup.

trigger, cancel, close, police_update and notify_members are here; each other module
of actions lists its own (a member's data, PINs and standing, reports, the dashboard).
"""

from __future__ import annotations

from typing import Any

import probatio

from homeassistant.const import (
    ATTR_CODE,
    ATTR_LATITUDE,
    ATTR_LONGITUDE,
    CONF_LOCATION,
    CONF_RADIUS,
)
from homeassistant.core import (
    Context,
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonValueType

from .action_fields import FRONT_FIELDS, TEXT, Action, finite, front_entry, storable
from .const import (
    ATTR_EMERGENCY,
    ATTR_ETA_MINUTES,
    ATTR_INCIDENT_ID,
    ATTR_KIND,
    ATTR_NOTE,
    ATTR_ON_BEHALF_OF,
    ATTR_REASON,
    ATTR_SOURCE,
    ATTR_STATUS,
    ATTR_UNIT,
    BY_POLICE,
    BY_SYSTEM,
    SERVICE_CANCEL,
    SERVICE_CLOSE,
    SERVICE_NOTIFY_MEMBERS,
    SERVICE_POLICE_UPDATE,
    SERVICE_TRIGGER,
)
from .dashboard import DASHBOARD_ACTIONS
from .errors import incident_errors, translated
from .frente.incident import Emergency, IncidentKind, IncidentSource, IncidentState
from .member_access import ACCESS_ACTIONS
from .member_actions import MEMBER_ACTIONS
from .report_actions import REPORT_ACTIONS
from .runtime import FrenteConfigEntry
from .runtime.cancels import async_cancel_incident
from .runtime.notifications import async_notify_members
from .runtime.people import async_require_manager, async_sender, locate
from .runtime.presses import async_make_press

POLICE_STATUSES = (
    IncidentState.RECEIVED,
    IncidentState.DISPATCHED,
    IncidentState.ON_SCENE,
    IncidentState.CLOSED,
)
MAX_NOTE = 500


INCIDENT_ID = {
    probatio.Optional(ATTR_INCIDENT_ID): probatio.All(TEXT, probatio.Length(max=64))
}
NOTE = probatio.All(cv.string, storable(multiline=True), probatio.Length(max=MAX_NOTE))
CODE = probatio.All(cv.string, storable(), probatio.Length(min=1, max=16))

TRIGGER_SCHEMA = probatio.Schema(
    {
        **FRONT_FIELDS,
        probatio.Optional(ATTR_KIND, default=IncidentKind.PANIC.value): probatio.In(
            [kind.value for kind in IncidentKind]
        ),
        probatio.Optional(
            ATTR_EMERGENCY, default=Emergency.SECURITY.value
        ): probatio.In([emergency.value for emergency in Emergency]),
        probatio.Optional(ATTR_NOTE, default=""): NOTE,
        probatio.Optional(CONF_LOCATION): {
            probatio.Required(ATTR_LATITUDE): finite(-90, 90),
            probatio.Required(ATTR_LONGITUDE): finite(-180, 180),
            probatio.Optional(CONF_RADIUS): finite(0, 100_000),  # GPS accuracy, m
        },
        # For automations relaying a press (blueprints): where it came from, and who.
        probatio.Optional(ATTR_SOURCE): probatio.In(
            [IncidentSource.APP.value, IncidentSource.SENSOR.value]
        ),
        probatio.Optional(ATTR_ON_BEHALF_OF): probatio.Any(
            None, probatio.All(TEXT, probatio.Length(max=64))
        ),
    }
)
CANCEL_SCHEMA = probatio.Schema(
    {
        **FRONT_FIELDS,
        **INCIDENT_ID,
        probatio.Optional(ATTR_REASON): probatio.All(NOTE, probatio.Length(min=1)),
        probatio.Optional(ATTR_CODE): CODE,
    }
)
CLOSE_SCHEMA = probatio.Schema(
    {**FRONT_FIELDS, **INCIDENT_ID, probatio.Optional(ATTR_NOTE, default=""): NOTE}
)
POLICE_UPDATE_SCHEMA = probatio.Schema(
    {
        **FRONT_FIELDS,
        **INCIDENT_ID,
        probatio.Required(ATTR_STATUS): probatio.In([s.value for s in POLICE_STATUSES]),
        probatio.Optional(ATTR_UNIT): probatio.All(TEXT, probatio.Length(max=40)),
        probatio.Optional(ATTR_ETA_MINUTES): probatio.All(
            probatio.Coerce(int), probatio.Range(min=0, max=240)
        ),
        probatio.Optional(ATTR_NOTE, default=""): NOTE,
    }
)


async def _advance(
    call: ServiceCall,
    entry: FrenteConfigEntry,
    state: IncidentState,
    by: str,
    details: dict[str, Any],
) -> ServiceResponse:
    """Move an incident, turning domain errors into translated validation errors."""
    incident_id = call.data.get(ATTR_INCIDENT_ID)
    with incident_errors(entry.title, incident_id):
        change = await entry.runtime_data.incidents.async_advance(
            incident_id, state, by=by, details=details, context=call.context
        )
    incident = change.incident
    return {ATTR_INCIDENT_ID: incident.incident_id, "state": incident.state.value}


async def async_trigger(call: ServiceCall) -> ServiceResponse:
    """Open or join an incident on a front."""
    entry = front_entry(call)
    location = None
    if (where := call.data.get(CONF_LOCATION)) is not None:
        location = locate(
            entry.runtime_data.front,
            where[ATTR_LATITUDE],
            where[ATTR_LONGITUDE],
            where.get(CONF_RADIUS),
            dt_util.now(),
        )
    source = call.data.get(ATTR_SOURCE)
    kind, emergency = (
        IncidentKind(call.data[ATTR_KIND]),
        Emergency(call.data[ATTR_EMERGENCY]),
    )
    if kind is IncidentKind.SILENT and emergency is not Emergency.SECURITY:
        # Duress is a security alarm; a silent fire or medical call would help nobody.
        raise translated(ServiceValidationError, "silent_security_only")
    press = await async_make_press(
        call.hass,
        entry.runtime_data.settings,
        kind,
        context=await _sender_context(call),
        source=IncidentSource(source) if source else None,
        note=call.data[ATTR_NOTE],
        location=location,
        emergency=emergency,
    )
    with incident_errors(entry.title):
        change = await entry.runtime_data.incidents.async_press(press, call.context)
    return {
        ATTR_INCIDENT_ID: change.incident.incident_id,
        "opened": change.opened,
        "state": change.incident.state.value,
    }


async def _sender_context(call: ServiceCall) -> Context:
    """Return the context naming the sender: the caller, or whom an automation relays.

    Only calls without a user (automations) or from administrators may name another user
    with ``on_behalf_of`` (e.g. the phone that tapped an actionable notification).
    """
    user_id = call.data.get(ATTR_ON_BEHALF_OF)
    if not user_id:
        return call.context
    if call.context.user_id is not None:
        caller = await call.hass.auth.async_get_user(call.context.user_id)
        if caller is None or not caller.is_admin:
            raise translated(ServiceValidationError, "not_allowed_on_behalf")
    return Context(user_id=str(user_id), parent_id=call.context.id)


async def _finish(
    call: ServiceCall, state: IncidentState, field: str
) -> ServiceResponse:
    """Cancel or close an incident as the caller (coordinators, admins, automations)."""
    entry = front_entry(call)
    await async_require_manager(
        call.hass, entry.runtime_data.settings, call.context, call.service
    )
    sender, _ = await async_sender(call.hass, call.context)
    details = {field: call.data[field], "by_name": sender.name}
    by = call.context.user_id or BY_SYSTEM
    return await _advance(call, entry, state, by, details)


async def async_cancel(call: ServiceCall) -> ServiceResponse:
    """Cancel an incident as a false alarm (coordinators, admins, or its own sender)."""
    entry = front_entry(call)
    change = await async_cancel_incident(
        call.hass,
        entry,
        call.context,
        call.data.get(ATTR_INCIDENT_ID),
        reason=call.data.get(ATTR_REASON),
        code=call.data.get(ATTR_CODE),
    )
    return {
        ATTR_INCIDENT_ID: change.incident.incident_id,
        "state": change.incident.state.value,
    }


async def async_close(call: ServiceCall) -> ServiceResponse:
    """Close an incident (coordinators and admins)."""
    return await _finish(call, IncidentState.CLOSED, ATTR_NOTE)


async def async_police_update(call: ServiceCall) -> ServiceResponse:
    """Record a police status update, as the police webhook does."""
    entry = front_entry(call)
    await async_require_manager(
        call.hass, entry.runtime_data.settings, call.context, call.service
    )
    details: dict[str, Any] = {ATTR_NOTE: call.data[ATTR_NOTE]}
    for field in (ATTR_UNIT, ATTR_ETA_MINUTES):
        if field in call.data:
            details[field] = call.data[field]
    if call.context.user_id is not None:
        details["relayed_by"] = call.context.user_id
    state = IncidentState(call.data[ATTR_STATUS])
    return await _advance(call, entry, state, BY_POLICE, details)


async def async_notify(call: ServiceCall) -> ServiceResponse:
    """Send the incident's critical notification (or its police status) to members.

    Critical notifications break through do-not-disturb on every member's phone: only a
    coordinator, an administrator or an automation may send them.
    """
    entry = front_entry(call)
    await async_require_manager(
        call.hass, entry.runtime_data.settings, call.context, call.service
    )
    incident_id = call.data.get(ATTR_INCIDENT_ID)
    with incident_errors(entry.title, incident_id):
        incident = entry.runtime_data.incidents.book.get(incident_id)
    sent = await async_notify_members(
        call.hass, entry, incident, image=call.data.get("image"), duress=None
    )
    notified: list[JsonValueType] = [*sent]
    return {ATTR_INCIDENT_ID: incident.incident_id, "notified": notified}


NOTIFY_SCHEMA = probatio.Schema(
    {
        **FRONT_FIELDS,
        **INCIDENT_ID,
        probatio.Optional("image"): probatio.All(TEXT, probatio.Length(max=2048)),
    }
)

ACTIONS = (
    Action(SERVICE_TRIGGER, async_trigger, TRIGGER_SCHEMA),
    Action(SERVICE_CANCEL, async_cancel, CANCEL_SCHEMA),
    Action(SERVICE_CLOSE, async_close, CLOSE_SCHEMA),
    Action(SERVICE_POLICE_UPDATE, async_police_update, POLICE_UPDATE_SCHEMA),
    Action(SERVICE_NOTIFY_MEMBERS, async_notify, NOTIFY_SCHEMA),
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (once, from async_setup)."""
    for action in (
        *ACTIONS,
        *MEMBER_ACTIONS,
        *ACCESS_ACTIONS,
        *REPORT_ACTIONS,
        *DASHBOARD_ACTIONS,
    ):
        action.register(hass)
