"""Critical notifications to the members' phones, and their answers.

Each member's companion app is found from their person's device trackers (the mobile_app
device behind each tracker) and reached through its ``notify.mobile_app_<device>`` action.
Alarm notifications are critical on both platforms (iOS interruption level and critical
sound; Android alarm stream, high priority, ttl 0) and carry actions: "Voy en camino", "Ver
cámaras" and, for coordinators, "Falsa alarma". Duress (``frente/duress.py``) goes to the
front's coordinators only, never to the phones of those who pressed silently; what the
other members get never tells of a silent press.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from homeassistant.core import Event, HomeAssistant, State, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util, slugify

from ..const import (
    ACTION_FALSE_ALARM,
    ACTION_ON_MY_WAY,
    DOMAIN,
    EVENT_NOTIFICATION_ACTION,
    LOGGER,
)
from ..frente.answers import action_id, parse_answer
from ..frente.checks import MAX_NAME
from ..frente.committer import StorageError
from ..frente.duress import is_hidden
from ..frente.incident import (
    Emergency,
    Incident,
    IncidentKind,
    IncidentState,
    Press,
    Response,
    shown,
)
from ..frente.suspension import is_held
from ..frente.text import InvalidInputError, safe_text
from ..texts import texts
from .people import async_can_manage, person_of_user

if TYPE_CHECKING:
    from . import FrenteConfigEntry

MOBILE_APP = "mobile_app"
REGISTRATION_USER = "user_id"  # who a companion app is registered for (its entry data)


def notify_services_of(hass: HomeAssistant, person: str) -> list[str]:
    """Return the ``notify`` actions of the companion apps behind a person's trackers."""
    state = hass.states.get(person)
    if state is None:
        return []
    registry = er.async_get(hass)
    services = []
    for tracker in state.attributes.get("device_trackers") or []:
        entity = registry.async_get(tracker)
        if entity is None or entity.config_entry_id is None:
            continue
        entry = hass.config_entries.async_get_entry(entity.config_entry_id)
        if entry is None or entry.domain != MOBILE_APP:
            continue
        service = f"mobile_app_{slugify(entry.data['device_name'])}"
        if hass.services.has_service("notify", service) and service not in services:
            services.append(service)
    return services


def _alarm_message(
    hass: HomeAssistant,
    entry: FrenteConfigEntry,
    incident: Incident,
    duress: Press | None,
) -> tuple[str, str]:
    """Return an alarm's title and text.

    The coordinators' view of a duress (``duress``, or any silent incident) names the
    silent press and counts every press; everyone else's starts at the first press they
    may see and counts only those (``frente/duress.py``).
    """
    text = texts(hass, "notification")
    if duress is None and is_hidden(incident):
        duress = next(item for item in reversed(incident.presses) if not shown(item))
    if duress is not None:
        first, kind, presses = duress, duress.kind, len(incident.presses)
    else:
        first = (
            next((item for item in incident.presses if shown(item)), None)
            or (incident.presses[0])
        )
        kind, presses = incident.kind, incident.senders.shown_count
    sender = first.sender.name or first.sender.device or text("someone")
    where = f" ({first.sender.house})" if first.sender.house else ""
    emergencies = (Emergency.SECURITY,) if duress is not None else incident.emergencies
    title = text("alarm_title").format(
        kind=alarm_name(text, kind, emergencies[0]), front=entry.title
    )
    message = text("alarm_message").format(
        sender=sender, house=where, front=entry.title, presses=presses
    )
    if len(emergencies) > 1:
        names = ", ".join(text(f"emergency.{item.value}") for item in emergencies)
        message += " " + text("emergencies").format(emergencies=names)
    if first.location is not None and first.location.outside_area:
        message += " " + text("outside_area")
    if duress is not None:
        message += " " + text("duress_warning")
    elif is_held(incident):
        message += " " + text("held_warning")
    return title, message


def alarm_name(
    text: Callable[[str], str], kind: IncidentKind, emergency: Emergency
) -> str:
    """Return what an alarm is called: "Pánico", "Incendio", "Simulacro: Incendio"..."""
    if emergency is Emergency.SECURITY or kind is IncidentKind.SILENT:
        return text(f"kind.{kind.value}")
    if kind is IncidentKind.DRILL:
        return text("drill_of").format(emergency=text(f"emergency.{emergency.value}"))
    return text(f"emergency.{emergency.value}")


def _status_message(
    hass: HomeAssistant, entry: FrenteConfigEntry, incident: Incident
) -> tuple[str, str]:
    text = texts(hass, "notification")
    details = incident.details_of(incident.state)
    title = text("status_title").format(front=entry.title)
    message = text(f"status.{incident.state.value}").format(
        unit=details.get("unit") or text("patrol"),
        eta=details.get("eta_minutes", "?"),
        note=details.get("note") or "",
    )
    return title, message.strip()


