"""The benchmark run: every scenario at a scale, on real processes, into one set of figures.

    scripts/bench            full run, results written to docs/benchmarks.md
    scripts/bench --quick    a small run (tests/bench/test_bench_smoke.py runs it in pytest)

Everything is real and on 127.0.0.1: Mosquitto, a ``hass`` process with the integration
(fronts added through the config-flow API), the police receiver (``receiver``), the phone
(HA's mobile_app webhook), GStreamer RTSP cameras and ffmpeg. The hand-built chain a
coordinator would otherwise wire (HA's MQTT integration -> automation -> ``rest_command``)
runs in the same HA and is measured in the same run. Nothing here asserts a timing: the
figures are printed and written with their targets.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
import tempfile
from typing import Any

from consola.tests.pg import postgres_server
from scripts.harness.ha import ROOT

from .alarm import AlarmBench
from .city import run_city
from .destinations import destinations_down
from .evidence import evidence
from .garbage import garbage_per_press
from .ha import SETTLE, BenchHa
from .outage import outage
from .receiver import PoliceReceiver
from .report import render
from .stack import alarm_bench, bench_stack
from .stats import summary
from .storm import press_storm

RESULTS = ROOT / "docs" / "benchmarks.md"
RELOADS = 5


@dataclass(frozen=True, slots=True)
class Scale:
    """How big a run is."""

    memory_at: tuple[int, ...]  # fronts at which HA's memory is read (the last: total)
    alarm_fronts: int  # fronts the alarm scenarios press on
    presses: int  # per latency scenario
    rate: float  # presses per second in the latency scenarios
    burst: int  # presses in the burst
    burst_seconds: float
    outage_messages: int
    evidence_rounds: int
    garbage_presses: int  # per chain, one after the other, the collector paused
    garbage_settle: float  # s for the recorder to write a census window's rows
    storm: tuple[int, ...]  # presses on one incident at which a window is measured
    destination_alarms: int = 200  # alarms with one destination of three down


FULL = Scale(
    (1, 10, 50), 10, 500, 25.0, 1000, 10.0, 10_000, 10, 40, 6.0,
    (100, 1000, 5000, 10_000, 20_000),
)  # fmt: skip
QUICK = Scale((1, 3), 3, 30, 20.0, 60, 1.0, 120, 2, 3, 1.0, (100, 500), 10)


async def alarm_path(scale: Scale, scratch: Path) -> dict[str, Any]:
    """Set HA up with fronts, then run every alarm-path scenario on it."""
    async with bench_stack(scratch) as stack:
        figures: dict[str, Any] = {"cost": await cost(stack.ha, stack.receiver, scale)}
        await stack.ha.add_handbuilt_mqtt()
        await stack.ha.register_phone()
        async with alarm_bench(stack, "mfs-bench-publisher") as bench:
            figures |= await scenarios(bench, stack.ha, scale)
    return figures


async def cost(ha: BenchHa, receiver: PoliceReceiver, scale: Scale) -> dict[str, Any]:
    """Add fronts one by one (timing each set-up) and read HA's memory at checkpoints."""
    await asyncio.sleep(SETTLE)
    memory = {0: round(ha.rss_mib(), 1)}
    setups: list[float] = []
    for number in range(1, scale.memory_at[-1] + 1):
        front = await ha.add_front(number)
        receiver.add_front(front.front_id, front.secret)
        setups.append(front.setup_s * 1000)
        if number in scale.memory_at:
            await asyncio.sleep(SETTLE)
            memory[number] = round(ha.rss_mib(), 1)
    reloads = [await ha.reload_s(ha.fronts[0]) * 1000 for _ in range(RELOADS)]
    return {
        "setup_ms": summary(setups),
        "reload_ms": summary(reloads),
        "rss_mib": memory,
    }


async def scenarios(bench: AlarmBench, ha: BenchHa, scale: Scale) -> dict[str, Any]:
    """Latency (kit, app; ours and hand-built), burst, garbage (both), outage (ours)."""
    fronts = ha.fronts[: scale.alarm_fronts]
    warm = len(fronts)
    kit, app = bench.kit_press, bench.app_press
    for press, ours in ((kit, True), (bench.handbuilt_press, False)):
        await bench.latency(fronts, press, warm, scale.rate, ours=ours)
    for press, ours in ((app, True), (bench.app_handbuilt, False)):
        await bench.latency(fronts, press, warm, scale.rate, ours=ours)
    figures: dict[str, Any] = {"alarm_fronts": len(fronts)}
    for name, press, ours in (
        ("kit_ours", kit, True),
        ("kit_handbuilt", bench.handbuilt_press, False),
        ("app_ours", app, True),
        ("app_handbuilt", bench.app_handbuilt, False),
    ):
        result = await bench.latency(
            fronts, press, scale.presses, scale.rate, ours=ours
        )
        figures[name] = result.report()
    for name, ours in (("burst_ours", True), ("burst_handbuilt", False)):
        figures[name] = await bench.burst(
            fronts, scale.burst, scale.burst_seconds, ours=ours
        )
    figures["garbage"] = await garbage_per_press(
        bench, fronts, scale.garbage_presses, scale.garbage_settle
    )
    figures["outage"] = await outage(bench, fronts, scale.outage_messages)
    return figures


async def measure(scale: Scale, scratch: Path) -> dict[str, Any]:
    """Run every benchmark at ``scale`` in ``scratch``; return the figures.

    The city uplink (two consoles on PostgreSQL) runs in the full run only; its slice is
    consola/tests/test_city_bench.py.
    """
    figures: dict[str, Any] = {}
    if scale is FULL:
        with postgres_server() as dsn:
            figures["city"] = await run_city(scratch / "city", dsn)
    figures["evidence"] = await evidence(scale.evidence_rounds, scratch)
    figures["storm"] = await press_storm(scale.storm[-1], scale.storm, scratch)
    figures["destinations"] = await destinations_down(scale.destination_alarms, scratch)
    figures |= await alarm_path(scale, scratch)
    return figures


async def run(quick: bool, output: Path | None) -> str:
    """Run the benchmarks, print the report (and write it to ``output``), return it."""
    scale = QUICK if quick else FULL
    with tempfile.TemporaryDirectory(prefix="mfs-bench-") as folder:
        figures = await measure(scale, Path(folder))
    text = render(figures, quick=quick, rate=scale.rate)
    print(text)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    return text
