"""Small statistics for the benchmarks: percentiles of a sample, the loop lag inside HA."""

from __future__ import annotations

from collections.abc import Sequence
import math
from typing import Any

GC_LONG_MS = 10.0  # a garbage-collector pause at least this long is counted as long


def percentile(values: Sequence[float], fraction: float) -> float:
    """Return the nearest-rank percentile (``fraction`` in 0..1) of ``values``."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def summary(values: Sequence[float], digits: int = 1) -> dict[str, float | int]:
    """Return n, p50, p95, p99 and max of ``values``, rounded to ``digits``."""
    return {
        "n": len(values),
        "p50": round(percentile(values, 0.50), digits),
        "p95": round(percentile(values, 0.95), digits),
        "p99": round(percentile(values, 0.99), digits),
        "max": round(max(values), digits) if values else math.nan,
    }


def loop_figures(lags: list[float], pauses: list[float]) -> dict[str, Any]:
    """Return the event-loop lag summary and the long garbage-collector pauses."""
    long = [pause for pause in pauses if pause >= GC_LONG_MS]
    return {
        "loop_lag_ms": summary(lags),
        "gc_collections": len(pauses),
        "gc_long": len(long),
        "gc_max_ms": round(max(pauses), 1) if pauses else 0.0,
        "gc_pauses_ms": pauses,
    }
