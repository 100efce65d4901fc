"""A/B of the street-kit alarm path between copies of the integration, runs alternated.

    python -m scripts.benchmarks.ab DIR_A DIR_B [--rounds N] [--runs K] [--path kit|app]
        [--output FILE] [--profile] [--garbage N] [--retained]

Each ``DIR`` is a ``mi_frente_seguro`` folder (this tree's, or another commit's checked
out with ``git worktree add``). The copies take turns, ``--runs`` times each, so whatever
else the machine does is shared between them. Each run starts the benchmark's HA
(``ha.py``) with that copy and the hand-built chain, adds ``FRONTS`` fronts with their
police links, and presses ``--rounds`` times at 25 per second on both chains, as section 1
(``--path kit``) or section 2 (``--path app``: the phone's mobile_app webhook) of
``scripts/bench`` does (ours: press -> signed alert -> cancel -> the cancel at the
receiver; hand-built: press -> its POST).

Per copy and run it gives the press -> police p50/p95/p99, HA's CPU time per round (its
threads' time on a CPU, from /proc: other load barely moves it), and what HA's garbage collector did
meanwhile: collections per 100 rounds (they follow how many objects a round leaves behind)
and its pauses of 10 ms or more. The tails of both chains are those pauses (a press that
arrives during one waits for its end), so collections per round is the figure that says
whether a copy makes the tail likelier; the p99 of 1,000 presses moves with a single pause.

``--profile`` also profiles HA (every thread) during each copy's measured rounds of ours
(cProfile, which slows every call it sees: read its figures against each other, not
against the unprofiled runs) and prints each copy's top functions per round.
``--garbage N`` also takes a census of N presses of ours, one after the other with HA's
collector paused (section 7's window), and prints the commonest types of what only the
collector could free: the reference cycles a press leaves. ``--retained`` counts, after a
collection before and after each copy's measured rounds of ours, how many more objects
HA keeps alive, by type: what every later full pass of the collector must scan (the
collection before the rounds moves the collector's schedule: compare such runs with each
other only).
"""

from __future__ import annotations

import argparse
import asyncio
from contextlib import suppress
from dataclasses import dataclass
import json
import os
from pathlib import Path
import shutil
import string
import tempfile
from typing import Any

from scripts.harness import ha as harness

from .alarm import AlarmBench, Latencies
from .garbage import RECORDER_SETTLE, census_window
from .ha import SETTLE, BenchHa
from .stack import alarm_bench, bench_stack
from .stats import GC_LONG_MS, summary

RATE = 25.0  # presses started per second (scripts/bench's rate)
FRONTS = 10  # fronts pressed round-robin (scripts/bench's)
WARM = 20  # rounds before the measured ones
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """Return the CPU time process ``pid``'s threads have used, to the nanosecond.

    The sum of each thread's time on a CPU (``/proc/PID/task/*/schedstat``; HA's threads
    live as long as it does). Where the kernel keeps no schedstat, user + system time from
    ``/proc/PID/stat``, counted in clock ticks (10 ms: a few rounds may read as none).
    """
    total = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            with suppress(FileNotFoundError):  # a thread that ended meanwhile
                total += int((task / "schedstat").read_text().split()[0])
    except FileNotFoundError, IndexError, ValueError:
        total = 0
    if total:
        return total / 1e9
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


@dataclass(slots=True)
class _Run:
    """One chain's measured presses and what HA did meanwhile."""

    result: Latencies
    cpu_s: float
    pauses_ms: list[float]


PATHS = ("kit", "app")  # the street kit's MQTT press, or the phone's button


