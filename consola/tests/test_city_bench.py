"""A slice of the city-uplink benchmark (scripts/benchmarks/city.py), so it cannot rot.

Real Mosquitto, one real PostgreSQL, two console processes sharing the subscription; one is
killed with SIGKILL mid-run and started again. Only counts are asserted, never a time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.benchmarks.city import render_city, run_city, splice


@pytest.mark.postgres
async def test_two_instances_one_killed_nothing_lost_nothing_shown_twice(
    pg_dsn: str, tmp_path: Path
) -> None:
    """20 fronts, 3 alerts each, then a burst: every alert stored once, none shown twice."""
    city = await run_city(tmp_path, pg_dsn, fronts=20, per_front=3, rate=40.0)
    assert city["publish_failed"] == 0
    assert (city["lost"], city["stored_twice"], city["shown_twice"]) == (0, 0, 0)
    assert city["stored"] == 60 and city["burst_stored"] == 20
    section = "\n".join(render_city(city))
    assert "| lost | 0 |" in section
    text = splice("# Benchmarks\n\n## 8. x\nold\n", render_city(city))
    assert text.count("## 10. City uplink:") == 1 and "## 8. x\nold" in text
    assert splice(text, render_city(city)) == text