def build_notification(
    hass: HomeAssistant,
    entry: FrenteConfigEntry,
    incident: Incident,
    *,
    coordinator: bool,
    image: str | None = None,
    duress: Press | None = None,
) -> dict[str, Any]:
    """Return the notify action data for an alarm or a police status update.

    ``duress``: the silent press the coordinators are told of (an alarm, whatever the
    incident's state).
    """
    text = texts(hass, "notification")
    is_alarm = duress is not None or incident.state in (
        IncidentState.TRIGGERED,
        IncidentState.SENT,
    )
    title, message = (
        _alarm_message(hass, entry, incident, duress)
        if is_alarm
        else _status_message(hass, entry, incident)
    )
    data: dict[str, Any] = {
        "tag": f"mfs-{incident.incident_id}",
        "group": f"mfs-{entry.runtime_data.front.front_id}",
    }
    if is_alarm and not incident.exercise:
        # iOS: critical alert, even on silent; Android: alarm stream, delivered at once.
        data["push"] = {
            "interruption-level": "critical",
            "sound": {"name": "default", "critical": 1, "volume": 1.0},
        }
        data |= {"channel": "alarm_stream", "priority": "high", "ttl": 0}
    if image:
        data["image"] = image
    if is_alarm:
        actions: list[dict[str, Any]] = [
            {
                "action": action_id(ACTION_ON_MY_WAY, incident.incident_id),
                "title": text("on_my_way"),
            },
            {
                "action": "URI",
                "title": text("cameras"),
                # The front's device page lists its cameras (and everything else).
                "uri": f"/config/devices/device/{entry.runtime_data.device_id}",
            },
        ]
        if coordinator:
            actions.append(
                {
                    "action": action_id(ACTION_FALSE_ALARM, incident.incident_id),
                    "title": text("false_alarm"),
                    "destructive": True,
                }
            )
        data["actions"] = actions
    return {"title": title, "message": message, "data": data}


async def async_notify_members(
    hass: HomeAssistant,
    entry: FrenteConfigEntry,
    incident: Incident,
    *,
    image: str | None,
    duress: Press | None,
) -> list[str]:
    """Notify members' phones about ``incident``; return the notify actions used.

    Every member for a shown incident. A silent incident, or the ``duress`` press on any
    incident, goes to the coordinators only, and never to the phones of whoever pressed
    silently (``duress.py``).
    """
    settings = entry.runtime_data.settings
    members = list(settings.members.values())
    if duress is not None or is_hidden(incident) or is_held(incident):
        left_out = incident.sender_persons if is_hidden(incident) else frozenset()
        if duress is not None and duress.sender.person_id is not None:
            left_out |= {duress.sender.person_id}
        members = [
            member
            for member in members
            if settings.is_coordinator(member.person) and member.person not in left_out
        ]
    calls = []
    for member in members:
        payload = build_notification(
            hass,
            entry,
            incident,
            coordinator=settings.is_coordinator(member.person),
            image=image,
            duress=duress,
        )
        calls += [
            (service, payload) for service in notify_services_of(hass, member.person)
        ]
    return await async_send(hass, calls)


async def async_send(
    hass: HomeAssistant, calls: list[tuple[str, dict[str, Any]]]
) -> list[str]:
    """Call each ``notify`` action with its payload, together; return those that worked.

    A failed call is logged (the action's name, never the payload) and the others go on.
    """
    results = await asyncio.gather(
        *(
            hass.services.async_call("notify", service, payload, blocking=True)
            for service, payload in calls
        ),
        return_exceptions=True,
    )
    sent = []
    for (service, _), result in zip(calls, results, strict=True):
        if isinstance(result, Exception):
            LOGGER.warning("Could not notify %s: %s", service, result)
        else:
            sent.append(service)
    return sent


@callback
def async_listen_for_answers(hass: HomeAssistant) -> None:
    """Record members' answers to alarm notifications (from async_setup)."""

    async def on_action(event: Event) -> None:
        parsed = parse_answer(event.data.get("action"))
        if parsed is None:  # not ours, or not an answer there is
            return
        answer, incident_id = parsed
        entry = _entry_holding(hass, incident_id)
        if entry is None:
            LOGGER.debug(
                "Ignoring an answer about incident %s: no front holds it", incident_id
            )
            return
        user_id = event.context.user_id
        person = _answering_member(hass, entry, user_id)
        if user_id is None or person is None:
            LOGGER.info(
                "A notification answer on front %s was ignored: it came from no member's"
                " registered phone",
                entry.runtime_data.front.front_id,
            )
            return
        response = Response(
            at=dt_util.now(),
            action=answer,
            user_id=user_id,
            name=safe_text(person.name)[:MAX_NAME],
        )
        incidents = entry.runtime_data.incidents
        try:
            change = await incidents.async_respond(incident_id, response, event.context)
        except (InvalidInputError, StorageError) as err:
            LOGGER.warning("A notification answer was not recorded: %s", err)
            return
        if change.duplicate:
            return  # the same answer from the same member: it counted once already
        if answer == ACTION_FALSE_ALARM and await async_can_manage(
            hass, entry.runtime_data.settings, event.context
        ):
            try:
                await incidents.async_advance(
                    incident_id,
                    IncidentState.CANCELLED,
                    by=user_id,
                    details={"reason": "notification", "by_name": response.name},
                    context=event.context,
                )
            except (HomeAssistantError, ValueError, LookupError, StorageError) as err:
                LOGGER.info(
                    "False-alarm answer for %s not applied: %s", incident_id, err
                )

    hass.bus.async_listen(EVENT_NOTIFICATION_ACTION, on_action)


def _answering_member(
    hass: HomeAssistant, entry: FrenteConfigEntry, user_id: str | None
) -> State | None:
    """Return the person of ``user_id`` if they are a member with a registered phone.

    The companion app fires an answer with its registration's user: that user must have
    a mobile_app registration and be (through their person) a member or a coordinator of
    the front.
    """
    if user_id is None or not any(
        registration.data.get(REGISTRATION_USER) == user_id
        for registration in hass.config_entries.async_entries(MOBILE_APP)
    ):
        return None
    person = person_of_user(hass, user_id)
    settings = entry.runtime_data.settings
    if person is None or not (
        settings.member(person.entity_id) or settings.is_coordinator(person.entity_id)
    ):
        return None
    return person


def _entry_holding(hass: HomeAssistant, incident_id: str) -> FrenteConfigEntry | None:
    entry: FrenteConfigEntry
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        try:
            entry.runtime_data.incidents.book.get(incident_id)
        except LookupError:
            continue
        return entry
    return None
