"""The chaos run's report: Markdown (docs/chaos.md), each figure beside what it must be."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
import os
import platform
import shutil
import subprocess
import sys

from homeassistant.const import __version__ as ha_version

from .probe.points import KillPoint
from .results import RunResult

WHAT = {
    KillPoint.BEFORE_COMMIT: "inside the transaction that stores a press, before COMMIT",
    KillPoint.AFTER_COMMIT: "right after that COMMIT returned, before the police POST",
    KillPoint.MID_POST: "the police POST in flight (the receiver holds it)",
    KillPoint.AFTER_2XX: "the receiver answered 2xx, the delivery not yet recorded",
}


def render(result: RunResult, command: str) -> str:
    """Return the run's report as Markdown."""
    tally = result.tally
    kills = Counter(kill.plan.point for kill in result.kills)
    starting = Counter(kill.plan.point for kill in result.kills if not kill.rounds)
    boot = Counter(kill.plan.point for kill in result.kills if kill.plan.boot)
    drain = f"{result.drain_s:.1f}" if not tally.lost else "never (presses lost)"
    lines = [
        "# Chaos: an alarm, once pressed, survives SIGKILL",
        "",
        (
            f"Run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
            f"{platform.system()} {platform.release()}, {os.cpu_count() or 0} cores, "
            f"Python {sys.version.split()[0]}, Home Assistant {ha_version}, "
            f"{_version('mosquitto', '-h')}. `{command}` (seed {result.seed}); "
            "everything on 127.0.0.1."
        ),
        "",
        "A real `hass` runs the integration with a real Mosquitto (the street kit's",
        "broker) and a real police receiver (signatures checked with `standardwebhooks`,",
        "deduped by `webhook-id`, 2xx only once the message is fsync'd). The harness",
        "presses the kit's button over MQTT (QoS 1, a button id of its own per press),",
        "takes the receiver down and up at random between rounds, cancels the incident",
        "after each round, and SIGKILLs `hass` at one of four points per run, then starts",
        "it again. At the end it counts every press in what the receiver stored.",
        "",
        "## Kills",
        "",
        "| point | where | kills | counted from boot | killed while hass was starting |",
        "|---|---|---|---|---|",
    ]
    lines.extend(
        f"| `{point}` | {WHAT[point]} | {kills[point]} | {boot[point]} "
        f"| {starting[point]} |"
        for point in KillPoint
    )
    lines += [
        "",
        "A plan kills at the 1st to 3rd occurrence of its point (a POST: 1st or 2nd) once",
        "HA has started, or, counted from boot, while HA starts too (replaying the presses",
        "the broker kept and the messages the outbox kept). Every kill was checked: `hass`",
        "exited with -9, and for the probe's points the probe (`scripts/chaos_run/probe`)",
        "wrote its mark just before (`before_commit`: SQLite was about to run the COMMIT of",
        "a batch with a press row); `mid_post` is the driver's own SIGKILL while the",
        "receiver held the POST (a held POST is not stored).",
        "",
        "## Presses",
        "",
        "| figure | value | must be |",
        "|---|---|---|",
        f"| presses published (PUBACK from the broker) | {tally.published} | |",
        f"| rounds | {result.rounds} | |",
        f"| hass starts (set-up, one per kill, the last) | {result.starts} | |",
        f"| receiver taken down | {result.receiver_downs} | |",
        f"| incidents | {tally.incidents} | |",
        f"| presses of the largest incident | {tally.largest} | <= 50 |",
        f"| messages received (distinct webhook-id) | {tally.messages} | |",
        f"| signed POSTs read | {result.posts} | |",
        f"| duplicates received (same webhook-id again: fine) | {result.duplicates} | |",
        f"| POSTs held while hass was killed | {result.held} | |",
        f"| refused signatures | {result.refused} | 0 |",
        f"| lost presses | {len(tally.lost)} | 0 |",
        f"| extra presses (counted twice, or unpublished) | {len(tally.extra)} | 0 |",
        f"| incidents not checkable (> 50 presses) | {len(tally.unverifiable)} | 0 |",
        f"| incidents whose messages disagree | {len(tally.inconsistent)} | 0 |",
        f"| last start -> every press at the receiver (s) | {drain} | |",
        f"| whole run (s) | {result.duration_s:.0f} | |",
        "",
        f"Verdict: **{'pass' if passed(result) else 'FAIL'}**.",
    ]
    lines += _problems(result)
    return "\n".join(lines) + "\n"


def passed(result: RunResult) -> bool:
    """Return True when nothing was lost, nothing extra, and every incident was checked."""
    return result.tally.ok and not result.refused


def _problems(result: RunResult) -> list[str]:
    tally = result.tally
    found = [
        ("Lost presses", tally.lost),
        ("Extra presses", tally.extra),
        ("Unverifiable incidents", tally.unverifiable),
        ("Incidents whose messages disagree", tally.inconsistent),
    ]
    lines: list[str] = []
    for title, items in found:
        if items:
            shown = ", ".join(f"`{item}`" for item in items[:50])
            more = f" and {len(items) - 50} more" if len(items) > 50 else ""
            lines += ["", f"{title}: {shown}{more}."]
    return lines


def _version(command: str, flag: str) -> str:
    """Return the first words of ``command flag`` (a service's version line)."""
    binary = shutil.which(command) or f"/usr/sbin/{command}"
    try:
        out = subprocess.run(
            [binary, flag], capture_output=True, check=False, text=True, timeout=10
        )
    except OSError:
        return f"no {command}"
    return " ".join((out.stdout or out.stderr).split()[:3])
