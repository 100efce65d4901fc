"""The ``export_incidents`` action in HA: who may export, what each one gets.

Luis (a resident) presses with a note, Ana (the coordinator) presses silently; the police
dispatch the first alarm. An administrator gets both, with names, houses and the note;
Ana gets both without personal data; Luis gets nothing.
"""

from __future__ import annotations

import csv
from datetime import timedelta
import io

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.mi_frente_seguro.const import DOMAIN
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from .helpers import call, member, members_front


async def _front_with_two_alarms(
    hass: HomeAssistant, people: dict[str, MockUser]
) -> MockConfigEntry:
    ana = member(
        "person.ana_perez", "Ana Pérez", "coordinator", house="Casa 3", phone="+5731099"
    )
    entry = await members_front(hass, member("person.luis_gomez", "Luis Gómez"), ana)
    opened = await call(hass, "trigger", entry.entry_id, people["luis"].id, note="moto")
    assert opened is not None
    await call(
        hass,
        "police_update",
        entry.entry_id,
        people["admin"].id,
        incident_id=opened["incident_id"],
        status="dispatched",
        unit="CAI-7",
    )
    await call(hass, "cancel", entry.entry_id, people["admin"].id, reason="prueba")
    await call(hass, "trigger", entry.entry_id, people["ana"].id, kind="silent")
    return entry


async def test_an_administrator_gets_everything_with_personal_data(
    hass: HomeAssistant, people: dict[str, MockUser]
) -> None:
    """Both incidents, in order, with the response time, names, house and note."""
    entry = await _front_with_two_alarms(hass, people)
    answer = await call(hass, "export_incidents", entry.entry_id, people["admin"].id)
    assert answer is not None
    assert answer["personal_data"] is True
    assert answer["count"] == 2
    first, second = answer["incidents"]
    assert (first["kind"], second["kind"]) == ("panic", "silent")
    assert first["state"] == "cancelled"
    assert first["dispatched_at"] is not None
    assert first["response_seconds"] >= 0
    assert first["sender_names"] == "Luis Gómez"
    assert first["note"] == "moto"
    assert second["sender_houses"] == "Casa 3"
    assert second["state"] == "triggered"  # no police link on this front


async def test_a_coordinator_gets_the_front_without_personal_data_as_csv(
    hass: HomeAssistant, people: dict[str, MockUser]
) -> None:
    """Ana: both incidents (duress included), no names, houses, phones or notes."""
    entry = await _front_with_two_alarms(hass, people)
    answer = await call(
        hass, "export_incidents", entry.entry_id, people["ana"].id, format="csv"
    )
    assert answer is not None
    assert answer["personal_data"] is False
    rows = list(csv.DictReader(io.StringIO(str(answer["csv"]))))
    assert [row["kind"] for row in rows] == ["panic", "silent"]
    assert "sender_names" not in rows[0]
    text = str(answer["csv"])
    for personal in ("Luis", "Ana", "Casa", "+5731099", "moto"):
        assert personal not in text


async def test_residents_and_unnamed_fronts_are_refused(
    hass: HomeAssistant, people: dict[str, MockUser]
) -> None:
    """Luis may not export; a coordinator must name the front; periods must be periods."""
    entry = await _front_with_two_alarms(hass, people)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "export_incidents", entry.entry_id, people["luis"].id)
    assert err.value.translation_key == "not_allowed"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "export_incidents",
            {},
            blocking=True,
            context=Context(user_id=people["ana"].id),
            return_response=True,
        )
    assert err.value.translation_key == "front_required"
    now = dt_util.now()
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "export_incidents",
            entry.entry_id,
            people["admin"].id,
            since=now.isoformat(),
            until=(now - timedelta(hours=1)).isoformat(),
        )
    assert err.value.translation_key == "invalid_period"


async def test_an_administrator_exports_every_front_and_a_period(
    hass: HomeAssistant, people: dict[str, MockUser]
) -> None:
    """No front named: every loaded front; ``since`` after the alarms: none of them."""
    await _front_with_two_alarms(hass, people)
    answer = await hass.services.async_call(
        DOMAIN,
        "export_incidents",
        {},
        blocking=True,
        context=Context(user_id=people["admin"].id),
        return_response=True,
    )
    assert answer is not None
    assert answer["count"] == 2
    later = (dt_util.now() + timedelta(minutes=1)).isoformat()
    answer = await hass.services.async_call(
        DOMAIN,
        "export_incidents",
        {"since": later},
        blocking=True,
        context=Context(user_id=people["admin"].id),
        return_response=True,
    )
    assert answer is not None
    assert answer["count"] == 0
