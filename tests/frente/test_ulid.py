"""Tests of incident ids."""

from __future__ import annotations

from custom_components.mi_frente_seguro.frente.ulid import UlidGenerator, ulid_time_ms


def test_ids_sort_by_time_and_are_unique() -> None:
    """Ids sort like their times, also within one millisecond and across generators."""
    first = UlidGenerator()
    ids = [first.new(1_764_000_000_000) for _ in range(1000)]
    ids += [first.new(1_764_000_000_001 + n) for n in range(10)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(len(item) == 26 for item in ids)
    assert ulid_time_ms(ids[0]) == 1_764_000_000_000
    # A restart is a new generator: still later ids for later times.
    assert UlidGenerator().new(1_764_000_000_100) > ids[-1]


def test_clock_going_back_stays_monotonic() -> None:
    """A clock step backwards never yields a smaller id."""
    gen = UlidGenerator()
    later = gen.new(2_000)
    assert gen.new(1_000) > later
