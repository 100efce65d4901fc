"""Who is acting: the HA user behind a call, their person, their member and their phone.

Two questions are answered here and nowhere else: who pressed (the sender of a press, with
their house, phone and role when they are a member, and where their phone is) and who may
manage a front (cancel, close, answer for the police: an administrator or a coordinator).
"""

from __future__ import annotations

from datetime import datetime
import math

from homeassistant.components.person import ATTR_SOURCE, ATTR_USER_ID
from homeassistant.const import (
    ATTR_FRIENDLY_NAME,
    ATTR_GPS_ACCURACY,
    ATTR_LATITUDE,
    ATTR_LONGITUDE,
)
from homeassistant.core import Context, HomeAssistant, State
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import location as location_util

from ..const import LOGGER
from ..errors import translated
from ..frente.checks import MAX_NAME
from ..frente.front import Front
from ..frente.incident import Location, Sender
from ..frente.text import safe_text
from .settings import FrontSettings

PERSON_DOMAIN = "person"


def person_of_user(hass: HomeAssistant, user_id: str) -> State | None:
    """Return the state of the person linked to HA user ``user_id``, if any."""
    for state in hass.states.async_all(PERSON_DOMAIN):
        if state.attributes.get(ATTR_USER_ID) == user_id:
            return state
    return None


def person_location(
    hass: HomeAssistant, person: State, front: Front
) -> Location | None:
    """Return where the person's phone last was, and how far from the front.

    The fix comes from the person's current source (the companion app's device tracker):
    its latitude, longitude, GPS accuracy and the time it was last updated.
    """
    tracker = None
    if isinstance(source := person.attributes.get(ATTR_SOURCE), str):
        tracker = hass.states.get(source)
    origin = tracker or person
    latitude = _number(origin.attributes.get(ATTR_LATITUDE), 90)
    longitude = _number(origin.attributes.get(ATTR_LONGITUDE), 180)
    if latitude is None or longitude is None:
        return None  # no fix, or one no map can show: the press goes without it
    accuracy = _number(origin.attributes.get(ATTR_GPS_ACCURACY), math.inf)
    accuracy = None if accuracy is None or accuracy < 0 else accuracy
    return locate(
        front, float(latitude), float(longitude), accuracy, origin.last_updated
    )


def _number(value: object, bound: float) -> float | None:
    """Return a tracker attribute as a finite float within ``±bound``, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and abs(number) <= bound else None


def locate(
    front: Front,
    latitude: float,
    longitude: float,
    accuracy: float | None,
    fix_time: datetime | None,
) -> Location:
    """Return a sender's location with its distance to the front and the area flag.

    A sender is outside the front's area when even the near edge of their accuracy circle
    is farther than the front's radius.
    """
    distance = location_util.distance(
        front.latitude, front.longitude, latitude, longitude
    )
    return Location(
        latitude=latitude,
        longitude=longitude,
        accuracy=accuracy,
        fix_time=fix_time,
        distance=None if distance is None else round(distance, 1),
        outside_area=distance is not None
        and distance - (accuracy or 0.0) > front.radius,
    )


async def async_sender(
    hass: HomeAssistant,
    context: Context | None,
    settings: FrontSettings | None = None,
) -> tuple[Sender, Location | None]:
    """Return who is behind ``context`` (user, person, member) and where they are.

    With ``settings``, the person is matched to the front's members (house, phone, role)
    and located by their phone's device tracker.
    """
    if context is None or context.user_id is None:
        return Sender(), None
    user = await hass.auth.async_get_user(context.user_id)
    person = person_of_user(hass, context.user_id)
    name = None
    if person is not None:
        name = person.attributes.get(ATTR_FRIENDLY_NAME) or person.name
    elif user is not None:
        name = user.name
    member = None
    location = None
    if settings is not None and person is not None:
        member = settings.member(person.entity_id)
        location = person_location(hass, person, settings.front)
    # Names and houses come as HA holds them: cleaned, never a reason to refuse a press.
    sender = Sender(
        user_id=context.user_id,
        person_id=person.entity_id if person is not None else None,
        name=_clean(name),
        house=_clean(member.house) if member else None,
        phone=_clean(member.phone) if member else None,
        role=member.role if member else None,
        is_member=member is not None,
        suspended=bool(member.suspended) if member else False,
    )
    return sender, location


def _clean(value: object) -> str | None:
    """Return a name, house or phone as storable text (None stays None)."""
    return None if value is None else safe_text(value)[:MAX_NAME]


async def async_can_manage(
    hass: HomeAssistant, settings: FrontSettings, context: Context
) -> bool:
    """Return True if ``context`` may silence, cancel, close, answer or broadcast.

    Allowed: administrators and the front's coordinators (``FrontSettings.is_coordinator``).
    A call without a user comes from Home Assistant itself (an automation or a script,
    which only administrators write) and counts as theirs; events without a user never
    reach this rule (``notifications.py`` ignores such answers).
    """
    if context.user_id is None:
        return True
    user = await hass.auth.async_get_user(context.user_id)
    if user is None:
        return False
    if user.is_admin:
        return True
    person = person_of_user(hass, user.id)
    return person is not None and settings.is_coordinator(person.entity_id)


async def async_require_manager(
    hass: HomeAssistant, settings: FrontSettings, context: Context, what: str
) -> None:
    """Raise a translated error unless ``context`` may do ``what`` (logged, no names)."""
    if not await async_can_manage(hass, settings, context):
        LOGGER.warning(
            "Refused %s on front %s: not a coordinator of the front or an administrator",
            what,
            settings.front.front_id,
        )
        raise translated(
            ServiceValidationError, "not_allowed", front=settings.front.name
        )
