"""Benchmark 7: what an alarm leaves for HA's garbage collector: the objects only a collection frees.

The tails of the latency scenarios are the collector's pauses, and how often it runs
follows how much garbage the work makes. Objects in reference cycles (an HA event and a
context that point at each other, say) outlive reference counting and wait for it. Here
each chain presses ``count`` times one after the other with the collector paused inside
HA (``mfs_bench_probe``'s census), and one collection then counts what was left. An idle
window of the same length is subtracted, so HA's own background garbage is not counted.
Ours includes the cancellation each incident needs before the front presses again.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .alarm import AlarmBench, Latencies, Press
from .ha import BenchFront
from .tables import fmt

# s after the last press: the recorder's commit interval (5 s by default) and one more,
# so the rows it held for the window's states and events are written and released.
RECORDER_SETTLE = 6.0


async def garbage_per_press(
    bench: AlarmBench,
    fronts: list[BenchFront],
    count: int,
    settle: float = RECORDER_SETTLE,
) -> dict[str, Any]:
    """Return cyclic garbage per press for each chain, and the idle window's.

    A ``settle`` shorter than the recorder's commit interval (the quick run's) leaves
    some of the recorder's garbage uncounted.
    """
    idle = await census_window(bench, fronts, None, 0, settle, ours=False)
    chains: dict[str, tuple[Press, bool]] = {
        "kit_ours": (bench.kit_press, True),
        "kit_handbuilt": (bench.handbuilt_press, False),
        "app_ours": (bench.app_press, True),
        "app_handbuilt": (bench.app_handbuilt, False),
    }
    figures: dict[str, Any] = {"presses": count, "idle_window": idle}
    for name, (press, ours) in chains.items():
        found = await census_window(bench, fronts, press, count, settle, ours=ours)
        figures[name] = round(max(found - idle, 0) / count, 1)
    return figures


async def census_window(
    bench: AlarmBench,
    fronts: list[BenchFront],
    press: Press | None,
    count: int,
    settle: float,
    *,
    ours: bool,
) -> int:
    """Press ``count`` times, one after the other; return the garbage found."""
    result = Latencies()
    await bench.ha.census_start()
    try:
        for number in range(count):
            assert press is not None
            front = fronts[number % len(fronts)]
            await bench.one_round(front, number, press, result, ours=ours)
        await asyncio.sleep(settle)
    finally:
        found = await bench.ha.census_stop()
    if result.lost or result.uncancelled:
        raise RuntimeError(f"presses lost during the garbage census: {result}")
    return found


def render_garbage(garbage: dict[str, Any]) -> list[str]:
    """Return section 7 of the report."""
    intro = (
        "The latency tails above are HA's garbage-collector pauses, and the collector "
        "runs as often as work leaves garbage. Objects in reference cycles (an HA event "
        "and its context pointing at each other, say) are freed only by a collection. "
        f"Each chain pressed {garbage['presses']} times, one press after the other, "
        "with HA's collector paused; one collection then counted the unreachable "
        "objects, less those of an idle window as long "
        f"({garbage['idle_window']} objects). Ours includes the cancellation each "
        "incident needs before the front presses again."
    )
    return [
        "## 7. Garbage an alarm leaves for HA's collector",
        intro,
        "",
        "| objects only the collector frees, per press | ours | hand-built |",
        "|---|---|---|",
        *(
            f"| {name} | {fmt(garbage[f'{key}_ours'])} "
            f"| {fmt(garbage[f'{key}_handbuilt'])} |"
            for name, key in (("street kit press", "kit"), ("app button press", "app"))
        ),
        "",
    ]
