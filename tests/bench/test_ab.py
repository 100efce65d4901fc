"""The A/B harness (``scripts/benchmarks/ab.py``) on a small run, so it cannot rot.

One copy (this tree's), one front, a few app-button rounds of both chains in a real
``hass`` (the kit path is the full bench's and the default): every
press arrives, the figures are there and the table shows them; profiled, the ledger's
press is among the functions HA ran, a census names the types of its garbage and the
count of what the rounds left alive is there, by type. No timing is asserted.
"""

from __future__ import annotations

import pytest

from scripts.benchmarks.ab import (
    measure,
    render,
    render_garbage_types,
    render_profile,
    render_retained,
)
from scripts.harness.ha import COMPONENT


@pytest.mark.bench
async def test_a_small_ab_run_measures_both_chains(socket_enabled: None) -> None:
    """The app path (the phone's webhook): both chains, none lost, figures, table."""
    result = await measure(
        COMPONENT,
        rounds=5,
        fronts=1,
        path="app",
        profile=True,
        garbage=3,
        retained=True,
    )
    for chain in ("ours", "handbuilt"):
        figures = result[chain]
        assert figures["lost"] == 0
        assert figures["p50_ms"] > 0
        assert figures["cpu_ms_per_round"] > 0
        assert figures["gc_per_100_rounds"] >= 0
    result["label"] = "A"
    table = render([result])
    assert table.count("\n| A | 1 |") == 2  # a row per chain
    assert "nan" not in table
    profiled = render_profile(result)
    assert "frente/ledger.py" in profiled and "(press)" in profiled
    assert all("mi_frente_seguro" in row[2] for row in result["profile"]["integration"])
    census = result["garbage"]
    assert census["presses"] == 3 and census["per_press"] >= 0
    assert all(isinstance(name, str) and n > 0 for name, n in census["types"])
    assert "garbage of ours" in render_garbage_types(result)
    alive = result["retained"]
    assert alive["rounds"] == 5 and isinstance(alive["grown"], int)
    assert all(isinstance(name, str) and n > 0 for name, n in alive["types"])
    assert "left alive by ours" in render_retained(result)
