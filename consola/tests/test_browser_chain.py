"""The whole chain in a real browser: a real Home Assistant front, the console, an operator.

The demo stack (scripts/harness: a real ``hass`` with the integration, Mosquitto, the street
kit simulator, four RTSP cameras served through ffmpeg) sends its alerts and its cameras'
stills to this console (in place of the reference console), which knows the front by its
id and secret. The kit's button is pressed; the operator, logged in in Debian's Chromium,
sees the alarm on the live screen with its photos (decoded) and its place on the live map,
opens it from the map's marker (the incident's map shows the front),
and sends ``dispatched`` with unit and ETA; the front's HA shows the patrol on its incident
sensor. The press -> on-screen time is printed, never asserted (scripts/bench measures it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
import re
import time

import aiohttp
from aiohttp import web
from playwright.async_api import Browser, expect
import pytest

from consola.runtime import Console, Settings
from consola.storage.db import open_database
from consola.web.app import create_app
from scripts.harness.ha_client import HaClient
from scripts.harness.stack import DemoStack

from .conftest import OPERATOR, seed
from .helpers import FRONT_ID
from .test_browser import decoded_picture, log_in, open_page

pytestmark = pytest.mark.browser
WAIT_MS = (
    120_000  # an upper bound on a loaded machine (cameras, HA), never a measurement
)


class FrontWithConsole(DemoStack):
    """The demo front, sending to this console instead of the reference one."""

    def __init__(self, folder: Path, database_url: str) -> None:
        """Serve the console on the stack's console port, from ``database_url``."""
        super().__init__(folder)
        self.database_url = database_url
        self.runner: web.AppRunner | None = None

    async def start_console(self) -> None:
        """Register the front (its webhook, its secret) and serve the console."""
        hook = await self.webhook_id()
        database = open_database(self.database_url)
        seed(
            database,
            secret=self.secret,
            webhook_url=f"{self.hass.url}/api/webhook/{hook}",
        )
        console = Console(Settings(self.database_url, port=self.console_port), database)
        self.runner = web.AppRunner(create_app(console), shutdown_timeout=0.5)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.console_port).start()

    async def stop(self) -> None:
        """Stop the console, then every process."""
        if self.runner is not None:
            await self.runner.cleanup()
        await super().stop()


@pytest.fixture
async def front(sqlite_url: str, tmp_path: Path) -> AsyncIterator[FrontWithConsole]:
    """Start the front and the console, stopped after the test."""
    stack = FrontWithConsole(tmp_path / "stack", sqlite_url)
    try:
        yield stack
    finally:
        await stack.stop()


async def incident_state(client: HaClient) -> dict[str, object]:
    """Return the front's incident sensor state (found by its unique id)."""
    registry = await client.ws("config/entity_registry/list")
    (entity_id,) = [
        item["entity_id"]
        for item in registry
        if item["unique_id"] == f"{FRONT_ID}-incident"
    ]
    state: dict[str, object] = await client.rest("GET", f"/api/states/{entity_id}")
    return state


async def test_press_on_a_real_front_reaches_the_operator_and_back(
    browser: Browser,
    front: FrontWithConsole,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    """Press -> live screen with photos -> dispatched -> the front's HA shows it."""
    async with aiohttp.ClientSession() as session:
        client = await front.start(session)
        page = await open_page(browser, tmp_path)
        page.set_default_timeout(WAIT_MS)
        await log_in(page, front.console_url, *OPERATOR)
        await expect(page.locator("h1")).to_have_text("Alarmas en vivo")
        await expect(page.locator("#link.ok")).to_be_visible()  # the push stream

        pressed = time.monotonic()
        await front.press()
        row = page.locator("tr[id^=incidente-]").first
        await expect(row).to_contain_text("Calle Real", timeout=WAIT_MS)
        shown = time.monotonic() - pressed
        record_property("press_to_live_screen_s", round(shown, 3))
        print(f"press -> live screen: {shown:.2f} s")  # noqa: T201  (a figure, not a check)
        await expect(row.locator("img.thumb").first).to_be_visible(timeout=WAIT_MS)
        await decoded_picture(
            page, "tr[id^=incidente-] img.thumb"
        )  # the cameras' stills
        photo = time.monotonic() - pressed
        record_property("press_to_first_photo_s", round(photo, 3))
        print(f"press -> first photo: {photo:.2f} s")  # noqa: T201

        await expect(page.locator("#live-map")).to_have_attribute("data-markers", "1")
        await page.locator("#live-map path.leaflet-interactive").click()  # opens it
        await expect(page).to_have_url(re.compile(r"/incidentes/\d+$"))
        await expect(page.locator("#map")).to_have_attribute(
            "data-markers", re.compile(r"[1-9]")
        )  # the front at least (a kit press has no sender's GPS)
        await page.fill("#answer-dispatched input[name=unit]", "Patrulla 12")
        await page.fill("#answer-dispatched input[name=eta_minutes]", "6")
        await page.click("#answer-dispatched button")
        await expect(
            page.locator("#answers tr[data-delivery=delivered]")
        ).to_contain_text("Patrulla 12", timeout=WAIT_MS)

        deadline = time.monotonic() + WAIT_MS / 1000
        state = await incident_state(client)
        while state["state"] != "dispatched" and time.monotonic() < deadline:
            await page.wait_for_timeout(250)
            state = await incident_state(client)
        assert state["state"] == "dispatched", state
        attributes = state["attributes"]
        assert isinstance(attributes, dict)
        assert (attributes["unit"], attributes["eta_minutes"]) == ("Patrulla 12", 6)
        await client.close()
