"""The chaos run's Home Assistant: a real ``hass`` with one front, killed and started again.

The front is added through HA's config-flow REST API with its street kit on the run's
Mosquitto and its police link on the run's receiver, exactly as a coordinator does it from
the UI; then HA is stopped cleanly once, so that everything HA itself keeps (config
entries, users) is on disk before the first SIGKILL. Each later start may carry a kill
plan for the ``mfs_chaos_probe`` component (``scripts/chaos_run/probe``), which this
configuration loads.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
import json
import os
from pathlib import Path
import signal
from typing import Any

import aiohttp
from standardwebhooks import Webhook

from custom_components.mi_frente_seguro.frente.dispatch.signing import WebhookSecret
from scripts.harness.demo_front import DEMO_FRONT
from scripts.harness.ha import (
    HaProcess,
    light_config,
    link_component,
    police_webhook_id,
    prepare_config,
)
from scripts.harness.ha_client import HaClient
from scripts.harness.process import free_port

from .probe.points import ARMED, ENV, MARKER, KillPlan

USER = "chaos"
PASSWORD = "chaos-password"  # noqa: S105  (a throw-away local login)
PROBE = Path(__file__).with_name("probe")
PROBE_DOMAIN = "mfs_chaos_probe"
# Each start of hass imports all of HA: with PYTHONDONTWRITEBYTECODE (set on these
# machines) and a venv without .pyc files that compiles HA from source every time (about
# 3x slower). The run's hass keeps its bytecode in a cache of its own, outside the repo.
PYCACHE = (
    Path(os.environ.get("MFS_CACHE") or Path.home() / ".cache" / "mi-frente-seguro")
    / "chaos-pycache"
)
CONFIGURATION = light_config(
    "Mi Frente Seguro (chaos)",
    """\
logger:
  default: warning
  logs:
    custom_components.mi_frente_seguro: info
    custom_components.mfs_chaos_probe: info
mfs_chaos_probe:
""",
    "Written by scripts/chaos: a light box, the integration and the chaos probe.",
)


class ChaosHa:
    """Set the front up once, then start ``hass`` with a kill plan, again and again."""

    def __init__(self, folder: Path) -> None:
        """Everything HA writes goes under ``folder / "ha"``."""
        self.process = HaProcess(folder / "ha", free_port())
        self.config_dir = self.process.config_dir  # HA's configuration folder
        self.secret = WebhookSecret.generate().export()
        self.entry_id = ""
        self.webhook_id = ""
        self.starts = 0

    async def prepare(
        self, session: aiohttp.ClientSession, broker_port: int, police_url: str
    ) -> None:
        """Write the configuration, add the front with its kit and police link, stop."""
        config_dir = self.config_dir
        await asyncio.get_running_loop().run_in_executor(
            None,
            lambda: prepare_config(
                config_dir, {USER: PASSWORD}, base_yaml=CONFIGURATION
            ),
        )
        link_component(config_dir, PROBE, PROBE_DOMAIN)
        if not await self.start(None):
            raise RuntimeError(f"hass did not start; see {self.process.log_path}")
        client = await self.client(session)
        broker = {"broker_host": "127.0.0.1", "broker_port": broker_port}
        created = await client.add_front(DEMO_FRONT, broker)
        self.entry_id = str(created["result"]["entry_id"])
        await client.options_flow(
            self.entry_id,
            "police",
            {
                "police_url": police_url,
                "police_format": "json",
                "police_secret": self.secret,
                "escalation_delay": 60,
            },
        )
        await client.wait_for_police_link(self.entry_id)
        await client.close()
        await self.process.stop()  # cleanly: HA's own stores are written
        self.webhook_id = await asyncio.get_running_loop().run_in_executor(
            None, self._read_webhook_id
        )

    def _read_webhook_id(self) -> str:
        hook = police_webhook_id(self.config_dir, self.entry_id)
        if hook is None:
            raise RuntimeError(f"no police webhook for {self.entry_id} in HA's storage")
        return hook

    async def start(self, plan: KillPlan | None) -> bool:
        """Start hass with ``plan``; return False if it died (-9) before answering."""
        self.process.env = {
            "PYTHONDONTWRITEBYTECODE": "",
            "PYTHONPYCACHEPREFIX": str(PYCACHE),
        }
        if plan is not None:
            self.process.env[ENV] = str(plan)
        (self.config_dir / ARMED).unlink(missing_ok=True)
        self.starts += 1
        try:
            await self.process.start()
        except RuntimeError:
            if self.process.returncode == -signal.SIGKILL:
                return False
            raise
        return True

    def kill(self) -> None:
        """SIGKILL hass (the driver's own kill, for ``mid_post``)."""
        self.process.kill()

    async def wait_dead(self) -> int:
        """Wait until hass has exited; return its status."""
        return await self.process.wait()

    async def stop(self) -> None:
        """Stop hass cleanly if it runs."""
        await self.process.stop()

    async def client(self, session: aiohttp.ClientSession) -> HaClient:
        """Return a client logged in as the run's admin, once HA is running."""
        return await HaClient.connect(session, self.process.url, USER, PASSWORD)

    def armed(self) -> dict[str, Any] | None:
        """Return what the probe says it armed in this run (None: not armed)."""
        path = self.config_dir / ARMED
        if not path.exists():
            return None
        armed: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return armed

    def kills(self) -> list[dict[str, Any]]:
        """Return the probe's kill marks so far, oldest first."""
        path = self.config_dir / MARKER
        if not path.exists():
            return []
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line]

    async def cancel(self, client: HaClient, reason: str) -> bool:
        """Cancel the front's open incident; return False if there was none."""
        try:
            await client.rest(
                "POST",
                "/api/services/mi_frente_seguro/cancel",
                {"config_entry_id": self.entry_id, "reason": reason},
            )
        except RuntimeError as err:
            if "-> 400" in str(err):  # no open incident (all cancelled already)
                return False
            raise
        return True

    async def police_signal(self, session: aiohttp.ClientSession) -> int:
        """Make a signed police call (unknown incident: 404) that says "we are back"."""
        body = json.dumps(
            {"version": "1", "incident_id": "0" * 26, "status": "received"}
        )
        message_id = f"chaos-{os.urandom(8).hex()}"
        now = datetime.now(UTC)
        headers = {
            "Content-Type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Webhook(self.secret).sign(message_id, now, body),
        }
        url = f"{self.process.url}/api/webhook/{self.webhook_id}"
        async with session.post(url, data=body, headers=headers) as response:
            return response.status
