"""Several destinations per front in HA: the migration, SIA and the phone, the flows.

Real components: the HTTP receiver on 127.0.0.1, the unmodified pysiaalarm receiver, a
real notify service of HA (registered by the test) and the front's SQLite file.
"""

from __future__ import annotations

import json
from typing import Any

from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.mi_frente_seguro.const import DOMAIN
from homeassistant.config_entries import SOURCE_USER, ConfigSubentryData
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from scripts.harness.ha import ROOT

from .const import ENTRY_DATA, ENTRY_OPTIONS
from .frente.dispatch.receiver import Receiver
from .frente.dispatch.sia.conftest import AES_128, pysia_receiver
from .helpers import call, front_entry, state_of, wait_for
from .police import NOWHERE, SECRET, police_front

ACCOUNT = "1A2B3C"


def destination(kind: str, title: str, **data: Any) -> ConfigSubentryData:
    """Return a destination subentry of ``kind``."""
    destination_id = data.pop("destination_id", title.lower().replace(" ", "_"))
    return ConfigSubentryData(
        data={"destination_id": destination_id, **data},
        subentry_type=kind,
        title=title,
        unique_id=destination_id,
    )


def phone_service(hass: HomeAssistant) -> list[ServiceCall]:
    """Register notify.cuadrante (a legacy notify action) and return its calls."""
    calls: list[ServiceCall] = []

    async def took(service: ServiceCall) -> None:
        calls.append(service)

    hass.services.async_register("notify", "cuadrante", took)
    return calls


async def test_an_old_entry_becomes_a_police_destination_keeping_its_secret(
    hass: HomeAssistant, receiver: Receiver
) -> None:
    """A 1.1 entry's police options become the ``police`` subentry, same secret."""
    entry = await police_front(hass, receiver.url)  # options as 1.1 stored them
    assert (entry.version, entry.minor_version) == (1, 2)
    (link,) = [s for s in entry.subentries.values() if s.subentry_type == "json"]
    assert link.unique_id == "police"
    assert link.data["destination_id"] == "police"
    assert link.data["police_url"] == receiver.url
    assert link.data["police_secret"] == SECRET
    for key in ("police_url", "police_format", "police_secret"):
        assert key not in entry.options
    assert entry.options["escalation_delay"] == 60
    assert entry.options["police_webhook_id"]
    await call(hass, "trigger", entry.entry_id)
    await wait_for(hass, lambda: receiver.accepted)
    assert receiver.requests[0].verified  # the receiver's secret did not change
    await wait_for(hass, lambda: state_of(hass, "sensor", "incident").state == "sent")
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_json_down_sia_and_phone_still_get_the_alarm(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    """The police endpoint is down: SIA and the phone take the alarm; it is sent."""
    calls = phone_service(hass)
    told = async_capture_events(hass, "mi_frente_seguro_incident")
    async with pysia_receiver(AES_128) as sia:
        entry = front_entry(
            data=dict(ENTRY_DATA),
            options={**ENTRY_OPTIONS, "escalation_delay": 60},
            minor_version=2,
            subentries_data=[
                destination("json", "Policía", destination_id="police",
                            police_url=NOWHERE, police_secret=SECRET),
                destination("sia", "Monitoreo", sia_host="127.0.0.1", sia_port=sia.port,
                            sia_account=ACCOUNT, sia_key=AES_128, sia_key_format="text",
                            sia_protocol="tcp", sia_content="SIA-DCS",
                            sia_link_test_interval=300),
                destination("phone", "Cuadrante", phone_target="notify.cuadrante"),
            ],
        )  # fmt: skip
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        await call(hass, "trigger", entry.entry_id, note="Robo")
        events = []
        while len(events) < 2:  # the first link test (RP) and the alarm (PA)
            events.append(await sia.next_event())
        assert "PA" in {event.code for event in events}
        await wait_for(hass, lambda: calls)
        text = calls[0].data["message"]
        assert text.startswith("ALERTA DE PÁNICO - Calle Real")
        assert "Mapa: https://maps.google.com/?q=" in text
        await wait_for(
            hass, lambda: state_of(hass, "sensor", "incident").state == "sent"
        )
        runtime = entry.runtime_data
        outboxes = runtime.dispatch.destinations.outboxes
        assert outboxes["police"].depth == 1  # still waiting for its endpoint
        # Proof of delivery: on the incident, in the event and in the diagnostics.
        await wait_for(
            hass,
            lambda: (
                {
                    e.data.get("destination")
                    for e in told
                    if e.data["change"] == "delivered"
                }
                == {"monitoreo", "cuadrante"}
            ),
        )
        delivered = [e for e in told if e.data["change"] == "delivered"][-1]
        assert delivered.data["deliveries"]["police"]["status"] == "pending"
        # One cause: the delivered and sent events carry the press's context (no fresh
        # context each, which would leave a reference cycle per event for the collector).
        assert {e.data["change"] for e in told} >= {"opened", "state", "delivered"}
        assert {e.context.id for e in told} == {told[0].context.id}
        documented = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
        for field in delivered.data:  # every field of the event is documented
            assert f"`{field}`" in documented
        for field in delivered.data["deliveries"]["police"]:
            assert (
                f"`{field}`" in documented.split("`delivered` and `not_delivered`")[1]
            )
        await wait_for(
            hass,
            lambda: (
                {
                    key: value["status"]
                    for key, value in state_of(hass, "sensor", "incident")
                    .attributes["deliveries"]
                    .items()
                }
                == {
                    "police": "pending",
                    "monitoreo": "delivered",
                    "cuadrante": "delivered",
                }
            ),
        )
        deliveries = state_of(hass, "sensor", "incident").attributes["deliveries"]
        assert deliveries["monitoreo"]["status"] == "delivered"
        assert deliveries["monitoreo"]["name"] == "Monitoreo"
        assert deliveries["monitoreo"]["at"]
        assert deliveries["cuadrante"]["status"] == "delivered"
        assert deliveries["police"]["status"] == "pending"
        assert deliveries["police"]["error"]  # why not yet
        diagnostics = await _diagnostics(hass, entry)
        kinds = {d["id"]: d["kind"] for d in diagnostics["destinations"]}
        assert kinds == {"police": "json", "monitoreo": "sia", "cuadrante": "phone"}
        current = diagnostics["incidents"]["current"]
        assert current["deliveries"]["monitoreo"]["status"] == "delivered"
        dumped = json.dumps(diagnostics)
        assert AES_128 not in dumped and SECRET not in dumped
        assert await hass.config_entries.async_unload(entry.entry_id)


async def _diagnostics(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    from custom_components.mi_frente_seguro.diagnostics import (  # noqa: PLC0415
        async_get_config_entry_diagnostics,
    )

    return await async_get_config_entry_diagnostics(hass, entry)


async def _start(hass: HomeAssistant, entry: MockConfigEntry, kind: str) -> Any:
    return await hass.config_entries.subentries.async_init(
        (entry.entry_id, kind), context={"source": SOURCE_USER}
    )


async def test_destination_flows_check_every_field(
    hass: HomeAssistant, init_integration: MockConfigEntry, socket_enabled: None
) -> None:
    """JSON (secret generated, shown once), SIA and phone: errors, then created."""
    entry = init_integration
    result = await _start(hass, entry, "json")
    form = {"destination_name": "CAD", "police_url": "ftp://x"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], form
    )
    assert result["errors"] == {"police_url": "invalid_police_url"}
    form["police_url"] = "https://cad.example/alerts"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], form
    )
    assert result["step_id"] == "secret"
    assert result["description_placeholders"]["secret"].startswith("whsec_")
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY

    result = await _start(hass, entry, "sia")
    form = {
        "destination_name": "Monitoreo", "sia_host": "127.0.0.1", "sia_port": 12128,
        "sia_protocol": "tcp", "sia_account": "XYZ", "sia_key": "short",
        "sia_key_format": "text", "sia_content": "SIA-DCS", "sia_link_test_interval": 60,
    }  # fmt: skip
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], form
    )
    assert result["errors"] == {
        "sia_account": "invalid_sia_account",
        "sia_key": "invalid_key",
    }
    form |= {"sia_account": "1a2b3c", "sia_key": AES_128}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], form
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["sia_account"] == "1A2B3C"

    result = await _start(hass, entry, "phone")
    form = {"destination_name": "Cuadrante", "phone_target": "notify.cuadrante"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], form
    )
    assert result["errors"] == {"phone_target": "unknown_phone_target"}
    phone_service(hass)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], form
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    kinds = sorted(s.subentry_type for s in entry.subentries.values())
    assert kinds == ["json", "phone", "sia"]
    assert entry.domain == DOMAIN
    await hass.config_entries.async_unload(entry.entry_id)


