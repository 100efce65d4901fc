"""The whole chain on one machine, driven only through public interfaces.

Kit press (MQTT) -> incident in a real hass -> siren ON on MQTT -> signed alert at the police
console -> evidence update with four stills -> the console sends 'dispatched' -> HA shows unit
and ETA -> closed. Then a press sent while HA is down is dispatched once HA is back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import json
from pathlib import Path
from typing import Any

import aiohttp
import aiomqtt
import pytest

from scripts.harness.demo_front import FRONT_ID
from scripts.harness.ha_client import HaClient
from scripts.harness.stack import DemoStack

pytestmark = pytest.mark.e2e


async def eventually[T](check: Callable[[], Awaitable[T]], timeout: float = 60) -> T:
    """Poll ``check`` until it returns something truthy."""
    async with asyncio.timeout(timeout):
        while not (result := await check()):
            await asyncio.sleep(0.25)
        return result


async def incident_state(client: HaClient) -> dict[str, Any]:
    """Return the front's incident sensor as HA's REST API shows it."""
    registry = await client.ws("config/entity_registry/list")
    entity_id = next(
        item["entity_id"]
        for item in registry
        if item["unique_id"] == f"{FRONT_ID}-incident"
    )
    state: dict[str, Any] = await client.rest("GET", f"/api/states/{entity_id}")
    return state


async def test_press_to_police_and_back(socket_enabled: None, tmp_path: Path) -> None:
    """The demo's chain end to end, and a press while HA is down."""
    stack = DemoStack(tmp_path / "stack")
    try:
        await stack.start_services()
        await stack.start_hass()
        async with (
            aiohttp.ClientSession() as session,
            aiomqtt.Client(
                "127.0.0.1", stack.mosquitto.port, identifier="siren-watch"
            ) as watch,
        ):
            await watch.subscribe(f"mfs/{FRONT_ID}/siren/set", qos=1)
            client = await stack.client(session)
            await stack.configure_front(client)
            # The Spanish dashboard: every card's entity exists in HA.
            board = await client.ws("lovelace/config", url_path="mi-frente-seguro")
            cards = board["views"][0]["cards"]
            shown = _entities(cards)
            assert len(shown) >= 15
            for entity_id in shown:
                assert (await client.rest("GET", f"/api/states/{entity_id}"))["state"]
            await stack.start_console()
            await stack.start_kit()

            await stack.press()
            async with asyncio.timeout(30):
                siren = await anext(aiter(watch.messages))
            assert isinstance(siren.payload, bytes)
            assert json.loads(siren.payload)["state"] == "ON"

            async def alert() -> list[Any]:
                return list((await stack.console_incidents(session))["incidents"])

            incidents = await eventually(alert)
            incident_id = incidents[0]["incident_id"]
            state = await eventually(
                lambda: _when(incident_state(client), lambda s: s["state"] == "sent")
            )
            assert state["attributes"]["incident_id"] == incident_id

            async def four_stills() -> bool:
                shown = (await alert())[0]
                cameras = {e["camera"] for e in shown.get("evidence", [])}
                return len(cameras) >= 4

            assert await eventually(four_stills, timeout=90)

            async with session.post(
                f"{stack.console_url}/api/incidents/{incident_id}/status",
                json={
                    "status": "dispatched",
                    "unit": "MECAR-E1-C3-12",
                    "eta_minutes": 4,
                },
            ) as response:
                answer = await response.json()
            assert answer["status_update"]["http_status"] == 200
            state = await eventually(
                lambda: _when(
                    incident_state(client), lambda s: s["state"] == "dispatched"
                )
            )
            assert state["attributes"]["unit"] == "MECAR-E1-C3-12"
            assert state["attributes"]["eta_minutes"] == 4

            async with session.post(
                f"{stack.console_url}/api/incidents/{incident_id}/status",
                json={"status": "closed", "note": "Sin novedad"},
            ) as response:
                assert (await response.json())["status_update"]["http_status"] == 200
            await eventually(
                lambda: _when(incident_state(client), lambda s: s["state"] == "closed")
            )
            await client.close()

        # HA goes down; the kit presses; HA comes back and the alarm still reaches the police.
        await stack.hass.stop()
        await stack.press()
        await asyncio.sleep(1)
        await stack.hass.start()
        async with aiohttp.ClientSession() as session:
            client = await stack.client(session)

            async def second_incident() -> bool:
                shown = (await stack.console_incidents(session))["incidents"]
                return len(shown) >= 2

            assert await eventually(second_incident, timeout=90)
            state = await incident_state(client)
            assert state["attributes"]["incident_id"] != incident_id
            assert state["attributes"]["source"] == "physical_button"
            await client.close()
    finally:
        await stack.stop()


async def _when(
    value: Awaitable[dict[str, Any]], test: Callable[[dict[str, Any]], bool]
) -> dict[str, Any] | None:
    result = await value
    return result if test(result) else None


def _entities(cards: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for card in cards:
        if "entity" in card:
            found.add(card["entity"])
        for item in card.get("entities", []):
            found.add(item if isinstance(item, str) else item["entity"])
        found |= _entities(card.get("cards", []))
    return found
