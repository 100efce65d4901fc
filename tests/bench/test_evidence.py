"""The evidence benchmark returns its numbers (speed itself is judged in scripts/bench)."""

from __future__ import annotations

from pathlib import Path

from scripts.benchmarks.evidence import bench_press_to_stills
from scripts.harness.rtsp import RtspServer
from tests.frente.evidence.conftest import FFMPEG, ffmpeg_children


async def test_bench_press_to_stills(rtsp_server: RtspServer, tmp_path: Path) -> None:
    """One round on two real cameras gives one figure per mode and no failures."""
    result = await bench_press_to_stills(
        [rtsp_server.url(1), rtsp_server.url(2)],
        tmp_path,
        ffmpeg_binary=FFMPEG,
        rounds=1,
    )
    assert result.cameras == 2
    assert len(result.buffered) == len(result.cold) == 1
    assert result.missing == 0
    assert result.buffer_cpu_seconds > 0
    summary = result.summary()
    assert set(summary) == {
        "cameras",
        "rounds",
        "buffered_p50_ms",
        "buffered_max_ms",
        "cold_p50_ms",
        "cold_max_ms",
        "buffer_cpu_percent_per_camera",
        "missing",
    }
    assert sorted(p.name for p in (tmp_path / "bench").iterdir()) == [
        "buffered-0",
        "cold-0",
    ]
    assert ffmpeg_children() == []