async def test_the_phone_gets_real_and_silent_alarms_and_cancels_never_drills(
    hass: HomeAssistant, caplog: Any
) -> None:
    """Drill: nothing. Silent: the neutral wording. A failing call is retried. No log."""
    calls: list[ServiceCall] = []
    failures = [HomeAssistantError("modem busy")]

    async def took(service: ServiceCall) -> None:
        if failures:
            raise failures.pop()
        calls.append(service)

    hass.services.async_register("notify", "cuadrante", took)
    told = async_capture_events(hass, "mi_frente_seguro_incident")
    entry = front_entry(
        data=dict(ENTRY_DATA),
        options={**ENTRY_OPTIONS, "escalation_delay": 60},
        minor_version=2,
        subentries_data=[
            destination("phone", "Cuadrante", phone_target="notify.cuadrante")
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    drill = await call(hass, "trigger", entry.entry_id, kind="drill")
    assert drill is not None
    await call(hass, "cancel", entry.entry_id, reason="fin del simulacro")
    silent = await call(hass, "trigger", entry.entry_id, kind="silent")
    assert silent is not None
    await wait_for(hass, lambda: calls, timeout=20)  # after one failed call, retried
    assert (
        calls[0]
        .data["message"]
        .startswith("ALERTA SILENCIOSA / posible coacción, no llame al remitente")
    )
    await call(hass, "cancel", entry.entry_id, reason="Falsa alarma")
    await wait_for(hass, lambda: len(calls) == 2, timeout=20)
    assert calls[1].data["message"].startswith("CANCELADA")
    outbox = entry.runtime_data.dispatch.destinations.outboxes["cuadrante"]
    await wait_for(hass, lambda: outbox.depth == 0)
    assert len(calls) == 2  # the drill and its cancel never went
    assert not [e for e in told if e.data["change"] in {"delivered", "not_delivered"}]
    assert "Calle Real (" not in caplog.text  # the text is never logged
    assert await hass.config_entries.async_unload(entry.entry_id)
