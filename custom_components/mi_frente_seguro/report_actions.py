"""Report actions: ``export_incidents`` (CSV or JSON) and ``drill_report`` (one drill).

``drill_report`` gives a kept drill's report (the latest drill by default) as Markdown in
HA's language and as steps, to the front's coordinators and administrators
(``runtime/drills.py``).

For the programme's administrators and the fronts' coordinators (``frente/reports.py``
has the columns). Without a front named, an administrator gets every loaded front; a
coordinator must name theirs. Personal data (who pressed, house, phone, note) only for
administrators; silent (duress) incidents are in the export, because everyone who may call
it may see them (``frente/duress.py``). The export is the action's answer, never a file
on the box and never a log line.
"""

from __future__ import annotations

from typing import Any

import probatio

from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from .action_fields import FRONT_FIELDS, TEXT, Action, front_entry
from .const import ATTR_INCIDENT_ID, DOMAIN, LOGGER
from .errors import incident_errors, translated
from .frente.incident import IncidentKind
from .frente.reports import Row, incident_rows, to_csv
from .runtime import FrenteConfigEntry
from .runtime.drills import render_report
from .runtime.people import async_require_manager

SERVICE_EXPORT_INCIDENTS = "export_incidents"
SERVICE_DRILL_REPORT = "drill_report"
FORMATS = ("json", "csv")


def _aware(value: Any) -> Any:
    """Return a datetime with its time zone (HA's own when none is given)."""
    at = cv.datetime(value)
    return (
        at
        if at.tzinfo is not None
        else at.replace(tzinfo=dt_util.get_default_time_zone())
    )


EXPORT_SCHEMA = probatio.Schema(
    {
        **FRONT_FIELDS,
        probatio.Optional("format", default="json"): probatio.In(FORMATS),
        probatio.Optional("since"): _aware,
        probatio.Optional("until"): _aware,
    }
)


async def _is_admin(hass: HomeAssistant, user_id: str | None) -> bool:
    """Return True for an administrator (or HA itself: an automation or a script)."""
    if user_id is None:
        return True
    user = await hass.auth.async_get_user(user_id)
    return user is not None and user.is_admin


async def _fronts(call: ServiceCall, admin: bool) -> list[FrenteConfigEntry]:
    """Return the fronts the call names, or every loaded front for an administrator."""
    if ATTR_CONFIG_ENTRY_ID in call.data or ATTR_DEVICE_ID in call.data:
        entry = front_entry(call)
        await async_require_manager(
            call.hass, entry.runtime_data.settings, call.context, call.service
        )
        return [entry]
    if not admin:
        raise translated(ServiceValidationError, "front_required")
    return list(call.hass.config_entries.async_loaded_entries(DOMAIN))


async def async_export_incidents(call: ServiceCall) -> ServiceResponse:
    """Answer with the incidents of the named front (or all) as CSV or JSON."""
    since, until = call.data.get("since"), call.data.get("until")
    if since is not None and until is not None and since >= until:
        raise translated(ServiceValidationError, "invalid_period")
    admin = await _is_admin(call.hass, call.context.user_id)
    rows: list[Row] = []
    for entry in await _fronts(call, admin):
        runtime = entry.runtime_data
        rows += incident_rows(
            runtime.incidents.book.all(),
            runtime.settings.front,
            personal=admin,
            hidden=True,
            period=(since, until),
        )
    LOGGER.info("Exported %s incidents (%s)", len(rows), call.data["format"])
    answer: dict[str, Any] = {
        "exported_at": dt_util.now().isoformat(),
        "personal_data": admin,
        "count": len(rows),
    }
    if call.data["format"] == "csv":
        return answer | {"csv": to_csv(rows, personal=admin)}
    return answer | {"incidents": rows}


DRILL_SCHEMA = probatio.Schema(
    {
        **FRONT_FIELDS,
        probatio.Optional(ATTR_INCIDENT_ID): probatio.All(
            TEXT, probatio.Length(max=64)
        ),
    }
)


async def async_drill_report(call: ServiceCall) -> ServiceResponse:
    """Answer with a drill's report: Markdown, its steps and its evidence count."""
    entry = front_entry(call)
    runtime = entry.runtime_data
    await async_require_manager(call.hass, runtime.settings, call.context, call.service)
    incident_id = call.data.get(ATTR_INCIDENT_ID)
    book = runtime.incidents.book
    if incident_id is None:
        drills = [i for i in book.all() if i.kind is IncidentKind.DRILL]
        if not drills:
            raise translated(ServiceValidationError, "no_drill", front=entry.title)
        incident = max(drills, key=lambda item: item.opened_at)
    else:
        with incident_errors(entry.title, incident_id):
            incident = book.get(incident_id)
        if incident.kind is not IncidentKind.DRILL:
            raise translated(
                ServiceValidationError, "not_a_drill", incident_id=incident_id
            )
    steps = runtime.drills.timeline(incident)
    return {
        ATTR_INCIDENT_ID: incident.incident_id,
        "state": str(incident.state),
        "report": render_report(
            call.hass, incident, runtime.settings.front.name, steps
        ),
        "steps": [
            {"at": step.at.isoformat(), "what": step.what, **step.values}
            for step in steps
        ],
        "evidence_files": len(incident.evidence),
    }


REPORT_ACTIONS = (
    Action(
        SERVICE_EXPORT_INCIDENTS, async_export_incidents, EXPORT_SCHEMA, answers=True
    ),
    Action(SERVICE_DRILL_REPORT, async_drill_report, DRILL_SCHEMA, answers=True),
)
