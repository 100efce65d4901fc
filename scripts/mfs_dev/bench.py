"""Benchmarks (never timed tests): figures printed next to their targets, side by side.

    scripts/bench            full run, results written to docs/benchmarks.md
    scripts/bench --quick    a small run (the test suite runs it so the harness cannot rot)

Measured here so far: press -> the four at-press stills with the keyframe buffer and with a
cold ffmpeg, in the same run, and the buffer's CPU use per camera (real RTSP cameras served
by GStreamer on 127.0.0.1, real ffmpeg). The alarm-path benchmarks (press -> police
receiver, bursts, outages, memory) come with the benchmark issue.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
import os
from pathlib import Path
import platform
import shutil
import subprocess
import sys
import tempfile
from typing import Any

from custom_components.mi_frente_seguro.frente.evidence.bench import (
    bench_press_to_stills,
)
from homeassistant.const import __version__ as ha_version

from .ha import ROOT
from .rtsp import RtspServer

RESULTS = ROOT / "docs" / "benchmarks.md"


async def evidence(rounds: int, scratch: Path) -> dict[str, Any]:
    """Press -> four at-press stills, buffered vs cold, and the buffers' CPU share."""
    server = RtspServer(scratch / "rtsp.log", cameras=4)
    await asyncio.get_running_loop().run_in_executor(None, server.start)
    try:
        result = await bench_press_to_stills(
            [server.url(n) for n in range(1, 5)],
            scratch / "bundles",
            ffmpeg_binary=shutil.which("ffmpeg") or "ffmpeg",
            rounds=rounds,
        )
    finally:
        await asyncio.get_running_loop().run_in_executor(None, server.stop)
    return result.summary()


def render(figures: dict[str, Any], quick: bool) -> str:
    """Return the results as Markdown, each figure beside its target."""
    ev = figures["evidence"]
    lines = [
        "# Benchmarks",
        "",
        (
            f"Run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC{' (quick)' if quick else ''}, "
            f"{platform.machine()}, {platform.system()} {platform.release()}, "
            f"Python {sys.version.split()[0]}, Home Assistant {ha_version}, "
            f"{_ffmpeg_version()}, {_cpus()} cores. Measured by `scripts/bench`."
        ),
        "",
        "## Evidence: press -> the four at-press stills written and reported",
        "Four GStreamer test cameras on 127.0.0.1 (RTSP, H.264), real ffmpeg; each round",
        "presses once with the keyframe buffers and once without (cold ffmpeg per camera).",
        "",
        "| figure | value | target |",
        "|---|---|---|",
        f"| rounds | {ev['rounds']} | |",
        f"| with keyframe buffer, p50 | {ev['buffered_p50_ms']} ms | well under cold |",
        f"| with keyframe buffer, max | {ev['buffered_max_ms']} ms | |",
        f"| cold ffmpeg, p50 | {ev['cold_p50_ms']} ms | (the baseline) |",
        f"| cold ffmpeg, max | {ev['cold_max_ms']} ms | |",
        f"| buffer CPU per camera | {ev['buffer_cpu_percent_per_camera']} % of a core | low |",
        f"| missing stills | {ev['missing']} | 0 |",
        "",
    ]
    return "\n".join(lines)


def _ffmpeg_version() -> str:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return "no ffmpeg"
    out = subprocess.run(
        [ffmpeg, "-version"], capture_output=True, check=False, text=True
    )
    return " ".join(out.stdout.split()[:3])


def _cpus() -> int:
    return os.cpu_count() or 0


async def run(quick: bool, output: Path | None) -> None:
    """Run the benchmarks and print (and write) the results."""
    with tempfile.TemporaryDirectory(prefix="mfs-bench-") as folder:
        figures = {"evidence": await evidence(2 if quick else 10, Path(folder))}
    text = render(figures, quick)
    print(text)
    if output is not None:
        output.write_text(text, encoding="utf-8")


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small, fast run")
    parser.add_argument(
        "--output", type=Path, help=f"where to write the results (default {RESULTS})"
    )
    args = parser.parse_args()
    output = args.output or (None if args.quick else RESULTS)
    asyncio.run(run(args.quick, output))


if __name__ == "__main__":
    main()
