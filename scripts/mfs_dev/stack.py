"""The whole front on one machine: broker, street kit, cameras, police console and a real HA.

Used by ``scripts/develop`` (the demo) and the end-to-end tests. Everything listens on
127.0.0.1 only; every process is stopped by :meth:`DemoStack.stop`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
import sys
from typing import Any

import aiohttp

from custom_components.mi_frente_seguro.frente.dispatch.signing import WebhookSecret

from .ha import HaClient, HaProcess, free_port, prepare_config
from .mosquitto import Mosquitto
from .rtsp import RtspServer

DEMO_USER = "demo"
DEMO_PASSWORD = "frente-seguro"  # noqa: S105  (a local demo login, printed on purpose)
FRONT_ID = "manga_calle_real"
DEMO_FRONT = {
    "name": "Calle Real",
    "barrio": "Manga",
    "address": "Calle 26 # 20-15",
    "location": {"latitude": 10.4139, "longitude": -75.5364, "radius": 150},
    "cuadrante_code": "MECAR-E1-C3",
    "cuadrante_name": "Cuadrante 3 Manga",
    "cuadrante_phone": "300 123 4567",
    "coordinator_name": "Ana Pérez",
    "coordinator_phone": "310 765 4321",
}
CAMERA_NAMES = ["Esquina tienda", "Parque", "Calle 26", "Callejón"]
DASHBOARD = "mi-frente-seguro"
DASHBOARD_KEYS = (
    "alarm", "panic_button", "silent_button", "drill_button", "kit-siren", "incident",
    "police_status", "incidents_this_month", "false_alarms_this_month",
    "last_response_time", "mean_response_time_30d", "press", "cam1", "cam2", "cam3",
    "cam4",
)  # fmt: skip


def dashboard(ids: dict[str, str]) -> dict[str, Any]:
    """Return the demo front's dashboard, given entity ids by unique id."""

    def entity(key: str) -> str:
        return ids[f"{FRONT_ID}-{key}"]

    buttons = [
        {"type": "tile", "entity": entity(key), "vertical": True}
        for key in ("panic_button", "silent_button", "drill_button")
    ]
    cameras = [
        {"type": "picture-entity", "entity": entity(f"cam{n}"), "camera_view": "auto"}
        for n in range(1, 5)
    ]
    return {
        "title": "Mi Frente Seguro",
        "views": [
            {
                "title": "Frente Calle Real",
                "path": "frente",
                "icon": "mdi:shield-home",
                "cards": [
                    {"type": "alarm-panel", "entity": entity("alarm"), "states": []},
                    {"type": "horizontal-stack", "cards": buttons},
                    {"type": "tile", "entity": entity("kit-siren")},
                    {
                        "type": "entities",
                        "title": "Incidente",
                        "entities": [
                            entity("incident"),
                            entity("police_status"),
                            entity("incidents_this_month"),
                            entity("false_alarms_this_month"),
                            entity("last_response_time"),
                            entity("mean_response_time_30d"),
                        ],
                    },
                    {"type": "grid", "columns": 2, "square": False, "cards": cameras},
                    {
                        "type": "logbook",
                        "title": "Historial de incidentes",
                        "entities": [entity("incident"), entity("press")],
                        "hours_to_show": 168,
                    },
                ],
            }
        ],
    }


