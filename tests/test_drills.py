"""The monthly drill in HA: the reminder on the front's day, and each drill's report.

Real phones (registered through mobile_app, pushing to a real gateway on 127.0.0.1):
on the drill day at 10:00 Ana (the coordinator) is reminded and Luis (a resident) is not;
a drill that ends leaves its report as a persistent notification, and ``drill_report``
gives it to coordinators and administrators only.
"""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_fire_time_changed,
)

from custom_components.mi_frente_seguro.const import DOMAIN
from custom_components.mi_frente_seguro.flows.front import validate_options
from custom_components.mi_frente_seguro.runtime.drills import report_notification_id
from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from .const import FRONT_ID
from .frente.dispatch.receiver import Receiver, wait_until
from .helpers import call, member, members_front
from .police import police_front
from .push import PushGateway
from .test_companion_app import gateway, phones  # noqa: F401  (fixtures)


async def _front(hass: HomeAssistant, **options: object) -> MockConfigEntry:
    await hass.config.async_set_time_zone("America/Bogota")  # the drill hour is local
    ana = member("person.ana_perez", "Ana Pérez", "coordinator")
    return await members_front(
        hass, member("person.luis_gomez", "Luis Gómez"), ana, **options
    )


def _notifications(
    hass: HomeAssistant,
) -> dict[str, persistent_notification.Notification]:
    return persistent_notification._async_get_or_create_notifications(hass)  # noqa: SLF001


async def test_the_coordinator_is_reminded_on_the_drill_day_at_ten(
    hass: HomeAssistant,
    people: dict[str, MockUser],
    gateway: PushGateway,  # noqa: F811
    phones: dict[str, tuple[str, str]],  # noqa: F811
    freezer: FrozenDateTimeFactory,
) -> None:
    """Day 1 (the default) at 10:00: a notification and Ana's phone; not the day after."""
    freezer.move_to("2026-12-01 09:59:58-05:00")
    await _front(hass)
    freezer.move_to("2026-12-01 10:00:00-05:00")
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    reminder = _notifications(hass)[f"{DOMAIN}_drill_reminder_{FRONT_ID}"]
    assert reminder["title"] == "Monthly drill — Calle Real"
    (push,) = gateway.to(phones["ana"][1])
    assert push["title"] == "Monthly drill — Calle Real"
    assert gateway.to(phones["luis"][1]) == []
    persistent_notification.async_dismiss(hass, f"{DOMAIN}_drill_reminder_{FRONT_ID}")
    freezer.move_to("2026-12-02 10:00:00-05:00")
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert f"{DOMAIN}_drill_reminder_{FRONT_ID}" not in _notifications(hass)
    assert len(gateway.to(phones["ana"][1])) == 1


async def test_no_reminder_when_the_drill_day_is_zero(
    hass: HomeAssistant, people: dict[str, MockUser], freezer: FrozenDateTimeFactory
) -> None:
    """drill_day 0: nothing at 10:00 on the 1st."""
    freezer.move_to("2026-12-01 09:59:58-05:00")
    await _front(hass, drill_day=0)
    freezer.move_to("2026-12-01 10:00:00-05:00")
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert f"{DOMAIN}_drill_reminder_{FRONT_ID}" not in _notifications(hass)


