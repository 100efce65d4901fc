"""The kit simulator speaks the kit protocol to a real broker, and HA understands it."""

from __future__ import annotations

import asyncio
import sys

import aiomqtt

from homeassistant.core import HomeAssistant
from scripts.harness.kit_simulator import KitSimulator
from scripts.harness.mosquitto import Mosquitto

from .const import ENTRY_DATA, ENTRY_OPTIONS, FRONT_ID, broker_data
from .helpers import front_entry, state_of, wait_for


async def test_simulated_kit_with_ha(hass: HomeAssistant, broker: Mosquitto) -> None:
    """Announce, telemetry, press -> incident -> siren command obeyed and reported."""
    entry = front_entry(
        data={**ENTRY_DATA, **broker_data(broker.port)},
        options={**ENTRY_OPTIONS, "siren_duration": 1},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    async with aiomqtt.Client(
        "127.0.0.1",
        broker.port,
        identifier="kit-sim",
        will=KitSimulator.will(FRONT_ID),
    ) as client:
        kit = KitSimulator(client, FRONT_ID)
        obey = asyncio.create_task(kit.obey())
        try:
            await kit.announce()
            await wait_for(
                hass, lambda: state_of(hass, "sensor", "kit-battery").state == "100"
            )
            await kit.press()
            await wait_for(
                hass, lambda: state_of(hass, "siren", "kit-siren").state == "on"
            )
            assert kit.commands[0]["state"] == "ON"
            # The kit turns itself off after the duration and reports it.
            await wait_for(
                hass,
                lambda: state_of(hass, "siren", "kit-siren").state == "off",
                timeout=5,
            )
        finally:
            obey.cancel()
    assert entry.runtime_data.incidents.book.open_incident is not None
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_cli_presses_and_last_will(broker: Mosquitto) -> None:
    """The command line kit presses N times; when it exits the broker says offline."""
    async with aiomqtt.Client(
        "127.0.0.1", broker.port, identifier="watcher"
    ) as watcher:
        await watcher.subscribe(f"mfs/{FRONT_ID}/#", qos=1)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "scripts.harness.kit_simulator",
            "--front",
            FRONT_ID,
            "--port",
            str(broker.port),
            "--press",
            "2",
            "--exit",
            "--linger",
            "0.2",
            stdout=asyncio.subprocess.PIPE,
        )
        seen: list[tuple[str, bytes]] = []
        async with asyncio.timeout(15):
            async for message in watcher.messages:
                assert isinstance(message.payload, bytes)
                seen.append((str(message.topic).rsplit("/", 1)[-1], message.payload))
                if [t for t, _ in seen].count("panic") == 2:
                    break
        stdout, _ = await process.communicate()
    assert process.returncode == 0
    assert b"online" in stdout
    assert ("availability", b"online") in seen
    assert [p for t, p in seen if t == "panic"] == [
        b'{"button": "b1", "seq": 1, "kind": "panic"}',
        b'{"button": "b1", "seq": 2, "kind": "panic"}',
    ]
