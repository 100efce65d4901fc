"""A member's own PINs, and a member's suspension: ``set_pin``, ``suspend_member``, ``reinstate_member``.

``set_pin`` is called by the member themselves (never for someone else, not even by an
administrator: a duress PIN known to anyone else is no duress PIN); it stores only scrypt
hashes (``frente/pins.py``) in their member subentry, and without a PIN clears both.

``suspend_member`` and ``reinstate_member`` need a coordinator of the front or an
administrator. A suspension is kept in the member's subentry (since when, by whom, why)
and, once it ends, in the member's list of past suspensions; each change fires
``mi_frente_seguro_member`` (ids only: the logbook shows it) and one log line without
names. What a suspended member's press does is ``frente/suspension.py``'s rule. Changing a
subentry reloads the front, as any change of its members does.
"""

from __future__ import annotations

from typing import Any

import probatio

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from .action_fields import FRONT_FIELDS, TEXT, Action, front_entry, storable
from .const import (
    ATTR_REASON,
    BY_SYSTEM,
    EVENT_MEMBER,
    LOGGER,
    SUBENTRY_MEMBER,
    MemberField,
)
from .errors import translated
from .frente.pins import PinError, check_new_pins, hash_pin
from .runtime import FrenteConfigEntry
from .runtime.people import async_require_manager, person_of_user

SERVICE_SET_PIN = "set_pin"
SERVICE_SUSPEND_MEMBER = "suspend_member"
SERVICE_REINSTATE_MEMBER = "reinstate_member"
ATTR_PIN = "pin"
ATTR_DURESS_PIN = "duress_pin"
MAX_SUSPENSIONS_KEPT = 50

_PIN = probatio.All(cv.string, storable(), probatio.Length(max=16))
PIN_SCHEMA = probatio.Schema(
    {
        **FRONT_FIELDS,
        probatio.Optional(ATTR_PIN): _PIN,
        probatio.Optional(ATTR_DURESS_PIN): _PIN,
    }
)
STANDING_SCHEMA = probatio.Schema(
    {
        **FRONT_FIELDS,
        probatio.Required(MemberField.PERSON): probatio.All(
            TEXT, probatio.Length(max=255), probatio.Match(r"^person\.[a-z0-9_]+$")
        ),
        probatio.Optional(ATTR_REASON, default=""): probatio.All(
            cv.string, storable(multiline=True), probatio.Length(max=500)
        ),
    }
)


def _subentry_of(entry: FrenteConfigEntry, person: str | None) -> ConfigSubentry:
    """Return the member subentry of ``person`` or raise a translated error."""
    for subentry in entry.get_subentries_of_type(SUBENTRY_MEMBER):
        if person is not None and subentry.data.get(MemberField.PERSON) == person:
            return subentry
    raise translated(ServiceValidationError, "not_a_member", front=entry.title)


async def async_set_pin(call: ServiceCall) -> ServiceResponse:
    """Set (or clear) the caller's own PIN and duress PIN."""
    hass = call.hass
    entry = front_entry(call)
    person = None
    if call.context.user_id is not None:
        state = person_of_user(hass, call.context.user_id)
        person = state.entity_id if state is not None else None
    subentry = _subentry_of(entry, person)
    pin = call.data.get(ATTR_PIN) or None
    duress = call.data.get(ATTR_DURESS_PIN) or None
    if pin is None and duress is not None:
        raise translated(ServiceValidationError, "pin_format", front=entry.title)
    data = {
        key: value
        for key, value in subentry.data.items()
        if key not in {MemberField.PIN_HASH, MemberField.DURESS_PIN_HASH}
    }
    if pin is not None:
        try:
            check_new_pins(pin, duress)
        except PinError as err:
            raise translated(
                ServiceValidationError, err.reason, front=entry.title
            ) from err
        data[MemberField.PIN_HASH] = await hass.async_add_executor_job(hash_pin, pin)
        if duress is not None:
            data[MemberField.DURESS_PIN_HASH] = await hass.async_add_executor_job(
                hash_pin, duress
            )
    LOGGER.info("A member of %s changed their PINs", entry.runtime_data.front.front_id)
    hass.config_entries.async_update_subentry(entry, subentry, data=data)
    return {"pin": pin is not None, "duress_pin": duress is not None}


async def async_suspend_member(call: ServiceCall) -> ServiceResponse:
    """Suspend a member (coordinators and admins); a suspended one stays suspended."""
    entry, subentry = await _standing(call)
    if subentry.data.get(MemberField.SUSPENDED):
        return {"suspended": True, "changed": False}
    data = {
        **subentry.data,
        MemberField.SUSPENDED: {
            "at": dt_util.now().isoformat(timespec="seconds"),
            "by": call.context.user_id or BY_SYSTEM,
            "reason": call.data[ATTR_REASON],
        },
    }
    _tell(call.hass, entry, subentry, "suspended", call)
    call.hass.config_entries.async_update_subentry(entry, subentry, data=data)
    return {"suspended": True, "changed": True}


async def async_reinstate_member(call: ServiceCall) -> ServiceResponse:
    """End a member's suspension (coordinators and admins), keeping it on record."""
    entry, subentry = await _standing(call)
    current = subentry.data.get(MemberField.SUSPENDED)
    if not current:
        return {"suspended": False, "changed": False}
    ended = {
        **dict(current),
        "until": dt_util.now().isoformat(timespec="seconds"),
        "reinstated_by": call.context.user_id or BY_SYSTEM,
        "reinstate_reason": call.data[ATTR_REASON],
    }
    past = [*subentry.data.get(MemberField.SUSPENSIONS, []), ended][
        -MAX_SUSPENSIONS_KEPT:
    ]
    data: dict[str, Any] = {
        key: value
        for key, value in subentry.data.items()
        if key != MemberField.SUSPENDED
    }
    data[MemberField.SUSPENSIONS] = past
    _tell(call.hass, entry, subentry, "reinstated", call)
    call.hass.config_entries.async_update_subentry(entry, subentry, data=data)
    return {"suspended": False, "changed": True}


async def _standing(call: ServiceCall) -> tuple[FrenteConfigEntry, ConfigSubentry]:
    entry = front_entry(call)
    await async_require_manager(
        call.hass, entry.runtime_data.settings, call.context, call.service
    )
    return entry, _subentry_of(entry, call.data[MemberField.PERSON])


def _tell(
    hass: HomeAssistant,
    entry: FrenteConfigEntry,
    subentry: ConfigSubentry,
    change: str,
    call: ServiceCall,
) -> None:
    """Fire the member event (ids only) and log the change (no names)."""
    front_id = entry.runtime_data.front.front_id
    LOGGER.info("Member %s of %s: %s", subentry.subentry_id, front_id, change)
    hass.bus.async_fire(
        EVENT_MEMBER,
        {
            "entry_id": entry.entry_id,
            "front_id": front_id,
            "member": subentry.subentry_id,
            "person": subentry.data.get(MemberField.PERSON),
            "change": change,
        },
        context=call.context,
    )


ACCESS_ACTIONS = (
    Action(SERVICE_SET_PIN, async_set_pin, PIN_SCHEMA),
    Action(SERVICE_SUSPEND_MEMBER, async_suspend_member, STANDING_SCHEMA),
    Action(SERVICE_REINSTATE_MEMBER, async_reinstate_member, STANDING_SCHEMA),
)
