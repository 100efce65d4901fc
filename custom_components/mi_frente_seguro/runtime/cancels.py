"""Cancelling an alarm from HA: by a coordinator, by its sender, or under duress.

One function for every way in (the ``cancel`` action, the alarm panel's disarm). The
rules are ``frente/cancels.py``'s: a coordinator or an administrator cancels any open
incident; the person who pressed cancels their own alarm within the front's cancel window,
with their PIN when they set one; anyone's *duress* PIN seems to cancel and raises a silent
duress alarm instead (same answer, same details, same states on every screen).

A wrong PIN is refused with a translated error and one log line (no names, no code), and
counted per incident (in memory): after ``MAX_WRONG_CODES`` only a coordinator can cancel
it. HA records every action's data in its database (``call_service`` events), the code
of an alarm panel included: docs/guia-residentes.md says how to keep it out.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from ..const import BY_SYSTEM, LOGGER
from ..errors import incident_errors, translated
from ..frente.cancels import MAX_WRONG_CODES, own_cancel_refusal
from ..frente.change import IncidentChange
from ..frente.incident import Incident, IncidentKind, IncidentState
from ..frente.pins import CodeMatch, match_code
from .people import async_can_manage, async_sender
from .presses import async_make_press

if TYPE_CHECKING:
    from . import FrenteConfigEntry

OWN_REASON = "sender"  # the reason of a sender's own cancel when they give none
# Wrong codes per incident id (a restart forgets them; the window is short anyway).
WRONG_CODES: Counter[tuple[str, str]] = Counter()


async def async_cancel_incident(
    hass: HomeAssistant,
    entry: FrenteConfigEntry,
    context: Context | None,
    incident_id: str | None,
    *,
    reason: str | None,
    code: str | None,
) -> IncidentChange:
    """Cancel ``incident_id`` (the open one for None) as whoever is behind ``context``.

    Raises a translated ``ServiceValidationError`` when they may not, with nothing changed.
    """
    runtime = entry.runtime_data
    settings = runtime.settings
    context = context or Context()
    sender, _ = await async_sender(hass, context, settings)
    member = settings.member(sender.person_id)
    match = CodeMatch.NO_PIN
    if member is not None and code:
        match = await hass.async_add_executor_job(
            match_code, code, member.pin_hash, member.duress_pin_hash
        )
    with incident_errors(entry.title, incident_id):
        incident = runtime.incidents.book.get(incident_id)
    manager = await async_can_manage(hass, settings, context)
    details: dict[str, Any] = {"reason": reason or OWN_REASON, "by_name": sender.name}
    by = sender.user_id or BY_SYSTEM
    if match is CodeMatch.DURESS:
        press = await async_make_press(
            hass, settings, IncidentKind.SILENT, context=context
        )
        with incident_errors(entry.title, incident_id):
            return await runtime.incidents.ledger.duress_cancel(
                incident.incident_id, press, by=by, details=details, context=context
            )
    if not manager:
        has_pin = member is not None and member.pin_hash is not None
        _check_own_cancel(entry, incident, sender.user_id, match, has_pin=has_pin)
    with incident_errors(entry.title, incident_id):
        return await runtime.incidents.async_advance(
            incident.incident_id,
            IncidentState.CANCELLED,
            by=by,
            details=details,
            context=context,
        )


def _check_own_cancel(
    entry: FrenteConfigEntry,
    incident: Incident,
    user_id: str | None,
    match: CodeMatch,
    *,
    has_pin: bool,
) -> None:
    """Raise unless the caller may cancel ``incident`` as the one who pressed it."""
    front_id = entry.runtime_data.settings.front.front_id
    wrong = (front_id, incident.incident_id)
    refusal = own_cancel_refusal(
        incident,
        user_id,
        dt_util.now(),
        entry.runtime_data.settings.cancel_window,
        WRONG_CODES[wrong],
    )
    if refusal is not None:
        LOGGER.warning("Refused a cancel on front %s: %s", front_id, refusal.value)
        raise translated(ServiceValidationError, refusal.value, front=entry.title)
    if has_pin and match is not CodeMatch.PIN:
        WRONG_CODES[wrong] += 1
        LOGGER.warning(
            "Wrong or missing PIN to cancel an incident on front %s (%s of %s)",
            front_id,
            WRONG_CODES[wrong],
            MAX_WRONG_CODES,
        )
        raise translated(ServiceValidationError, "wrong_code", front=entry.title)
