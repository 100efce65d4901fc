"""Benchmark probe: measures the lag of Home Assistant's own event loop, from inside it.

Loaded only into the HA process that ``scripts/bench`` starts (never shipped with the
integration). A sampler sleeps ``INTERVAL`` s again and again and records how late each
wake-up was: a loop busy with our work wakes it late, so the lateness is the event-loop lag
every other callback (UI, automations, other integrations) felt at that moment. It also
records the Python garbage collector's pauses (``gc.callbacks``): they stop the loop too,
and explain most long lags.

    POST /api/mfs_bench_probe/start   start sampling (clears earlier samples)
    POST /api/mfs_bench_probe/stop    stop; return {"lag_ms": [...], "gc_ms": [...], ...}

It also counts the garbage a workload leaves for the collector: objects in reference
cycles, which reference counting cannot free. ``census_start`` collects, then pauses the
collector; ``census_stop`` collects again and returns how many unreachable objects that
collection found and their commonest types ({"garbage": n, "types": [[name, n], ...]}),
and turns the collector back on (also after
``CENSUS_LIMIT`` s if no stop comes). ``objects_start`` / ``objects_stop`` count what a
workload leaves alive instead: how many more objects the collector tracks (and must scan
on every full pass) after it than before, by type ({"grown": n, "types": [...]}).

And it profiles the process: ``cProfile`` (on ``sys.monitoring`` since Python 3.12) sees
every thread, the event loop, the executor's database work and the recorder alike, and
counts a thread's blocking waits as time: ``profile_start`` starts it,
``profile_stop`` ends it and returns the functions that used the most time by their own
code, with their callees, and the integration's own by the latter ({"own": [...],
"cumulative": [...], "integration": [...], "events": [...]}, each entry ``[calls,
seconds, "file:line(function)"]``; the events' ``[count, 0, "type"]``, state writes as
``"state_changed entity_id"``).
"""

from __future__ import annotations

import asyncio
from collections import Counter
import cProfile
import gc
from http import HTTPStatus
import pstats
import time
from typing import Any

from aiohttp import web

from homeassistant.const import EVENT_STATE_CHANGED, MATCH_ALL
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.http import HomeAssistantView
from homeassistant.helpers.typing import ConfigType

DOMAIN = "mfs_bench_probe"
CONFIG_SCHEMA = cv.empty_config_schema(DOMAIN)
INTERVAL = 0.005  # s between wake-ups
CENSUS_LIMIT = 120.0  # s the collector may stay paused for a census


class LagSampler:
    """Wake up every INTERVAL s and record how late each wake-up was."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Sample ``hass``'s loop."""
        self.hass = hass
        self.lags: list[float] = []
        self.pauses: list[float] = []  # garbage-collector pauses, ms
        self._gc_started = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start (again) with no samples."""
        self.stop()
        self.lags, self.pauses = [], []
        gc.callbacks.append(self._on_gc)
        self._task = self.hass.async_create_background_task(
            self._run(), "mfs_bench_probe lag sampler"
        )

    def stop(self) -> tuple[list[float], list[float]]:
        """Stop sampling; return the lags and the GC pauses in milliseconds."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        return self.lags, self.pauses

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.pauses.append((time.perf_counter() - self._gc_started) * 1000)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(INTERVAL)
            self.lags.append(max(0.0, loop.time() - before - INTERVAL) * 1000)


class GarbageCensus:
    """Count the objects only the garbage collector frees, made during a window."""

    TYPES = 30  # the commonest types of that garbage, returned with the count

    def __init__(self, hass: HomeAssistant) -> None:
        """Census ``hass``'s process."""
        self.hass = hass
        self._limit: asyncio.TimerHandle | None = None

    def start(self) -> None:
        """Collect what is there, then pause the collector."""
        self._resume()
        gc.collect()
        gc.disable()
        self._limit = self.hass.loop.call_later(CENSUS_LIMIT, self._resume)

    def stop(self) -> tuple[int, list[tuple[str, int]]]:
        """Return the unreachable objects made since ``start`` and their commonest types.

        The collection runs before the collector is switched back on, so no automatic
        collection takes part of the window's garbage first. It keeps what it finds
        (``DEBUG_SAVEALL``) just long enough to count it by type, then lets it go.
        """
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            found = gc.collect()
            kinds = Counter(_kind(item) for item in gc.garbage)
        finally:
            gc.garbage.clear()
            gc.set_debug(0)
            self._resume()
        return found, kinds.most_common(self.TYPES)

    def _resume(self) -> None:
        if self._limit is not None:
            self._limit.cancel()
            self._limit = None
        gc.enable()


