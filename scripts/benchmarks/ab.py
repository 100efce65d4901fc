"""A/B of one alarm round between two copies of the integration: HA's CPU, and the p50.

    python -m scripts.benchmarks.ab COMPONENT_DIR [ROUNDS]

starts the benchmark's HA (``ha.py``) with ``COMPONENT_DIR`` (a ``mi_frente_seguro`` folder:
this tree's, or another commit's checked out with ``git worktree add``) as the integration,
adds one front with its police link, and runs ``ROUNDS`` kit alarm rounds at 5 per second
(press -> signed alert at the receiver -> cancel -> the cancel at the receiver). It prints
the HA process's CPU time per round (user + system, from /proc: other load on the machine
barely moves it) and the press -> police p50. Run the two copies in turn, twice each:
wall-clock figures move with whatever else the machine does, CPU per round much less.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
import sys
import tempfile

import aiohttp
import aiomqtt

from scripts.harness import ha as harness
from scripts.harness.mosquitto import Mosquitto

from .alarm import AlarmBench
from .ha import SETTLE, BenchHa
from .receiver import PoliceReceiver

RATE = 5.0  # rounds started per second
WARM = 20  # rounds before the measured ones
TICKS = os.sysconf("SC_CLK_TCK")


class _BenchHaWithoutProbe(BenchHa):
    """The benchmark's HA without the loop probe's sampling (not needed here)."""

    async def probe_start(self) -> None:
        """Sample nothing."""

    async def probe_stop(self) -> tuple[list[float], list[float]]:
        """Return no lag and no pause."""
        return [0.0], [0.0]


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system) process ``pid`` has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def measure(component: Path, rounds: int) -> dict[str, object]:
    """Return CPU ms per round and the p50 for the integration in ``component``."""
    harness.COMPONENT = component  # what prepare_config links into HA's config
    scratch = Path(tempfile.mkdtemp(prefix="mfs-ab-"))
    receiver = PoliceReceiver()
    receiver.start()
    broker = Mosquitto(scratch / "mosquitto")
    ha = _BenchHaWithoutProbe(scratch, receiver.url, broker.port)
    try:
        await broker.start()
        async with aiohttp.ClientSession() as session:
            await ha.start(session)
            front = await ha.add_front(1)
            receiver.add_front(front.front_id, front.secret)
            await asyncio.sleep(SETTLE)
            async with aiomqtt.Client(
                "127.0.0.1", broker.port, identifier="mfs-ab"
            ) as mqtt:
                bench = AlarmBench(ha, receiver, mqtt)
                receiver.on_arrival = bench.on_arrival
                await bench.latency([front], bench.kit_press, WARM, RATE, ours=True)
                pid = ha.process.pid
                before = cpu_seconds(pid)
                result = await bench.latency(
                    [front], bench.kit_press, rounds, RATE, ours=True
                )
                used = cpu_seconds(pid) - before
    finally:
        await ha.stop()
        await broker.stop()
        receiver.stop()
    values = sorted(result.values_ms)
    return {
        "component": str(component),
        "rounds": rounds,
        "cpu_ms_per_round": round(1000 * used / rounds, 2),
        "p50_ms": round(values[len(values) // 2], 2),
        "lost": result.lost,
    }


def main() -> None:
    """Measure the copy named on the command line; print the figures as JSON."""
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 200  # noqa: PLR2004
    print(json.dumps(asyncio.run(measure(Path(sys.argv[1]), rounds))))  # noqa: T201


if __name__ == "__main__":
    main()
