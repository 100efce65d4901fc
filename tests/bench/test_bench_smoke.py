"""The quick benchmark run, end to end: every section rendered, every figure sane.

It starts what ``scripts/bench --quick`` starts (Mosquitto, a real ``hass`` with three
fronts and the hand-built chain, the police receiver, four RTSP test cameras, ffmpeg) so
the harness cannot rot. It checks what the run found (no press lost, every queued message
delivered once and in order, every still taken, the storm measured at each checkpoint)
and that the report shows all of it. It never asserts a timing.
"""

from __future__ import annotations

from pathlib import Path
import re
from typing import Any

import pytest

from scripts.benchmarks.report import render
from scripts.benchmarks.run import QUICK, measure

LATENCIES = ("kit_ours", "kit_handbuilt", "app_ours", "app_handbuilt")
SECTIONS = (
    "## 1. Street kit press -> signed alert at the police receiver",
    "## 2. App button -> signed alert at the police receiver",
    "## 3. Burst:",
    "## 4. Outage:",
    "## 5. Evidence:",
    "## 6. Cost:",
    "## 7. Garbage an alarm leaves for HA's collector",
    "## 8. A storm of presses on one incident:",
)


@pytest.mark.bench
async def test_quick_benchmark_renders_every_section(
    socket_enabled: None, tmp_path: Path
) -> None:
    """The quick run measures every scenario; nothing is lost; the report says so."""
    figures = await measure(QUICK, tmp_path)

    _check_alarm_path(figures)
    _check_others(figures)
    text = render(figures, quick=True, rate=QUICK.rate)
    starts = [text.find(title) for title in SECTIONS]
    assert -1 not in starts, [
        t for t, at in zip(SECTIONS, starts, strict=True) if at < 0
    ]
    assert starts == sorted(starts)  # in order
    assert text.startswith("# Benchmarks\n")
    assert "(quick)" in text
    assert "| lost | 0 |" in text  # sections 1 and 2: ours lost nothing
    assert "| missing | 0 | 0 | yes |" in text  # section 4
    assert "| missing stills | 0 | 0 |" in text  # section 5
    assert "| presses on the incident | press p50 / p99 (ms) |" in text  # section 8
    for at in QUICK.storm:
        assert re.search(rf"^\| {at:,} \| [\d.]+ / [\d.]+ \|", text, re.MULTILINE)
    assert "nan" not in text


def _check_alarm_path(figures: dict[str, Any]) -> None:
    """Latency, burst and outage: every press and message accounted for."""
    assert figures["alarm_fronts"] == QUICK.alarm_fronts
    for name in LATENCIES:
        latency = figures[name]
        assert latency["n"] + latency["lost"] == QUICK.presses, name
        assert latency["loop_lag_ms"]["n"] > 0, name
    for name in ("kit_ours", "app_ours"):
        assert figures[name]["lost"] == 0, name
        assert figures[name]["uncancelled"] == 0, name
    burst = figures["burst_ours"]
    assert burst["presses"] == QUICK.burst
    assert burst["lost"] == 0
    assert burst["recorded"] == QUICK.burst
    assert burst["incidents"] == QUICK.alarm_fronts  # one per front: presses join it
    assert figures["burst_handbuilt"]["presses"] == QUICK.burst
    outage = figures["outage"]
    assert outage["expected"] > 0
    assert outage["delivered"] == outage["expected"]
    assert outage["missing"] == 0
    assert outage["duplicates"] == 0
    assert outage["out_of_order"] == 0


def _check_others(figures: dict[str, Any]) -> None:
    """Evidence, cost, garbage and storm: each measured, at the scale asked for."""
    evidence = figures["evidence"]
    assert evidence["rounds"] == QUICK.evidence_rounds
    assert evidence["cameras"] == 4
    assert evidence["missing"] == 0
    cost = figures["cost"]
    assert cost["setup_ms"]["n"] == QUICK.memory_at[-1]
    assert set(cost["rss_mib"]) == {0, *QUICK.memory_at}
    assert all(mib > 0 for mib in cost["rss_mib"].values())
    garbage = figures["garbage"]
    assert garbage["presses"] == QUICK.garbage_presses
    assert {
        f"{chain}_{who}" for chain in ("kit", "app") for who in ("ours", "handbuilt")
    } <= garbage.keys()
    storm = figures["storm"]
    assert storm["presses"] == QUICK.storm[-1]
    assert [window["at"] for window in storm["windows"]] == list(QUICK.storm)
    assert all(storm["sizes"][at] for at in QUICK.storm)  # messages reached the police