async def _measure_chain(
    bench: AlarmBench, ha: BenchHa, rounds: int, *, ours: bool, path: str = "kit",
    profile: dict[str, Any] | None = None, retained: dict[str, Any] | None = None,
) -> _Run:  # fmt: skip
    if path == "app":
        press = bench.app_press if ours else bench.app_handbuilt
    else:
        press = bench.kit_press if ours else bench.handbuilt_press
    fronts = ha.fronts
    await bench.latency(fronts, press, WARM, RATE, ours=ours)
    if retained is not None:
        await ha.objects_start()
    if profile is not None:
        await ha.profile_start()
    before = cpu_seconds(ha.process.pid)
    result = await bench.latency(fronts, press, rounds, RATE, ours=ours)
    used = cpu_seconds(ha.process.pid) - before
    if profile is not None:
        profile.update(await ha.profile_stop())
    if retained is not None:
        grown, kinds = await ha.objects_stop()
        retained.update(rounds=rounds, grown=grown, types=kinds)
    return _Run(result, used, result.loop.get("gc_pauses_ms", []))


def _figures(run: _Run, rounds: int) -> dict[str, Any]:
    latency = summary(run.result.values_ms)
    return {
        "p50_ms": latency["p50"],
        "p95_ms": latency["p95"],
        "p99_ms": latency["p99"],
        "max_ms": latency["max"],
        "lost": run.result.lost,
        "cpu_ms_per_round": round(1000 * run.cpu_s / rounds, 2),
        "gc_per_100_rounds": round(100 * len(run.pauses_ms) / rounds, 1),
        "gc_long": [round(p, 1) for p in run.pauses_ms if p >= GC_LONG_MS],
    }


