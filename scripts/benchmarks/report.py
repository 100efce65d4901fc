"""The benchmarks' report: Markdown tables, each figure beside its target (docs/benchmarks.md).

Sections 1-3 and 6 are rendered here; the others beside their scenarios (``outage``,
``evidence``, ``garbage``, ``storm``, ``destinations``, ``city``).
"""

from __future__ import annotations

from datetime import UTC, datetime
import os
import platform
import shutil
import subprocess
import sys
from typing import Any

from homeassistant.const import __version__ as ha_version

from .city import render_city
from .destinations import render_destinations
from .evidence import render_evidence
from .garbage import render_garbage
from .ha import SETTLE
from .outage import render_outage
from .storm import render_storm
from .tables import Row, compared

# The two press -> police sections: title, what is measured, the figures' chain.
_LATENCY_SECTIONS = (
    (
        "1. Street kit press -> signed alert at the police receiver",
        (
            "An MQTT publish (QoS 1) of a press, as the kit sends it, until the receiver has "
            "read the alert and verified its signature. Ours opens an incident per press "
            "(cancelled, and the cancellation delivered, before that front presses again)."
        ),
        "kit",
    ),
    (
        "2. App button -> signed alert at the police receiver",
        (
            "The phone's call through HA's mobile_app webhook (`call_service`, as a widget, "
            "tile or dashboard button does): ours presses the front's Pánico button entity; "
            "the hand-built app calls `rest_command` directly."
        ),
        "app",
    ),
)


def render(figures: dict[str, Any], *, quick: bool, rate: float) -> str:
    """Return the results as Markdown."""
    lines = [
        "# Benchmarks",
        "",
        (
            f"Run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC{' (quick)' if quick else ''}, "
            f"{platform.machine()}, {platform.system()} {platform.release()}, "
            f"{os.cpu_count() or 0} cores, Python {sys.version.split()[0]}, "
            f"Home Assistant {ha_version}, {_version('mosquitto', '-h')}, "
            f"{_version('ffmpeg', '-version')}. Measured by `scripts/bench`"
            f"{' --quick' if quick else ''}; everything on 127.0.0.1."
        ),
        "",
        "The hand-built chain is what a coordinator would wire without this integration:",
        "HA's MQTT integration -> an automation (mode parallel) -> `rest_command` to the",
        "police, in the same HA process, on the same broker, in the same run. It has no",
        "storage, no signature and no retry. Ours stores the press (SQLite, fsync'd), queues",
        "the signed message durably, then delivers it.",
        "",
    ]
    for title, text, chain in _LATENCY_SECTIONS:
        lines += _latency(
            title,
            text,
            (figures[f"{chain}_ours"], figures[f"{chain}_handbuilt"]),
            fronts=figures["alarm_fronts"],
            rate=rate,
        )
    lines += _burst(figures["burst_ours"], figures["burst_handbuilt"])
    lines += render_outage(figures["outage"])
    lines += render_evidence(figures["evidence"])
    lines += _cost(figures["cost"], figures["evidence"])
    lines += render_garbage(figures["garbage"])
    lines += render_storm(figures["storm"])
    lines += render_destinations(figures["destinations"])
    if "city" in figures:
        lines += render_city(figures["city"])
    return "\n".join(lines)


def _latency(
    title: str,
    intro: str,
    results: tuple[dict[str, Any], dict[str, Any]],
    *,
    fronts: int,
    rate: float,
) -> list[str]:
    ours, handbuilt = results
    total = ours["n"] + ours["lost"]
    lines = [
        f"## {title}",
        f"{intro} {total} presses over {fronts} fronts, {rate:g} per second.",
        "",
    ]
    rows: list[Row] = [
        ("presses measured", ours["n"], handbuilt["n"], "", None),
    ]
    for key in ("p50", "p95", "p99", "max"):
        target, check = "", None
        if key == "p99":
            target, check = "<= 50 ms", lambda value: value <= 50
        rows.append((f"{key} (ms)", ours[key], handbuilt[key], target, check))
    rows.append(("lost", ours["lost"], handbuilt["lost"], "0", lambda v: v == 0))
    rows += _loop_rows(ours, handbuilt)
    return [
        *lines,
        *compared(rows),
        *_gc_note(ours, handbuilt),
    ]


def _gc_note(ours: dict[str, Any], handbuilt: dict[str, Any]) -> list[str]:
    """Say what the tail is made of when the garbage collector paused HA's loop."""
    if not (ours["gc_long"] or handbuilt["gc_long"]):
        return []
    note = (
        "HA's garbage collector stopped its event loop for 10 ms or more "
        f"{_pauses(ours)} while ours ran and {_pauses(handbuilt)} while the hand-built "
        "chain ran. A press that arrives during such a pause waits for its end: that, "
        "not the path, is what such a pause adds to the p99 and max above."
    )
    return [note, ""]


