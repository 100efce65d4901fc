"""Police response times in HA's long-term statistics, per front and per cuadrante.

A real recorder (SQLite): an alarm dispatched after a while shows as that hour's mean,
min and max for the front and its cuadrante; a silent (duress) alarm and a drill never
count; a restart writes the hours again from the front's file.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockUser
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.mi_frente_seguro.runtime.statistics import (
    cuadrante_statistic_id,
    front_statistic_id,
)
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.statistics import (
    list_statistic_ids,
    statistics_during_period,
)
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .const import FRONT_ID
from .helpers import call, member, members_front

CUADRANTE = "MECAR-E1-C3"


@pytest.fixture
def mock_recorder_before_hass(recorder_db_url: str) -> Generator[None]:
    """Keep SQLAlchemy's statement log out of the run's output while hass lives."""
    engine = logging.getLogger("sqlalchemy.engine")
    level = engine.level
    engine.setLevel(logging.WARNING)
    yield
    engine.setLevel(level)


async def _alarm(
    hass: HomeAssistant,
    entry_id: str,
    admin: str,
    freezer: FrozenDateTimeFactory,
    *,
    kind: str,
    after: float,
) -> None:
    opened = await call(hass, "trigger", entry_id, admin, kind=kind)
    assert opened is not None
    freezer.tick(timedelta(seconds=after))
    await call(
        hass,
        "police_update",
        entry_id,
        admin,
        incident_id=opened["incident_id"],
        status="dispatched",
    )
    await call(hass, "close", entry_id, admin)


def _hours(hass: HomeAssistant, statistic_id: str) -> list[dict[str, object]]:
    start = dt_util.utcnow() - timedelta(days=1)
    found = statistics_during_period(
        hass, start, None, {statistic_id}, "hour", None, {"mean", "min", "max"}
    )
    return list(found.get(statistic_id, []))


async def test_response_times_are_hourly_statistics_without_duress_or_drills(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    people: dict[str, MockUser],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Two real alarms (60 s, 120 s) make the hour; silent and drill leave no trace."""
    freezer.move_to("2026-12-01 15:10:00-05:00")
    admin = people["admin"].id
    entry = await members_front(hass, member("person.luis_gomez", "Luis Gómez"))
    for kind, after in (("panic", 60), ("silent", 5), ("drill", 1), ("panic", 120)):
        await _alarm(hass, entry.entry_id, admin, freezer, kind=kind, after=after)
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)

    for statistic_id in (
        front_statistic_id(FRONT_ID),
        cuadrante_statistic_id(CUADRANTE),
    ):
        (hour,) = await hass.async_add_executor_job(_hours, hass, statistic_id)
        assert (hour["mean"], hour["min"], hour["max"]) == (90.0, 60.0, 120.0)
    ids = await hass.async_add_executor_job(list_statistic_ids, hass)
    ours = {
        item["statistic_id"]: item
        for item in ids
        if item["source"] == "mi_frente_seguro"
    }
    assert set(ours) == {
        front_statistic_id(FRONT_ID),
        cuadrante_statistic_id(CUADRANTE),
    }
    assert ours[front_statistic_id(FRONT_ID)]["statistics_unit_of_measurement"] == "s"

    # Written again from the file at start-up: cleared, then the same hour comes back.
    recorder_mock.async_clear_statistics([front_statistic_id(FRONT_ID)])
    await async_wait_recording_done(hass)
    assert not await hass.async_add_executor_job(
        _hours, hass, front_statistic_id(FRONT_ID)
    )
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    (hour,) = await hass.async_add_executor_job(
        _hours, hass, front_statistic_id(FRONT_ID)
    )
    assert hour["mean"] == 90.0