async def test_a_drill_that_ends_leaves_its_report(
    hass: HomeAssistant, people: dict[str, MockUser]
) -> None:
    """Luis's drill, dispatched and closed: its report names him and the unit."""
    entry = await _front(hass)
    admin, ana, luis = (people[name].id for name in ("admin", "ana", "luis"))
    opened = await call(hass, "trigger", entry.entry_id, luis, kind="drill")
    assert opened is not None
    drill_id = opened["incident_id"]
    await call(
        hass,
        "police_update",
        entry.entry_id,
        admin,
        incident_id=drill_id,
        status="dispatched",
        unit="CAI-7",
        eta_minutes=4,
    )
    assert report_notification_id(drill_id) not in _notifications(hass)
    await call(hass, "close", entry.entry_id, ana, note="todo bien")
    await hass.async_block_till_done()
    report = _notifications(hass)[report_notification_id(drill_id)]
    assert report["title"] == "Drill report — Calle Real"
    assert "Luis Gómez pressed (an action)." in report["message"]
    assert "The police dispatched CAI-7 (ETA 4 min)." in report["message"]
    assert "The drill was closed. todo bien" in report["message"]

    answer = await call(hass, "drill_report", entry.entry_id, ana)
    assert answer is not None
    assert answer["incident_id"] == drill_id
    assert answer["report"] == report["message"]
    assert [step["what"] for step in answer["steps"]] == [
        "press",
        "state.dispatched",
        "state.closed",
    ]
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "drill_report", entry.entry_id, luis)
    assert err.value.translation_key == "not_allowed"


async def test_drill_report_refuses_alarms_and_fronts_without_drills(
    hass: HomeAssistant, people: dict[str, MockUser]
) -> None:
    """No drill yet: no_drill; an alarm's id: not_a_drill; a made-up id: unknown."""
    entry = await _front(hass)
    admin = people["admin"].id
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "drill_report", entry.entry_id, admin)
    assert err.value.translation_key == "no_drill"
    alarm = await call(hass, "trigger", entry.entry_id, admin)
    assert alarm is not None
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "drill_report",
            entry.entry_id,
            admin,
            incident_id=alarm["incident_id"],
        )
    assert err.value.translation_key == "not_a_drill"
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "drill_report", entry.entry_id, admin, incident_id="nope")
    assert err.value.translation_key == "unknown_incident"


@pytest.mark.parametrize(
    ("given", "stored", "error"),
    [(0, 0, None), (28, 28, None), (7.0, 7, None), (29, None, "invalid_number"),
     (float("nan"), None, "invalid_number"), ("x", None, "invalid_number")],
)  # fmt: skip
def test_the_drill_day_field_is_checked(
    given: object, stored: int | None, error: str | None
) -> None:
    """0-28 stored as a whole day; anything else an error on the field, never a crash."""
    options, errors = validate_options(
        {
            "cuadrante_phone": "3001234567",
            "coordinator_name": "Ana",
            "coordinator_phone": "3009876543",
            "drill_day": given,
        }
    )
    assert options["drill_day"] == stored
    assert errors.get("drill_day") == error


async def test_the_report_times_each_destination_and_the_siren(
    hass: HomeAssistant, people: dict[str, MockUser], receiver: Receiver
) -> None:
    """A drill delivered to the police: the report says when, in seconds after the press."""
    entry = await police_front(hass, receiver.url)
    opened = await call(
        hass, "trigger", entry.entry_id, people["luis"].id, kind="drill"
    )
    assert opened is not None
    ledger = entry.runtime_data.incidents.ledger
    # The proof of delivery is recorded once the outbox has read the receiver's 2xx and
    # committed it: after the receiver has the alert, so wait for that, not for the POST.
    await wait_until(
        lambda: any(
            delivery.get("status") == "delivered"
            for delivery in ledger.receipts.of(opened["incident_id"]).values()
        )
    )
    await call(hass, "close", entry.entry_id, people["ana"].id, note="ok")
    await hass.async_block_till_done()
    answer = await call(hass, "drill_report", entry.entry_id, people["ana"].id)
    assert answer is not None
    delivered = [step for step in answer["steps"] if step["what"] == "delivered"]
    assert len(delivered) == 1
    assert delivered[0]["destination"] == entry.runtime_data.dispatch.names["police"]
    assert int(delivered[0]["after_s"]) >= 0
    assert "took the alert" in answer["report"]
    assert "The siren did not sound" in answer["report"]
    assert "(+0 s)" in answer["report"]