def _pauses(figures: dict[str, Any]) -> str:
    if not figures["gc_long"]:
        return "not once"
    times = "once" if figures["gc_long"] == 1 else f"{figures['gc_long']} times"
    return f"{times} (longest {figures['gc_max_ms']:g} ms)"


def _loop_rows(ours: dict[str, Any], handbuilt: dict[str, Any]) -> list[Row]:
    """Event-loop lag and garbage-collector pauses inside HA during the scenario."""
    return [
        ("HA loop lag p50 (ms)", ours["loop_lag_ms"]["p50"],
         handbuilt["loop_lag_ms"]["p50"], "", None),
        ("HA loop lag p99 (ms)", ours["loop_lag_ms"]["p99"],
         handbuilt["loop_lag_ms"]["p99"], "< 50 ms", lambda v: v < 50),
        ("HA loop lag max (ms)", ours["loop_lag_ms"]["max"],
         handbuilt["loop_lag_ms"]["max"], "", None),
        ("GC pauses >= 10 ms", ours["gc_long"], handbuilt["gc_long"], "", None),
        ("longest GC pause (ms)", ours["gc_max_ms"], handbuilt["gc_max_ms"], "", None),
    ]  # fmt: skip


def _burst(ours: dict[str, Any], handbuilt: dict[str, Any]) -> list[str]:
    intro = (
        f"{ours['presses']} street-kit presses published evenly in "
        f"{ours['sent_in_s']:g} s over {ours['fronts']} fronts; event-loop lag sampled "
        "inside HA every 5 ms from the first press until the police had every press. "
        "Ours joins a front's presses into its open incident: one `incident.updated` "
        "per press, or fewer when a waiting update is replaced by a newer one."
    )
    lines = [
        "## 3. Burst: every press of a storm recorded, and HA stays responsive",
        intro,
        "",
    ]
    rows: list[Row] = [
        ("presses", ours["presses"], handbuilt["presses"], "", None),
        ("recorded", ours["recorded"], handbuilt["recorded"], "all", None),
        ("lost", ours["lost"], handbuilt["lost"], "0", lambda v: v == 0),
        ("incidents opened", ours["incidents"], None, "one per front", None),
        ("police messages", ours["messages"], handbuilt["recorded"], "", None),
        *_loop_rows(ours, handbuilt),
        (
            "press -> police p50 (ms)",
            ours["press_to_police_ms"]["p50"],
            None,
            "",
            None,
        ),
        (
            "press -> police p99 (ms)",
            ours["press_to_police_ms"]["p99"],
            None,
            "",
            None,
        ),
    ]
    return lines + compared(rows)


def _cost(cost: dict[str, Any], ev: dict[str, Any]) -> list[str]:
    memory = cost["rss_mib"]
    counts = sorted(memory)
    setup, reload = cost["setup_ms"], cost["reload_ms"]
    intro = (
        "Fronts added one by one through the config-flow REST API (street kit on the "
        "broker, police link on the receiver); the set-up time is the flow's last step, "
        "which returns once the entry is set up. Memory is HA's resident set size "
        f"(VmRSS) {SETTLE:g} s after the last front of each count was added."
    )
    rows = [
        (f"front set-up p50 ({setup['n']} fronts)", f"{setup['p50']:g} ms", "< 1 s",
         setup["p50"] < 1000),
        ("front set-up max", f"{setup['max']:g} ms", "< 1 s", setup["max"] < 1000),
        (f"front reload (unload + set-up), p50 of {reload['n']}",
         f"{reload['p50']:g} ms", "", None),
    ]  # fmt: skip
    rows += [
        (f"HA memory with {count} fronts", f"{memory[count]:g} MiB", "", None)
        for count in counts
    ]
    if len(counts) > 2:
        top, one = counts[-1], counts[1]
        per_front = (memory[top] - memory[one]) / (top - one)
        rows.append(
            (
                f"memory per extra front ({one} -> {top})",
                f"{per_front:.2f} MiB",
                "",
                None,
            )
        )
    rows.append(
        (
            "keyframe buffer CPU per camera",
            f"{ev['buffer_cpu_percent_per_camera']} % of a core",
            "low",
            None,
        )
    )
    lines = [
        "## 6. Cost: setting a front up, memory, cameras",
        intro,
        "",
        "| figure | value | target | met |",
        "|---|---|---|---|",
    ]
    for name, value, target, met in rows:
        mark = "" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {name} | {value} | {target} | {mark} |")
    return [*lines, ""]


def _version(command: str, flag: str) -> str:
    binary = shutil.which(command) or (f"/usr/sbin/{command}")
    try:
        out = subprocess.run(
            [binary, flag], capture_output=True, check=False, text=True, timeout=10
        )
    except OSError:
        return f"no {command}"
    words = (out.stdout or out.stderr).split()
    return " ".join(words[:3])
