"""Ley 1581 in HA: a member's data exported exactly, forgotten from the file, kept no longer.

Luis and Ana both press the same alarm; Luis's export holds only his presses, and after
``forget_member`` his name, phone, house and user id are nowhere in the front's SQLite
file, while the figures every resident sees stay the same.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from .helpers import call, member, members_front, state_of

LUIS_PHONE = "+573001112233"


def _file_bytes(path: Path) -> bytes:
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def _front(hass: HomeAssistant) -> MockConfigEntry:
    ana = member(
        "person.ana_perez",
        "Ana Pérez",
        "coordinator",
        house="Casa 3",
        phone="+573109998877",
    )
    return await members_front(hass, member("person.luis_gomez", "Luis Gómez"), ana)


async def _luis_export(
    hass: HomeAssistant, entry_id: str, user_id: str
) -> dict[str, Any]:
    """Return Luis's data as ``export_member_data`` gives it to ``user_id``."""
    exported = await call(
        hass, "export_member_data", entry_id, user_id, person="person.luis_gomez"
    )
    assert exported is not None
    return exported


async def test_export_holds_exactly_one_members_data(
    hass: HomeAssistant, people: dict[str, MockUser]
) -> None:
    """Luis's export: his record, his two presses; nothing of Ana's."""
    entry_id = (await _front(hass)).entry_id
    await call(hass, "trigger", entry_id, people["luis"].id, note="moto roja")
    await call(hass, "trigger", entry_id, people["ana"].id)
    await call(hass, "trigger", entry_id, people["luis"].id)
    exported = await _luis_export(hass, entry_id, people["admin"].id)
    assert exported["person"] == "person.luis_gomez"
    assert exported["member"] == {
        "name": "Luis Gómez",
        "house": "Casa 12",
        "phone": LUIS_PHONE,
        "role": "resident",
        "authorization": None,  # added before Ley 1581's step: shown as missing
    }
    presses = exported["presses"]
    assert [item["sender"]["name"] for item in presses] == ["Luis Gómez", "Luis Gómez"]
    assert presses[0]["note"] == "moto roja"
    assert "Ana" not in repr(exported)
    assert "+573109998877" not in repr(exported)


async def test_only_a_manager_may_export_or_forget(
    hass: HomeAssistant, people: dict[str, MockUser]
) -> None:
    """Luis (a resident) may not read or forget Ana; Ana (a coordinator) may."""
    entry_id = (await _front(hass)).entry_id
    for action in ("export_member_data", "forget_member"):
        with pytest.raises(ServiceValidationError) as err:
            await call(
                hass, action, entry_id, people["luis"].id, person="person.ana_perez"
            )
        assert err.value.translation_key == "not_allowed"
    assert await _luis_export(hass, entry_id, people["ana"].id)


async def test_forget_takes_a_member_out_of_the_file_and_keeps_the_figures(
    hass: HomeAssistant, people: dict[str, MockUser]
) -> None:
    """After forget_member: not in the SQLite file, not a member, the counts unchanged."""
    entry = await _front(hass)
    entry_id = entry.entry_id
    await call(hass, "trigger", entry_id, people["luis"].id, note="moto roja")
    await call(hass, "trigger", entry_id, people["ana"].id)
    await call(hass, "cancel", entry_id, people["ana"].id, reason="prueba")
    await call(hass, "trigger", entry_id, people["luis"].id)
    await hass.async_block_till_done()
    figures = {
        key: state_of(hass, "sensor", key).state
        for key in ("incidents_this_month", "false_alarms_this_month")
    }
    path = entry.runtime_data.incidents.ledger.store.path
    assert b"Luis G" in _file_bytes(path)

    answer = await call(
        hass, "forget_member", entry_id, people["ana"].id, person="person.luis_gomez"
    )
    assert answer == {"incidents": 2, "member_removed": True}
    await hass.async_block_till_done()
    data = _file_bytes(path)
    for secret in (b"Luis G", LUIS_PHONE.encode(), b"Casa 12", b"moto roja",
                   people["luis"].id.encode(), b"person.luis_gomez"):  # fmt: skip
        assert secret not in data, secret
    assert b"Ana P" in data
    assert not any(
        subentry.data.get("person") == "person.luis_gomez"
        for subentry in entry.subentries.values()
    )
    assert {key: state_of(hass, "sensor", key).state for key in figures} == figures
    exported = await _luis_export(hass, entry_id, people["admin"].id)
    assert (exported["member"], exported["presses"]) == (None, [])


async def test_closed_incidents_past_the_retention_are_deleted(
    hass: HomeAssistant, people: dict[str, MockUser], freezer: FrozenDateTimeFactory
) -> None:
    """Closed incidents go once they ended longer ago than the retention; open ones stay.

    The front deletes them when it starts (here: its reload after the options change)
    and every night.
    """
    entry = await _front(hass)
    entry_id = entry.entry_id
    await call(hass, "trigger", entry_id, people["luis"].id)
    await call(hass, "close", entry_id)
    freezer.tick(timedelta(days=31))
    await call(hass, "trigger", entry_id, people["ana"].id)  # still open: kept
    assert len(entry.runtime_data.incidents.book.all()) == 2

    hass.config_entries.async_update_entry(
        entry, options={**entry.options, "incident_retention_days": 30}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    book = entry.runtime_data.incidents.book
    assert entry.runtime_data.settings.evidence.incident_retention_days == 30
    assert [item.is_open for item in book.all()] == [True]
