"""The whole front on one machine: broker, street kit, cameras, police console and a real HA.

Used by ``scripts/develop`` (the demo), ``scripts/screenshots`` and the end-to-end tests.
Everything listens on 127.0.0.1 only; every process is a
:class:`~scripts.harness.process.ManagedProcess`, and :meth:`DemoStack.stop` stops them all.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
import sys
from typing import Any

import aiohttp

from custom_components.mi_frente_seguro.frente.dispatch.signing import WebhookSecret

from .demo_front import (
    CAMERA_NAMES,
    DASHBOARD,
    DASHBOARD_KEYS,
    DEMO_FRONT,
    DEMO_PASSWORD,
    DEMO_USER,
    FRONT_ID,
)
from .ha import HaProcess, police_webhook_id, prepare_config
from .ha_client import HaClient
from .mosquitto import Mosquitto
from .process import ManagedProcess, free_port
from .rtsp import RtspCameras


class DemoStack:
    """Start and stop the demo's processes, and set the demo front up through HA's APIs."""

    def __init__(
        self, folder: Path, ha_port: int | None = None, ha_config: Path | None = None
    ) -> None:
        """Everything the stack writes goes under ``folder`` (HA's config: ``ha_config``)."""
        self.folder = folder
        self.mosquitto = Mosquitto(folder / "mosquitto")
        self.cameras = RtspCameras(folder / "rtsp.log", cameras=4)
        self.hass = HaProcess(ha_config or folder / "ha", ha_port or free_port())
        self.console_port = free_port()
        self.secret = WebhookSecret.generate().export()
        self.console: ManagedProcess | None = None
        self.kit: ManagedProcess | None = None
        self.entry_id: str | None = None

    @property
    def console_url(self) -> str:
        """Return the police console's address."""
        return f"http://127.0.0.1:{self.console_port}"

    def summary(self) -> str:
        """Return where everything listens, for the demo's banner."""
        return (
            f"  Home Assistant   {self.hass.url}   login {DEMO_USER} / {DEMO_PASSWORD}\n"
            f"  Police console   {self.console_url}\n"
            f"  MQTT broker      127.0.0.1:{self.mosquitto.port}\n"
            f"  Cameras          {self.cameras.url(1)} .. cam4"
        )

    async def start(self, session: aiohttp.ClientSession) -> HaClient:
        """Start everything and set the demo front up; return a logged-in HA client."""
        await self.start_services()
        await self.start_hass()
        client = await self.client(session)
        await self.configure_front(client)
        await self.start_console()
        await self.start_kit()
        return client

    async def start_services(self) -> None:
        """Start the broker and the cameras (HA comes after)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        await self.mosquitto.start()
        await self.cameras.start()

    async def start_hass(self) -> None:
        """Prepare the configuration (demo user) and start HA."""
        prepare_config(self.hass.config_dir, {DEMO_USER: DEMO_PASSWORD})
        await self.hass.start()

    async def client(self, session: aiohttp.ClientSession) -> HaClient:
        """Return a client logged in as the demo user, once HA is running."""
        return await HaClient.connect(session, self.hass.url, DEMO_USER, DEMO_PASSWORD)

    async def configure_front(self, client: HaClient) -> str:
        """Add the demo front (broker, four cameras, police link); return its entry id."""
        entries = await client.rest(
            "GET", "/api/config/config_entries/entry?domain=mi_frente_seguro"
        )
        await self.speak_spanish(client)
        # The police reach this HA at its loopback URL (the demo's console does): the
        # police step shows the full webhook URL built from it.
        await client.ws("config/core/update", external_url=self.hass.url)
        if entries:
            self.entry_id = str(entries[0]["entry_id"])
            return self.entry_id
        broker = {"broker_host": "127.0.0.1", "broker_port": self.mosquitto.port}
        created = await client.add_front(DEMO_FRONT, broker)
        self.entry_id = str(created["result"]["entry_id"])
        cameras = {
            f"cam{n}": {"name": name, "url": self.cameras.url(n)}
            for n, name in enumerate(CAMERA_NAMES, start=1)
        }
        await client.options_flow(
            self.entry_id,
            "cameras",
            {
                **cameras,
                "keyframe_buffer": True,
                "evidence_clip": False,
                "retention_days": 30,
            },
        )
        await client.options_flow(
            self.entry_id,
            "police",
            {
                "police_url": f"{self.console_url}/alerts",
                "police_format": "json",
                "police_secret": self.secret,
                "escalation_delay": 60,
            },
        )
        await self._wait_for_police_link(client)
        await self.create_dashboard(client)
        return self.entry_id

    async def _wait_for_entities(self, client: HaClient) -> None:
        """Wait until every entity the dashboard shows exists."""
        needed = {f"{FRONT_ID}-{key}" for key in DASHBOARD_KEYS}
        async with asyncio.timeout(90):
            while True:
                registry = await client.ws("config/entity_registry/list")
                ids = {
                    item["unique_id"]
                    for item in registry
                    if item["platform"] == "mi_frente_seguro"
                }
                if needed <= ids:  # platforms load one by one after a reload
                    return
                await asyncio.sleep(0.5)

    async def speak_spanish(self, client: HaClient) -> None:
        """Show the web UI in Spanish to the demo user (a per-user setting in HA)."""
        await client.ws(
            "frontend/set_user_data",
            key="language",
            value={"language": "es", "number_format": "language"},
        )

    async def create_dashboard(self, client: HaClient) -> None:
        """Create the front's dashboard from the integration's own ``dashboard`` action.

        What a coordinator gets in one step (docs/tablero.md), so the demo and the README's
        screenshot show the product's dashboard, not a hand-made one.
        """
        dashboards = await client.ws("lovelace/dashboards/list")
        if not any(item["url_path"] == DASHBOARD for item in dashboards):
            await client.ws(
                "lovelace/dashboards/create",
                url_path=DASHBOARD,
                title="Mi Frente Seguro",
                icon="mdi:shield-home",
                show_in_sidebar=True,
                require_admin=False,
                mode="storage",
            )
        await self._wait_for_entities(client)
        answer = await client.rest(
            "POST",
            "/api/services/mi_frente_seguro/dashboard?return_response",
            {"config_entry_id": self.entry_id},
        )
        await client.ws(
            "lovelace/config/save",
            url_path=DASHBOARD,
            config=answer["service_response"],
        )

    async def _wait_for_police_link(self, client: HaClient) -> None:
        """Wait until the front has reloaded with its police link and its cameras."""
        assert self.entry_id is not None
        reload_at = asyncio.get_running_loop().time() + 20
        async with asyncio.timeout(60):
            while True:
                if asyncio.get_running_loop().time() > reload_at:
                    # Two option changes in a row can race the first reload: reload once more.
                    reload_at += 1000
                    await client.rest(
                        "POST",
                        f"/api/config/config_entries/entry/{self.entry_id}/reload",
                    )
                diagnostics = await client.diagnostics(self.entry_id)
                police = diagnostics.get("police") or {}
                options = diagnostics.get("entry", {}).get("options", {})
                if police.get("endpoint") and "cameras" in options:
                    return
                await asyncio.sleep(0.25)

    async def webhook_id(self) -> str:
        """Read the front's police webhook id from HA's storage (HA saves it shortly)."""
        assert self.entry_id is not None
        async with asyncio.timeout(30):
            while (
                hook := police_webhook_id(self.hass.config_dir, self.entry_id)
            ) is None:
                await asyncio.sleep(0.2)
        return hook

    async def start_console(self) -> None:
        """Start the reference police console, answering to the front's webhook."""
        hook = await self.webhook_id()
        self.console = ManagedProcess(
            "police console",
            self.folder / "console.log",
            [sys.executable, "-m", "scripts.console", "--port", str(self.console_port),
             "--secret", self.secret,
             "--front-webhook", f"{self.hass.url}/api/webhook/{hook}"],
            ready_line="^police console on ",
            ready_timeout=20,
        )  # fmt: skip
        await self.console.start()

    async def start_kit(self) -> None:
        """Start the simulated street kit (presses come from its stdin)."""
        self.kit = ManagedProcess(
            "kit simulator",
            self.folder / "kit.log",
            [sys.executable, "-m", "scripts.harness.kit_simulator",
             "--front", FRONT_ID, "--port", str(self.mosquitto.port)],
            ready_line=r"^kit \S+ online",
            ready_timeout=20,
            stdin=True,
        )  # fmt: skip
        await self.kit.start()

    async def press(self, kind: str = "panic") -> None:
        """Press the street kit's button."""
        assert self.kit is not None
        await self.kit.send(f"press {kind}\n")

    async def console_incidents(self, session: aiohttp.ClientSession) -> dict[str, Any]:
        """Return what the police console shows (``incidents`` and ``rejected``)."""
        async with session.get(f"{self.console_url}/api/incidents") as response:
            view: dict[str, Any] = await response.json()
            return view

    async def stop(self) -> None:
        """Stop every process the stack started, the last started first."""
        for process in (
            self.kit,
            self.console,
            self.hass,
            self.cameras,
            self.mosquitto,
        ):
            if process is not None:
                await process.stop()
