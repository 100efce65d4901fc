"""Benchmark probe: measures the lag of Home Assistant's own event loop, from inside it.

Loaded only into the HA process that ``scripts/bench`` starts (never shipped with the
integration). A sampler sleeps ``INTERVAL`` s again and again and records how late each
wake-up was: a loop busy with our work wakes it late, so the lateness is the event-loop lag
every other callback (UI, automations, other integrations) felt at that moment.

    POST /api/mfs_bench_probe/start   start sampling (clears earlier samples)
    POST /api/mfs_bench_probe/stop    stop and return {"lag_ms": [...], "interval_ms": ...}
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus

from aiohttp import web

from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.http import HomeAssistantView
from homeassistant.helpers.typing import ConfigType

DOMAIN = "mfs_bench_probe"
CONFIG_SCHEMA = cv.empty_config_schema(DOMAIN)
INTERVAL = 0.005  # s between wake-ups


class LagSampler:
    """Wake up every INTERVAL s and record how late each wake-up was."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Sample ``hass``'s loop."""
        self.hass = hass
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start (again) with no samples."""
        self.stop()
        self.lags = []
        self._task = self.hass.async_create_background_task(
            self._run(), "mfs_bench_probe lag sampler"
        )

    def stop(self) -> list[float]:
        """Stop sampling and return the lags in milliseconds."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        return self.lags

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(INTERVAL)
            self.lags.append(max(0.0, loop.time() - before - INTERVAL) * 1000)


class ProbeView(HomeAssistantView):
    """Start and stop the sampler over HTTP (an administrator's token is required)."""

    url = "/api/mfs_bench_probe/{action}"
    name = "api:mfs_bench_probe"

    def __init__(self, sampler: LagSampler) -> None:
        """Serve ``sampler``."""
        self.sampler = sampler

    async def post(self, request: web.Request, action: str) -> web.Response:
        """Start or stop sampling."""
        if action == "start":
            self.sampler.start()
            return self.json({"started": True})
        if action == "stop":
            lags = self.sampler.stop()
            return self.json({"lag_ms": lags, "interval_ms": INTERVAL * 1000})
        return self.json_message("unknown action", HTTPStatus.NOT_FOUND)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the probe's HTTP view."""
    hass.http.register_view(ProbeView(LagSampler(hass)))
    return True
