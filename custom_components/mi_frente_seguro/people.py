"""Who is acting: HA users and persons, as senders of presses and as coordinators."""

from __future__ import annotations

from homeassistant.const import ATTR_FRIENDLY_NAME
from homeassistant.core import Context, HomeAssistant, State
from homeassistant.exceptions import ServiceValidationError

from .const import CONF_COORDINATOR_PERSONS, DOMAIN
from .frente.incident import Sender
from .runtime import FrenteConfigEntry

ATTR_USER_ID = "user_id"
PERSON_DOMAIN = "person"


def person_of_user(hass: HomeAssistant, user_id: str) -> State | None:
    """Return the state of the person linked to HA user ``user_id``, if any."""
    for state in hass.states.async_all(PERSON_DOMAIN):
        if state.attributes.get(ATTR_USER_ID) == user_id:
            return state
    return None


async def async_sender(hass: HomeAssistant, context: Context | None) -> Sender:
    """Return who is behind ``context``: user, person and name (members come later)."""
    if context is None or context.user_id is None:
        return Sender()
    user = await hass.auth.async_get_user(context.user_id)
    person = person_of_user(hass, context.user_id)
    name = None
    if person is not None:
        name = person.attributes.get(ATTR_FRIENDLY_NAME) or person.name
    elif user is not None:
        name = user.name
    return Sender(
        user_id=context.user_id,
        person_id=person.entity_id if person is not None else None,
        name=name,
    )


async def async_can_manage(
    hass: HomeAssistant, entry: FrenteConfigEntry, context: Context
) -> bool:
    """Return True if ``context`` may cancel or close incidents of ``entry``.

    Allowed: administrators, the front's coordinators (persons in the options), and calls
    with no user (automations, scripts, the integration itself).
    """
    if context.user_id is None:
        return True
    user = await hass.auth.async_get_user(context.user_id)
    if user is None:
        return False
    if user.is_admin:
        return True
    person = person_of_user(hass, user.id)
    return person is not None and person.entity_id in entry.options.get(
        CONF_COORDINATOR_PERSONS, []
    )


async def async_require_manager(
    hass: HomeAssistant, entry: FrenteConfigEntry, context: Context
) -> None:
    """Raise a translated error unless ``context`` may cancel or close incidents."""
    if not await async_can_manage(hass, entry, context):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_allowed",
            translation_placeholders={"front": entry.title},
        )
