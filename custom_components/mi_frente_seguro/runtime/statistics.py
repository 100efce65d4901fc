"""Police response times as HA long-term statistics, per front and per cuadrante.

Each hour in which real alarms were opened gets the mean, minimum and maximum of their
response times (opened -> a unit dispatched), as external statistics HA's own history
and statistics cards draw: ``mi_frente_seguro:response_<front id>`` for the front and
``mi_frente_seguro:cuadrante_<code>`` for its cuadrante (the fronts on this box that
share it). The hours are computed from the fronts' books (``frente/reports.py``), so
drills and silent (duress) incidents never count; an hour is written again whenever one
of its alarms is dispatched, and every hour at start-up (writing an hour again replaces
it). Without HA's recorder nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from statistics import fmean

from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import async_add_external_statistics
from homeassistant.const import UnitOfTime
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import slugify
from homeassistant.util.unit_conversion import DurationConverter

from ..const import DOMAIN, SIGNAL_INCIDENT
from ..frente.change import IncidentChange
from ..frente.incident import Incident, IncidentState
from ..frente.reports import hour_of, response_by_hour
from ..texts import texts
from .follower import IncidentFollower
from .incidents import FrontIncidents
from .settings import FrontSettings


def front_statistic_id(front_id: str) -> str:
    """Return the statistic id of a front's response times."""
    return f"{DOMAIN}:response_{slugify(front_id)}"


def cuadrante_statistic_id(code: str) -> str:
    """Return the statistic id of a cuadrante's response times."""
    return f"{DOMAIN}:cuadrante_{slugify(code)}"


class FrontStatistics(IncidentFollower):
    """Writes a front's (and its cuadrante's) hourly response times to the recorder."""

    def __init__(
        self, hass: HomeAssistant, settings: FrontSettings, incidents: FrontIncidents
    ) -> None:
        """Use the front's settings and its incidents."""
        super().__init__(hass)
        self.settings = settings
        self.incidents = incidents

    @callback
    def async_start(self) -> None:
        """Write every hour once, then each hour again when one of its alarms is answered."""
        if "recorder" not in self.hass.config.components:
            return
        self.follow(SIGNAL_INCIDENT.format(self.settings.front.front_id))
        self._write(None)

    @callback
    def _on_change(self, change: IncidentChange | None) -> None:
        if change is None or not _just_dispatched(change.incident):
            return
        self._write({hour_of(change.incident.opened_at)})

    def _write(self, hours: set[datetime] | None) -> None:
        """Write ``hours`` (None: all) of the front's and its cuadrante's statistics."""
        front = self.settings.front
        word = texts(self.hass, "notification")
        own = self.incidents.book.all()
        _add(
            self.hass,
            front_statistic_id(front.front_id),
            f"{word('response_time')}: {front.name}",
            response_by_hour(own),
            hours,
        )
        _add(
            self.hass,
            cuadrante_statistic_id(front.cuadrante_code),
            f"{word('response_time')}: {front.cuadrante_code} {front.cuadrante_name}",
            response_by_hour(self._cuadrante_incidents()),
            hours,
        )

    def _cuadrante_incidents(self) -> Iterable[Incident]:
        """Yield this front's incidents, then those of the loaded fronts sharing its cuadrante."""
        code = self.settings.front.cuadrante_code
        yield from self.incidents.book.all()
        for entry in self.hass.config_entries.async_loaded_entries(DOMAIN):
            runtime = entry.runtime_data
            if (
                runtime.incidents is not self.incidents
                and runtime.settings.front.cuadrante_code == code
            ):
                yield from runtime.incidents.book.all()


def _just_dispatched(incident: Incident) -> bool:
    return (
        bool(incident.transitions)
        and incident.transitions[-1].state is IncidentState.DISPATCHED
    )


def _add(
    hass: HomeAssistant,
    statistic_id: str,
    name: str,
    by_hour: dict[datetime, list[float]],
    hours: set[datetime] | None,
) -> None:
    rows = [
        StatisticData(start=hour, mean=fmean(times), min=min(times), max=max(times))
        for hour, times in sorted(by_hour.items())
        if hours is None or hour in hours
    ]
    if not rows:
        return
    metadata = StatisticMetaData(
        mean_type=StatisticMeanType.ARITHMETIC,
        has_sum=False,
        name=name,
        source=DOMAIN,
        statistic_id=statistic_id,
        unit_class=DurationConverter.UNIT_CLASS,
        unit_of_measurement=UnitOfTime.SECONDS,
    )
    async_add_external_statistics(hass, metadata, rows)
