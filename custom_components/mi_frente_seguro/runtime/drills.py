"""The monthly drill in HA: the reminder on the front's day, and each drill's report.

On the front's ``drill_day`` at ``DRILL_HOUR`` the coordinators get a reminder to test the
button (a persistent notification, and their companion apps). When a drill ends, its report
(``frente/drills.py``: who pressed, when the police system had it, each police answer,
who answered the notification, how it ended) is written in HA's language as a persistent
notification, and the ``drill_report`` action gives it (Markdown and steps) for any kept
drill, for coordinators and administrators. The report is made from the incident itself,
so it is kept as long as the incident is (``incident_retention_days``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from homeassistant.components import persistent_notification
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.event import async_track_time_change
from homeassistant.util import dt as dt_util
from homeassistant.util.signal_type import SignalType

from ..const import DOMAIN, DRILL_HOUR
from ..frente.change import IncidentChange
from ..frente.drills import Step, drill_timeline, is_drill_day, is_report_ready
from ..frente.incident import Incident
from ..texts import texts
from .notifications import async_send, notify_services_of
from .settings import FrontSettings


def render_report(
    hass: HomeAssistant,
    incident: Incident,
    front_name: str,
    steps: list[Step] | None = None,
) -> str:
    """Return a drill's report as Markdown, in HA's language (``steps``: its timeline)."""
    word = texts(hass, "notification")
    lines = [
        word("drill.report_intro").format(
            front=front_name, at=_local(incident.opened_at)
        ),
        "",
    ]
    sirens = False
    for step in drill_timeline(incident) if steps is None else steps:
        sirens |= step.what == "siren"
        values = dict(step.values)
        values["sender"] = values.get("sender") or word("someone")
        if "source" in values:
            values["source"] = word(f"drill.source.{values['source']}")
        text = word(f"drill.{step.what}").format_map(_Blank(values))
        after = word("drill.after").format(seconds=values.get("after_s", "0"))
        lines.append(f"- {_local(step.at)} ({after}): {text}")
    lines += ["", word("drill.evidence").format(files=len(incident.evidence))]
    if not sirens:
        lines.append(word("drill.no_siren"))
    return "\n".join(lines)


class _Blank(dict[str, str]):
    """Format values; a placeholder with no value reads as nothing."""

    def __missing__(self, key: str) -> str:
        return ""


def _local(at: datetime) -> str:
    return dt_util.as_local(at).strftime("%Y-%m-%d %H:%M:%S")


def report_notification_id(incident_id: str) -> str:
    """Return the persistent notification id of a drill's report."""
    return f"{DOMAIN}_drill_{incident_id}"


class FrontDrills:
    """Reminds the front's coordinators of the monthly drill and reports each drill."""

    def __init__(
        self,
        hass: HomeAssistant,
        settings: FrontSettings,
        incidents_signal: SignalType[IncidentChange | None],
        timeline: Callable[[Incident], list[Step]] = drill_timeline,
    ) -> None:
        """Use the front's settings; hear its incident changes on ``incidents_signal``.

        ``timeline`` gives a drill's steps with what the front measured (deliveries,
        the siren): ``FrontRuntime.drill_steps``.
        """
        self.hass = hass
        self.settings = settings
        self._signal = incidents_signal
        self.timeline = timeline
        self._unsubs: list[CALLBACK_TYPE] = []

    @callback
    def async_start(self) -> None:
        """Listen for the drill hour and for drills that end."""
        self._unsubs = [
            async_track_time_change(
                self.hass, self._on_hour, hour=DRILL_HOUR, minute=0, second=0
            ),
            async_dispatcher_connect(self.hass, self._signal, self._on_change),
        ]

    @callback
    def async_stop(self) -> None:
        """Stop listening."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs = []

    @callback
    def _on_hour(self, now: datetime) -> None:
        if is_drill_day(dt_util.as_local(now).date(), self.settings.drill_day):
            self.hass.async_create_task(self.async_remind())

    async def async_remind(self) -> None:
        """Remind the coordinators: a persistent notification and their phones."""
        word = texts(self.hass, "notification")
        front = self.settings.front.name
        title = word("drill.reminder_title").format(front=front)
        message = word("drill.reminder_message").format(front=front)
        persistent_notification.async_create(
            self.hass,
            message,
            title,
            f"{DOMAIN}_drill_reminder_{self.settings.front.front_id}",
        )
        await async_send(
            self.hass,
            [
                (service, {"title": title, "message": message})
                for person in self.settings.coordinators()
                for service in notify_services_of(self.hass, person)
            ],
        )

    @callback
    def _on_change(self, change: IncidentChange | None) -> None:
        if (
            change is None
            or change.step is None
            or not is_report_ready(change.incident)
        ):
            return  # only the step that ends a drill makes its report
        incident = change.incident
        word = texts(self.hass, "notification")
        persistent_notification.async_create(
            self.hass,
            render_report(
                self.hass,
                incident,
                self.settings.front.name,
                self.timeline(incident),
            ),
            word("drill.report_title").format(front=self.settings.front.name),
            report_notification_id(incident.incident_id),
        )
