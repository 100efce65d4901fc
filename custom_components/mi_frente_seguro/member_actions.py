"""A member's data on request (Ley 1581 de 2012, habeas data): export it, or forget it.

``export_member_data`` answers with everything the front holds about one member (their
member record and authorization, their presses, answers and the steps they took) as JSON;
``forget_member`` takes their personal data out of every incident in the front's store
(the alarms stay, anonymous, so the figures do not change) and removes them as a member.
Both need a coordinator of the front or an administrator. docs/privacidad.md tells
coordinators when and how to use them.
"""

from __future__ import annotations

from typing import Any

import probatio

from homeassistant.components.person import ATTR_USER_ID
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse
from homeassistant.util import dt as dt_util

from .action_fields import FRONT_FIELDS, TEXT, Action, front_entry
from .const import LOGGER, SUBENTRY_MEMBER, MemberField
from .errors import incident_errors
from .frente.privacy import member_record
from .runtime.people import async_require_manager

SERVICE_EXPORT_MEMBER = "export_member_data"
SERVICE_FORGET_MEMBER = "forget_member"

MEMBER_SCHEMA = probatio.Schema(
    {
        **FRONT_FIELDS,
        probatio.Required(MemberField.PERSON): probatio.All(
            TEXT, probatio.Length(max=255), probatio.Match(r"^person\.[a-z0-9_]+$")
        ),
    }
)


def _user_of(hass: HomeAssistant, person: str) -> str | None:
    """Return the HA user of ``person`` (None if it has none, or is gone)."""
    state = hass.states.get(person)
    user_id = state.attributes.get(ATTR_USER_ID) if state is not None else None
    return str(user_id) if user_id else None


async def async_export_member(call: ServiceCall) -> ServiceResponse:
    """Answer with everything the front holds about one member (JSON)."""
    entry = front_entry(call)
    settings = entry.runtime_data.settings
    await async_require_manager(call.hass, settings, call.context, call.service)
    person = call.data[MemberField.PERSON]
    member = settings.member(person)
    record = member_record(
        entry.runtime_data.incidents.book.all(), person, _user_of(call.hass, person)
    )
    about: dict[str, Any] | None = None
    if member is not None:
        about = {
            "name": member.name,
            "house": member.house,
            "phone": member.phone,
            "role": member.role,
            "authorization": dict(member.authorization or {}) or None,
        }
    return {
        "front_id": settings.front.front_id,
        "person": person,
        "exported_at": dt_util.now().isoformat(),
        "member": about,
        **record,
    }


async def async_forget_member(call: ServiceCall) -> ServiceResponse:
    """Take a member's personal data out of the front's incidents; remove the member."""
    hass = call.hass
    entry = front_entry(call)
    settings = entry.runtime_data.settings
    await async_require_manager(hass, settings, call.context, call.service)
    person = call.data[MemberField.PERSON]
    with incident_errors(entry.title):
        changed = await entry.runtime_data.incidents.async_forget(
            person, _user_of(hass, person)
        )
    removed = [
        subentry.subentry_id
        for subentry in entry.get_subentries_of_type(SUBENTRY_MEMBER)
        if subentry.data.get(MemberField.PERSON) == person
    ]
    LOGGER.info(  # no names: which front, and how much
        "Forgot a member of %s: personal data taken out of %s incidents",
        settings.front.front_id,
        changed,
    )
    for subentry_id in removed:  # the entry reloads without them
        hass.config_entries.async_remove_subentry(entry, subentry_id)
    return {"incidents": changed, "member_removed": bool(removed)}


MEMBER_ACTIONS = (
    Action(SERVICE_EXPORT_MEMBER, async_export_member, MEMBER_SCHEMA, answers=True),
    Action(SERVICE_FORGET_MEMBER, async_forget_member, MEMBER_SCHEMA),
)
