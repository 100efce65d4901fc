"""The benchmarks' Home Assistant: a real ``hass`` process with N fronts and the hand-built chain.

Its configuration is a typical box's (recorder, history, logbook, frontend, mobile_app,
warnings-only logging) plus the hand-built chain (``handbuilt``). The ``mfs_bench_probe``
component (``scripts/benchmarks/probe``) measures the event loop's lag from inside. Every
front is added through HA's config-flow REST API, with its street kit on the benchmark's
Mosquitto and its police link on the benchmark's receiver, exactly as a coordinator does
it from the UI.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
import time
from typing import Any

import aiohttp

from custom_components.mi_frente_seguro.frente.dispatch.signing import WebhookSecret
from custom_components.mi_frente_seguro.frente.front import make_front_id
from scripts.harness.demo_front import DEMO_FRONT
from scripts.harness.ha import HaProcess, link_component, prepare_config
from scripts.harness.ha_client import HaClient
from scripts.harness.process import free_port

from .handbuilt import add_handbuilt_chain, configuration

USER = "bench"
PASSWORD = "bench-password"  # noqa: S105  (a throw-away local login)
PROBE = Path(__file__).with_name("probe")
SETTLE = 3.0  # s for a new front's background work (its kit link) before reading memory


@dataclass(slots=True)
class BenchFront:
    """One front added to the benchmark's HA."""

    number: int
    front_id: str
    entry_id: str
    secret: str
    setup_s: float  # the config flow's last step: the entry created and set up
    entities: dict[str, str] = field(default_factory=dict)  # entity ids by key

    @property
    def panic_button(self) -> str:
        """Return the entity id of the front's Pánico button."""
        return self.entities["panic_button"]


