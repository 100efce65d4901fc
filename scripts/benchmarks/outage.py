"""Benchmark 4: a backlog queued while the police endpoint is down, then drained.

The receiver refuses connections while incidents are opened and cancelled through the
actions (two police messages each); then it comes back, and each front's outbox drains its
backlog: how fast, and whether every message arrived exactly once and in order.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
import time
from typing import Any

from .alarm import AlarmBench
from .ha import BenchFront
from .receiver import Arrival
from .stats import loop_figures, summary
from .tables import Check, single

DRAIN_TIMEOUT = 900.0  # s for an outage's backlog to reach the receiver


async def outage(
    bench: AlarmBench, fronts: list[BenchFront], messages: int
) -> dict[str, Any]:
    """Queue ``messages`` police messages with the receiver down, then drain them.

    Each cycle opens an incident (``trigger``) and cancels it (``cancel``): two
    messages. The receiver comes back once every message is queued; the figures are
    the drain rate, and whether every message arrived exactly once and in order.
    """
    cycles = max(1, messages // (2 * len(fronts)))
    bench.receiver.down()
    queued_at = bench.loop.time()
    await asyncio.gather(*(_cycles(bench, front, cycles) for front in fronts))
    expected = 2 * cycles * len(fronts)
    await _wait_queued(bench, fronts, expected)
    queued_s = bench.loop.time() - queued_at
    first = len(bench.receiver.arrivals)
    await bench.ha.probe_start()
    up = time.perf_counter()
    bench.receiver.up()
    try:
        async with asyncio.timeout(DRAIN_TIMEOUT):
            while len({a.message_id for a in bench.since(first)}) < expected:
                await asyncio.sleep(0.2)
    except TimeoutError:
        pass  # reported as missing
    loop = loop_figures(*await bench.ha.probe_stop())
    return _drain_figures(bench.since(first), expected, up, queued_s) | loop


async def _cycles(bench: AlarmBench, front: BenchFront, cycles: int) -> None:
    for _ in range(cycles):
        answer = await bench.ha.action(
            "mi_frente_seguro", "trigger", config_entry_id=front.entry_id
        )
        await bench.ha.action(
            "mi_frente_seguro",
            "cancel",
            config_entry_id=front.entry_id,
            incident_id=answer["service_response"]["incident_id"],
            reason="banco",
        )


async def _wait_queued(
    bench: AlarmBench, fronts: list[BenchFront], expected: int
) -> None:
    async with asyncio.timeout(120):
        while True:
            depth = 0
            for front in fronts:
                depth += await bench.ha.outbox_depth(front)
            if depth >= expected:
                return
            await asyncio.sleep(0.5)


def _drain_figures(
    arrivals: list[Arrival], expected: int, up: float, queued_s: float
) -> dict[str, Any]:
    """Rate, completeness, duplicates and per-front order of a drained backlog."""
    seen: set[str | None] = set()
    last_id: dict[str, str] = {}
    out_of_order = 0
    per_front: dict[str, list[float]] = defaultdict(list)
    for arrival in arrivals:
        if arrival.message_id in seen:
            continue
        seen.add(arrival.message_id)
        per_front[arrival.front].append(arrival.at)
        # Message ids are ULIDs made in the order the incidents changed.
        if arrival.message_id and arrival.message_id < last_id.get(arrival.front, ""):
            out_of_order += 1
        last_id[arrival.front] = arrival.message_id or ""
    if not arrivals:
        return {"expected": expected, "delivered": 0, "missing": expected}
    first = min(a.at for a in arrivals)
    last = max(a.at for a in arrivals)
    rates = [
        (len(times) - 1) / (max(times) - min(times))
        for times in per_front.values()
        if len(times) > 1 and max(times) > min(times)
    ]
    return {
        "expected": expected,
        "queued_in_s": round(queued_s, 1),
        "delivered": len(seen),
        "missing": expected - len(seen),
        "duplicates": len(arrivals) - len(seen),
        "out_of_order": out_of_order,
        "first_after_up_s": round(first - up, 2),
        "drain_s": round(last - first, 2),
        "all_after_up_s": round(last - up, 2),
        "msg_per_s": round(len(seen) / (last - first), 1) if last > first else None,
        "msg_per_s_per_front": summary(rates),
    }


def render_outage(out: dict[str, Any]) -> list[str]:
    """Return section 4 of the report."""
    per_front = out.get("msg_per_s_per_front") or {}
    intro = (
        f"The receiver refuses connections while {out['expected']} messages are queued "
        f"(incidents opened and cancelled through the actions, in {out.get('queued_in_s')}"
        " s); then it comes back. Each front's outbox retries with full-jitter backoff "
        "(capped at 30 s), so the first delivery waits for the next retry (a signed call "
        "from the police system would end that wait; this receiver makes none)."
    )
    lines = [
        "## 4. Outage: a backlog queued while the police endpoint is down, then drained",
        intro,
        "",
    ]
    rows: list[tuple[str, Any, str, Check]] = [
        ("messages queued", out["expected"], "", None),
        ("delivered", out["delivered"], "all", lambda v: v == out["expected"]),
        ("missing", out["missing"], "0", lambda v: v == 0),
        ("duplicates", out.get("duplicates"), "0", lambda v: v == 0),
        ("out of order (per front)", out.get("out_of_order"), "0", lambda v: v == 0),
        ("drain rate, all fronts (msg/s)", out.get("msg_per_s"), "", None),
        ("drain rate per front, p50 (msg/s)", per_front.get("p50"), "", None),
        ("first delivery after the endpoint is back (s)", out.get("first_after_up_s"),
         "<= 30 s (retry cap)", lambda v: v is not None and v <= 30),
        ("drain time, first to last (s)", out.get("drain_s"), "", None),
        ("HA loop lag p50 while draining (ms)", out["loop_lag_ms"]["p50"], "", None),
        ("HA loop lag p99 while draining (ms)", out["loop_lag_ms"]["p99"], "< 50 ms",
         lambda v: v < 50),
        ("HA loop lag max while draining (ms)", out["loop_lag_ms"]["max"], "", None),
        ("longest GC pause while draining (ms)", out["gc_max_ms"], "", None),
    ]  # fmt: skip
    return lines + single(rows)
