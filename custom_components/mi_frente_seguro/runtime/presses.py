"""Every press is made here, whatever pressed it.

The street kit, an adopted HA device, a digital panic button, the alarm panel, an action,
a notification relayed by a blueprint: a press says when, what kind and emergency, from
which source and who pressed. A device (the kit's
button, an adopted sensor or event entity) presses as itself; a person presses through an
HA call, whose user is traced to their person and, when they are a member, to their house,
phone and role, and located by their phone. The source rule is written once: the one the
caller names, else ``physical_button`` for a device, ``action`` for a user and
``automation`` for a call with no user.
"""

from __future__ import annotations

from homeassistant.core import Context, HomeAssistant
from homeassistant.util import dt as dt_util

from ..frente.checks import MAX_NAME
from ..frente.incident import (
    Emergency,
    IncidentKind,
    IncidentSource,
    Location,
    Press,
    Sender,
)
from ..frente.text import safe_text
from .people import async_sender
from .settings import FrontSettings


async def async_make_press(
    hass: HomeAssistant,
    settings: FrontSettings,
    kind: IncidentKind,
    *,
    context: Context | None = None,
    device: str | None = None,
    source: IncidentSource | None = None,
    key: str | None = None,
    note: str = "",
    location: Location | None = None,
    emergency: Emergency = Emergency.SECURITY,
) -> Press:
    """Return the press of ``device``, or of whoever is behind ``context``.

    ``location`` (a relayed press naming where it happened) replaces the phone's own fix.
    """
    if device is not None:
        sender, found = Sender(device=safe_text(device)[:MAX_NAME]), None
        default = IncidentSource.PHYSICAL_BUTTON
    else:
        sender, found = await async_sender(hass, context, settings)
        default = IncidentSource.ACTION if sender.user_id else IncidentSource.AUTOMATION
    return Press(
        at=dt_util.now(),
        kind=kind,
        source=source or default,
        sender=sender,
        location=location or found,
        note=note,
        key=key,
        emergency=emergency,
    )