class BenchHa:
    """Start the benchmark's HA and add fronts, the MQTT integration and a phone."""

    def __init__(self, folder: Path, receiver_url: str, broker_port: int) -> None:
        """Everything HA writes goes under ``folder``."""
        self.folder = folder
        self.receiver_url = receiver_url
        self.broker_port = broker_port
        self.process = HaProcess(folder / "ha", free_port())
        self.client: HaClient | None = None
        self.fronts: list[BenchFront] = []
        self.phone_webhook = ""
        self.census_types: list[
            tuple[str, int]
        ] = []  # the last census's commonest garbage

    @property
    def api(self) -> HaClient:
        """Return the logged-in client."""
        assert self.client is not None
        return self.client

    async def start(self, session: aiohttp.ClientSession) -> None:
        """Write the configuration, start ``hass`` and log in."""
        config_dir = self.process.config_dir
        await asyncio.get_running_loop().run_in_executor(
            None,
            lambda: prepare_config(
                config_dir,
                {USER: PASSWORD},
                base_yaml=configuration(self.receiver_url),
            ),
        )
        automations = config_dir / "automations.yaml"
        if not automations.exists():
            automations.write_text("[]\n", encoding="utf-8")
        link_component(config_dir, PROBE, "mfs_bench_probe")
        await self.process.start()
        self.client = await HaClient.connect(session, self.process.url, USER, PASSWORD)

    async def stop(self) -> None:
        """Stop HA."""
        if self.client is not None:
            await self.client.close()
        await self.process.stop()

    def rss_mib(self) -> float:
        """Return HA's resident memory in MiB (from /proc)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS in /proc status")

    async def add_handbuilt_mqtt(self) -> None:
        """Set the hand-built chain up: HA's MQTT integration and the automation."""
        await add_handbuilt_chain(self.api, self.broker_port)

    async def add_front(self, number: int, *, police: bool = True) -> BenchFront:
        """Add front ``number`` through the config flow and link it to the receiver."""
        flow = await self.api.rest(
            "POST", "/api/config/config_entries/flow", {"handler": "mi_frente_seguro"}
        )
        path = f"/api/config/config_entries/flow/{flow['flow_id']}"
        fields = {**DEMO_FRONT, "name": f"Banco {number:02d}"}
        await self.api.rest("POST", path, fields)
        started = time.perf_counter()
        result = await self.api.rest(
            "POST",
            path,
            {
                "broker_host": "127.0.0.1",
                "broker_port": self.broker_port,
                "broker_tls": False,
                "topic_base": "mfs",
            },
        )
        setup_s = time.perf_counter() - started
        if result["type"] != "create_entry":
            raise RuntimeError(f"front {number} was not created: {result}")
        front = BenchFront(
            number,
            make_front_id(str(DEMO_FRONT["barrio"]), f"Banco {number:02d}"),
            str(result["result"]["entry_id"]),
            WebhookSecret.generate().export(),
            setup_s,
        )
        if police:
            await self.link_police(front)
        self.fronts.append(front)
        return front

    async def link_police(self, front: BenchFront) -> None:
        """Point the front's police link at the receiver and wait for the reload."""
        await self.api.options_flow(
            front.entry_id,
            "police",
            {
                "police_url": f"{self.receiver_url}/alerts/{front.front_id}",
                "police_format": "json",
                "police_secret": front.secret,
                "escalation_delay": 60,
            },
        )
        await self.api.wait_for_police_link(front.entry_id)
        front.entities = await self._entities(front.front_id)

    async def _entities(self, front_id: str) -> dict[str, str]:
        keys = ("panic_button", "incident")
        wanted = {f"{front_id}-{key}": key for key in keys}
        async with asyncio.timeout(30):
            while True:
                registry = await self.api.ws("config/entity_registry/list")
                found = {
                    wanted[item["unique_id"]]: str(item["entity_id"])
                    for item in registry
                    if item["unique_id"] in wanted
                }
                if len(found) == len(keys):
                    return found
                await asyncio.sleep(0.2)

    async def reload_s(self, front: BenchFront) -> float:
        """Reload a front (unload, then set up again) and return how long it took."""
        started = time.perf_counter()
        await self.api.rest(
            "POST", f"/api/config/config_entries/entry/{front.entry_id}/reload"
        )
        return time.perf_counter() - started

    async def register_phone(self) -> None:
        """Register a phone through HA's real mobile_app API, as the companion app does."""
        answer = await self.api.rest(
            "POST",
            "/api/mobile_app/registrations",
            {
                "app_id": "io.homeassistant.companion.android",
                "app_name": "Home Assistant",
                "app_version": "2026.11",
                "device_name": "Banco",
                "manufacturer": "Google",
                "model": "Pixel 9",
                "os_name": "Android",
                "os_version": "16",
                "supports_encryption": False,
            },
        )
        self.phone_webhook = str(answer["webhook_id"])

    async def app_call(self, domain: str, service: str, data: dict[str, Any]) -> None:
        """Call an action through the phone's webhook, as a widget or tile does."""
        async with self.api.session.post(
            f"{self.process.url}/api/webhook/{self.phone_webhook}",
            json={
                "type": "call_service",
                "data": {"domain": domain, "service": service, "service_data": data},
            },
        ) as response:
            response.raise_for_status()

    async def action(self, domain: str, service: str, **data: Any) -> Any:
        """Call an action over REST and return its response."""
        return await self.api.rest(
            "POST", f"/api/services/{domain}/{service}?return_response", data
        )

    async def state(self, entity_id: str) -> dict[str, Any]:
        """Return an entity's state over REST."""
        state: dict[str, Any] = await self.api.rest("GET", f"/api/states/{entity_id}")
        return state

    async def outbox_depth(self, front: BenchFront) -> int:
        """Return how many police messages wait in the front's outbox (its diagnostics).

        The outbox sensor is a diagnostic disabled by default: the box under test keeps
        its defaults.
        """
        path = f"/api/diagnostics/config_entry/{front.entry_id}"
        diagnostics = await self.api.rest("GET", path)
        return int(diagnostics["data"]["police"]["depth"] or 0)

    async def census_start(self) -> None:
        """Collect HA's garbage, then pause its collector (``mfs_bench_probe``)."""
        await self.api.rest("POST", "/api/mfs_bench_probe/census_start")

    async def census_stop(self) -> int:
        """Return the unreachable objects made since ``census_start``; resume the GC."""
        answer = await self.api.rest("POST", "/api/mfs_bench_probe/census_stop")
        self.census_types = [(str(name), int(n)) for name, n in answer["types"]]
        return int(answer["garbage"])

    async def objects_start(self) -> None:
        """Collect, then count HA's live objects (``mfs_bench_probe``)."""
        await self.api.rest("POST", "/api/mfs_bench_probe/objects_start")

    async def objects_stop(self) -> tuple[int, list[tuple[str, int]]]:
        """Return how many more objects HA keeps alive than at ``objects_start``."""
        answer = await self.api.rest("POST", "/api/mfs_bench_probe/objects_stop")
        kinds = [(str(name), int(n)) for name, n in answer["types"]]
        return int(answer["grown"]), kinds

    async def profile_start(self) -> None:
        """Start profiling HA, every thread (``mfs_bench_probe``)."""
        await self.api.rest("POST", "/api/mfs_bench_probe/profile_start")

    async def profile_stop(self) -> dict[str, list[list[Any]]]:
        """Stop profiling; return the top functions (own time, cumulative time)."""
        answer: dict[str, list[list[Any]]] = await self.api.rest(
            "POST", "/api/mfs_bench_probe/profile_stop"
        )
        return answer

    async def probe_start(self) -> None:
        """Start sampling the event loop's lag inside HA."""
        await self.api.rest("POST", "/api/mfs_bench_probe/start")

    async def probe_stop(self) -> tuple[list[float], list[float]]:
        """Stop sampling; return the loop lags and the GC pauses (ms)."""
        answer = await self.api.rest("POST", "/api/mfs_bench_probe/stop")
        return (
            [float(value) for value in answer["lag_ms"]],
            [float(value) for value in answer["gc_ms"]],
        )