class DemoStack:
    """Start and stop the demo's processes, and set the demo front up through HA's APIs."""

    def __init__(
        self, folder: Path, ha_port: int | None = None, ha_config: Path | None = None
    ) -> None:
        """Everything the stack writes goes under ``folder`` (HA's config: ``ha_config``)."""
        self.folder = folder
        self.mosquitto = Mosquitto(folder / "mosquitto")
        self.cameras = RtspServer(folder / "rtsp.log", cameras=4)
        self.hass = HaProcess(ha_config or folder / "ha", ha_port or free_port())
        self.console_port = free_port()
        self.secret = WebhookSecret.generate().export()
        self.console: asyncio.subprocess.Process | None = None
        self.kit: asyncio.subprocess.Process | None = None
        self.entry_id: str | None = None

    @property
    def console_url(self) -> str:
        """Return the police console's address."""
        return f"http://127.0.0.1:{self.console_port}"

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
        await asyncio.get_running_loop().run_in_executor(None, self.cameras.start)

    async def start_hass(self) -> None:
        """Prepare the configuration (demo user) and start HA."""
        prepare_config(self.hass.config_dir, {DEMO_USER: DEMO_PASSWORD})
        await self.hass.start()

    async def client(self, session: aiohttp.ClientSession) -> HaClient:
        """Return a client logged in as the demo user, once HA is running."""
        client = HaClient(session, self.hass.url)
        await client.login(DEMO_USER, DEMO_PASSWORD)
        await client.wait_running()
        return client

    async def configure_front(self, client: HaClient) -> str:
        """Add the demo front (broker, four cameras, police link); return its entry id."""
        entries = await client.rest(
            "GET", "/api/config/config_entries/entry?domain=mi_frente_seguro"
        )
        await self.speak_spanish(client)
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

    async def _entity_ids(self, client: HaClient) -> dict[str, str]:
        """Return our entity ids by unique id, once every dashboard entity exists."""
        needed = {f"{FRONT_ID}-{key}" for key in DASHBOARD_KEYS}
        async with asyncio.timeout(90):
            while True:
                registry = await client.ws("config/entity_registry/list")
                ids = {
                    item["unique_id"]: item["entity_id"]
                    for item in registry
                    if item["platform"] == "mi_frente_seguro"
                }
                if needed <= ids.keys():  # platforms load one by one after a reload
                    return ids
                await asyncio.sleep(0.5)

    async def speak_spanish(self, client: HaClient) -> None:
        """Show the web UI in Spanish to the demo user (a per-user setting in HA)."""
        await client.ws(
            "frontend/set_user_data",
            key="language",
            value={"language": "es", "number_format": "language"},
        )

    async def create_dashboard(self, client: HaClient) -> None:
        """Create the Spanish dashboard of the front (alarm, siren, cameras, buttons)."""
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
        ids = await self._entity_ids(client)
        await client.ws(
            "lovelace/config/save", url_path=DASHBOARD, config=dashboard(ids)
        )

    async def _wait_for_police_link(self, client: HaClient) -> None:
        """Wait until the front has reloaded with its police link (per its diagnostics)."""
        path = f"/api/diagnostics/config_entry/{self.entry_id}"
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
                try:
                    diagnostics = await client.rest("GET", path)
                except RuntimeError:  # 4xx/5xx while the front reloads
                    diagnostics = None
                police = (diagnostics or {}).get("data", {}).get("police") or {}
                cameras = (diagnostics or {}).get("data", {}).get("entry", {})
                if police.get("endpoint") and "cameras" in cameras.get("options", {}):
                    return
                await asyncio.sleep(0.25)

    async def webhook_id(self) -> str:
        """Read the front's police webhook id from HA's storage (HA saves it shortly)."""
        path = self.hass.config_dir / ".storage" / "core.config_entries"
        async with asyncio.timeout(30):
            while True:
                if path.exists():
                    data = json.loads(path.read_text(encoding="utf-8"))
                    for entry in data["data"]["entries"]:
                        if entry["entry_id"] == self.entry_id and (
                            hook := entry["options"].get("police_webhook_id")
                        ):
                            return str(hook)
                await asyncio.sleep(0.2)

    async def start_console(self) -> None:
        """Start the reference police console, answering to the front's webhook."""
        hook = await self.webhook_id()
        self.console = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "scripts.mfs_dev.police_console",
            "--port",
            str(self.console_port),
            "--secret",
            self.secret,
            "--front-webhook",
            f"{self.hass.url}/api/webhook/{hook}",
            stdout=asyncio.subprocess.PIPE,
        )
        assert self.console.stdout is not None
        async with asyncio.timeout(20):
            await self.console.stdout.readline()  # the ready line

    async def start_kit(self) -> None:
        """Start the simulated street kit (presses come from its stdin)."""
        self.kit = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "scripts.mfs_dev.kit_simulator",
            "--front",
            FRONT_ID,
            "--port",
            str(self.mosquitto.port),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self.kit.stdout is not None
        async with asyncio.timeout(20):
            await self.kit.stdout.readline()  # "kit ... online"

    async def press(self, kind: str = "panic") -> None:
        """Press the street kit's button."""
        assert self.kit is not None
        assert self.kit.stdin is not None
        self.kit.stdin.write(f"press {kind}\n".encode())
        await self.kit.stdin.drain()

    async def console_incidents(self, session: aiohttp.ClientSession) -> dict[str, Any]:
        """Return what the police console shows (``incidents`` and ``rejected``)."""
        async with session.get(f"{self.console_url}/api/incidents") as response:
            view: dict[str, Any] = await response.json()
            return view

    async def stop(self) -> None:
        """Stop every process the stack started."""
        for process in (self.kit, self.console):
            if process is not None and process.returncode is None:
                process.terminate()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(10):
                        await process.wait()
                if process.returncode is None:
                    process.kill()
                    await process.wait()
        await self.hass.stop()
        await asyncio.get_running_loop().run_in_executor(None, self.cameras.stop)
        await self.mosquitto.stop()