class LiveObjects:
    """Count what a workload leaves alive: the objects the collector must scan from then on.

    Every object the collector tracks is scanned by its full passes, so the growth of
    that count per press is what makes HA's longest pauses longer and likelier. Both
    counts come after a collection, so garbage is not counted as alive.
    """

    TYPES = 30  # the types that grew the most, returned with the growth

    def __init__(self) -> None:
        """Count nothing yet."""
        self._before: Counter[str] = Counter()

    @staticmethod
    def _count() -> Counter[str]:
        gc.collect()
        return Counter(_type_name(item) for item in gc.get_objects())

    def start(self) -> int:
        """Collect, then count the live objects by type; return how many there are."""
        self._before = self._count()
        return self._before.total()

    def stop(self) -> tuple[int, list[tuple[str, int]]]:
        """Return how many more live objects there are than at ``start``, and by type."""
        after = self._count()
        grown = after - self._before
        return after.total() - self._before.total(), grown.most_common(self.TYPES)


class Profiler:
    """cProfile over the process (every thread), between a start and a stop.

    It also counts the bus events fired meanwhile, by type, and the state writes by
    entity: what a press makes the recorder and every listener handle.
    """

    TOP = 40  # functions in each list

    def __init__(self, hass: HomeAssistant) -> None:
        """Profile nothing yet."""
        self.hass = hass
        self._profile: cProfile.Profile | None = None
        self._events: Counter[str] = Counter()
        self._unlisten: CALLBACK_TYPE | None = None

    @callback
    def _count(self, event: Event) -> None:
        if event.event_type == EVENT_STATE_CHANGED:
            self._events[f"state_changed {event.data.get('entity_id')}"] += 1
        else:
            self._events[str(event.event_type)] += 1

    def start(self) -> None:
        """Start profiling (again, from nothing)."""
        self.stop()
        self._events.clear()
        self._unlisten = self.hass.bus.async_listen(MATCH_ALL, self._count)
        self._profile = cProfile.Profile()
        self._profile.enable()

    def stop(self) -> dict[str, list[list[Any]]]:
        """Stop; return the top functions by own and by cumulative time, and events."""
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        if self._profile is None:
            return {"own": [], "cumulative": [], "integration": [], "events": []}
        self._profile.disable()
        stats = pstats.Stats(self._profile)
        self._profile = None
        rows = [
            (calls, own, cumulative, f"{file}:{line}({name})")
            for (file, line, name), (_, calls, own, cumulative, _) in
            stats.stats.items()  # type: ignore[attr-defined]
        ]  # fmt: skip
        ours = [r for r in rows if "mi_frente_seguro" in r[3]]
        return {
            "own": [[r[0], round(r[1], 4), r[3]] for r in
                    sorted(rows, key=lambda r: -r[1])[: self.TOP]],
            "cumulative": [[r[0], round(r[2], 4), r[3]] for r in
                           sorted(rows, key=lambda r: -r[2])[: self.TOP]],
            "integration": [[r[0], round(r[2], 4), r[3]] for r in
                            sorted(ours, key=lambda r: -r[2])[: self.TOP]],
            "events": [[n, 0, kind] for kind, n in self._events.most_common()],
        }  # fmt: skip


def _type_name(item: object) -> str:
    """Return an object's type by module and name (no attribute of the object is read)."""
    kind = type(item)
    return f"{kind.__module__}.{kind.__qualname__}"


def _kind(item: object) -> str:
    """Return an object's type name; a frame's or traceback's with where its code is."""
    name = _type_name(item)
    code = getattr(getattr(item, "tb_frame", item), "f_code", None)
    if code is None:
        return name
    where = "/".join(code.co_filename.rsplit("/", 3)[-3:])
    return f"{name} @ {where}:{code.co_name}"


class ProbeView(HomeAssistantView):
    """The sampler and the census over HTTP (an administrator's token is required)."""

    url = "/api/mfs_bench_probe/{action}"
    name = "api:mfs_bench_probe"

    def __init__(
        self,
        sampler: LagSampler,
        census: GarbageCensus,
        profiler: Profiler,
        alive: LiveObjects,
    ) -> None:
        """Serve ``sampler``, ``census``, ``profiler`` and ``alive``."""
        self.sampler = sampler
        self.census = census
        self.profiler = profiler
        self.alive = alive

    async def post(self, request: web.Request, action: str) -> web.Response:
        """Start or stop sampling or a census."""
        if action == "census_start":
            self.census.start()
            return self.json({"started": True})
        if action == "census_stop":
            found, kinds = self.census.stop()
            return self.json({"garbage": found, "types": kinds})
        if action == "objects_start":
            return self.json({"objects": self.alive.start()})
        if action == "objects_stop":
            grown, kinds = self.alive.stop()
            return self.json({"grown": grown, "types": kinds})
        if action == "profile_start":
            self.profiler.start()
            return self.json({"started": True})
        if action == "profile_stop":
            return self.json(self.profiler.stop())
        if action == "start":
            self.sampler.start()
            return self.json({"started": True})
        if action == "stop":
            lags, pauses = self.sampler.stop()
            return self.json(
                {"lag_ms": lags, "gc_ms": pauses, "interval_ms": INTERVAL * 1000}
            )
        return self.json_message("unknown action", HTTPStatus.NOT_FOUND)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the probe's HTTP view."""
    hass.http.register_view(
        ProbeView(LagSampler(hass), GarbageCensus(hass), Profiler(hass), LiveObjects())
    )
    return True