async def measure(
    component: Path, rounds: int, fronts: int = FRONTS, path: str = "kit",
    *, profile: bool = False, garbage: int = 0, retained: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """Return both chains' figures in an HA running the integration in ``component``."""
    harness.COMPONENT = component  # what prepare_config links into HA's config
    scratch = Path(tempfile.mkdtemp(prefix="mfs-ab-"))
    profiled: dict[str, Any] | None = {} if profile else None
    census: dict[str, Any] = {}
    alive: dict[str, Any] | None = {} if retained else None
    try:
        async with bench_stack(scratch) as stack:
            for number in range(1, fronts + 1):
                front = await stack.ha.add_front(number)
                stack.receiver.add_front(front.front_id, front.secret)
            await stack.ha.add_handbuilt_mqtt()
            if path == "app":
                await stack.ha.register_phone()
            await asyncio.sleep(SETTLE)
            async with alarm_bench(stack, "mfs-ab") as bench:
                ours = await _measure_chain(
                    bench, stack.ha, rounds, ours=True, path=path, profile=profiled,
                    retained=alive,
                )  # fmt: skip
                handbuilt = await _measure_chain(
                    bench, stack.ha, rounds, ours=False, path=path
                )
                if garbage:
                    press = bench.app_press if path == "app" else bench.kit_press
                    found = await census_window(bench, stack.ha.fronts, press, garbage,
                                          RECORDER_SETTLE, ours=True)  # fmt: skip
                    census = {"presses": garbage, "per_press": round(found / garbage, 1),
                              "types": stack.ha.census_types}  # fmt: skip
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {
        "component": str(component),
        "path": path,
        "rounds": rounds,
        "ours": _figures(ours, rounds),
        "handbuilt": _figures(handbuilt, rounds),
        "profile": profiled,
        "garbage": census,
        "retained": alive,
    }


def _types_table(
    title: str, unit: str, count: int, types: list[Any], places: int
) -> str:
    """Return a census's title and its types, each as how many per ``unit``."""
    lines = [title, "", f"| per {unit} | type |", "|---|---|"]
    lines += [f"| {n / count:.{places}f} | `{name}` |" for name, n in types]
    return "\n".join(lines) + "\n"


def render_garbage_types(result: dict[str, Any]) -> str:
    """Return a copy's census: garbage per press and its commonest types."""
    census, presses = result["garbage"], result["garbage"]["presses"]
    title = (
        f"### {result['label']}: garbage of ours, {census['per_press']:g} objects per "
        f"press ({presses} presses)"
    )
    return _types_table(title, "press", presses, census["types"], 1)


def render_retained(result: dict[str, Any]) -> str:
    """Return what a copy's rounds of ours left alive, per round, by type."""
    alive, rounds = result["retained"], result["retained"]["rounds"]
    title = (
        f"### {result['label']}: left alive by ours, {alive['grown'] / rounds:.1f} "
        f"objects per round ({rounds} rounds)"
    )
    return _types_table(title, "round", rounds, alive["types"], 2)


def render_profile(result: dict[str, Any]) -> str:
    """Return a copy's profiled functions, microseconds and calls per round."""
    rounds = result["rounds"]
    lines = [f"### {result['label']}: `{result['component']}` (ours, profiled)"]
    for key, title in (("own", "own time"), ("cumulative", "with callees"),
                       ("integration", "the integration's, with callees")):  # fmt: skip
        lines += [
            "",
            f"| us/round ({title}) | calls/round | function |",
            "|---|---|---|",
        ]
        lines += [
            f"| {1e6 * seconds / rounds:.0f} | {calls / rounds:.1f} | `{where}` |"
            for calls, seconds, where in result["profile"][key]
        ]
    lines += ["", "| events/round | bus event (or state write) |", "|---|---|"]
    lines += [
        f"| {n / rounds:.2f} | `{kind}` |"
        for n, _, kind in result["profile"].get("events", [])
    ]
    return "\n".join(lines) + "\n"


def render(results: list[dict[str, Any]]) -> str:
    """Return the runs as a Markdown table, one row per copy, run and chain."""
    lines = [
        (
            "| copy | run | chain | p50 ms | p95 ms | p99 ms | CPU ms/round "
            "| GC per 100 rounds | GC pauses >= 10 ms |"
        ),
        "|---|---|---|---|---|---|---|---|---|",
    ]
    runs: dict[str, int] = {}
    for result in results:
        run = runs[result["label"]] = runs.get(result["label"], 0) + 1
        for chain in ("ours", "handbuilt"):
            f = result[chain]
            pauses = ", ".join(f"{p:g}" for p in f["gc_long"]) or "none"
            lines.append(
                f"| {result['label']} | {run} | {chain} | {f['p50_ms']:g} "
                f"| {f['p95_ms']:g} | {f['p99_ms']:g} | {f['cpu_ms_per_round']:g} "
                f"| {f['gc_per_100_rounds']:g} | {pauses} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    """Alternate the copies named on the command line; print JSON lines and a table."""
    parser = argparse.ArgumentParser(prog="python -m scripts.benchmarks.ab")
    parser.add_argument("components", type=Path, nargs="+")
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--path", choices=PATHS, default="kit")
    parser.add_argument("--output", type=Path, help="also write the table here")
    parser.add_argument("--garbage", type=int, default=0, metavar="N",
                        help="a census of N presses of ours: the garbage's types")  # fmt: skip
    parser.add_argument("--profile", action="store_true",
                        help="profile HA's loop during ours (slower: compare copies)")  # fmt: skip
    parser.add_argument("--retained", action="store_true",
                        help="count what ours leaves alive, by type")  # fmt: skip
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    for _ in range(args.runs):
        for label, component in zip(
            string.ascii_uppercase, args.components, strict=False
        ):
            result = asyncio.run(
                measure(
                    component.resolve(),
                    args.rounds,
                    path=args.path,
                    profile=args.profile,
                    garbage=args.garbage,
                    retained=args.retained,
                )  # fmt: skip
            )
            result["label"] = label
            print(json.dumps(result), flush=True)  # noqa: T201
            results.append(result)
    results.sort(key=lambda r: r["label"])  # rows grouped by copy, runs in order
    names = "\n".join(
        f"- {label}: `{component}`"
        for label, component in zip(
            string.ascii_uppercase, args.components, strict=False
        )
    )
    table = f"{names}\n\n{render(results)}"
    seen = {result["label"]: result for result in results}  # each copy's last run
    for wanted, details in ((args.profile, render_profile),
                            (args.garbage, render_garbage_types),
                            (args.retained, render_retained)):  # fmt: skip
        if wanted:
            table += "\n" + "\n".join(details(seen[label]) for label in sorted(seen))
    print(table)  # noqa: T201
    if args.output is not None:
        args.output.write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
