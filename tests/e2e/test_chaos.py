"""An alarm, once pressed, survives SIGKILL: a slice of ``scripts/chaos`` on a real hass.

One kill at each of the four points (before COMMIT, after COMMIT, mid-POST, after the
2xx), so hass is killed and started again four times, with a real Mosquitto and a real
police receiver; then every press is counted in what the receiver stored: 0 lost, 0 extra.
The probe's targets and the tally are checked on their own too, so a rename in the
integration or a tally that cannot see a loss fails here in seconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.chaos_run.driver import Driver
from scripts.chaos_run.probe import TARGETS, resolve
from scripts.chaos_run.probe.points import PROBE_POINTS, KillPlan, KillPoint
from scripts.chaos_run.receiver import Stored
from scripts.chaos_run.report import passed, render
from scripts.chaos_run.tally import count

SEED = 20261201  # fixed: a failure names the seed to replay with scripts/chaos


@pytest.mark.e2e
async def test_no_press_lost_or_doubled_across_a_kill_at_each_point(
    socket_enabled: None, tmp_path: Path
) -> None:
    """Four SIGKILLs, one per point, each really made there; every press counted once."""
    driver = Driver(tmp_path / "chaos", SEED, say=print)
    result = await driver.run(list(KillPoint))

    assert [kill.plan.point for kill in result.kills] == list(KillPoint)
    assert [kill.status for kill in result.kills] == [-9] * 4
    marks = driver.ha.kills()  # written by the probe just before its SIGKILL
    assert sorted(mark["point"] for mark in marks) == sorted(PROBE_POINTS)
    assert len({mark["pid"] for mark in marks}) == 3  # three hass processes
    where = {kill.plan.point: kill.where for kill in result.kills}
    assert where[KillPoint.BEFORE_COMMIT] == "COMMIT"  # inside the transaction
    assert where[KillPoint.AFTER_COMMIT] == "COMMIT returned"
    assert where[KillPoint.AFTER_2XX] == "Outbox._finish"
    assert where[KillPoint.MID_POST].startswith("held POST ")
    assert result.held == 1  # the receiver held that POST and stored nothing of it
    assert result.starts == 6  # set-up, one per kill, the last
    tally = result.tally
    assert tally.published >= 8
    assert tally.lost == []
    assert tally.extra == []
    assert tally.unverifiable == []
    assert tally.inconsistent == []
    assert result.refused == 0
    assert passed(result)
    assert "Verdict: **pass**" in render(result, "pytest tests/e2e/test_chaos.py")


def test_probe_finds_what_it_wraps() -> None:
    """Every function and field the probe wraps is where the probe looks for it."""
    found = resolve()
    assert found.keys() == TARGETS.keys()
    assert callable(found["commit"].value)
    assert callable(found["finish"].value)
    assert KillPlan.parse("before_commit:2") == KillPlan(KillPoint.BEFORE_COMMIT, 2)
    with pytest.raises(ValueError):
        KillPlan.parse("before_commit:0")


def _message(
    number: int, incident: str, *devices: str | None, total: int | None = None
) -> Stored:
    return Stored(
        f"m{number}",
        "incident.updated",
        incident,
        devices,
        len(devices) if total is None else total,
        float(number),
    )


def test_tally_sees_lost_extra_and_inconsistent_presses() -> None:
    """The count catches a lost press, a press in two incidents and an unknown one."""
    clean = count(
        ["p1", "p2", "p3"],
        [_message(1, "a", "p1"), _message(2, "a", "p1", "p2"), _message(3, "b", "p3")],
    )
    assert clean.ok
    assert (clean.incidents, clean.messages) == (2, 3)

    broken = count(
        ["p1", "p2", "p3"],
        [
            _message(1, "a", "p1", "p1"),  # listed twice in one message
            _message(2, "b", "p1", "p9"),  # again in another incident; p9 never pressed
            _message(3, "c", "p3", total=60),  # more presses than listed
            _message(4, "d", "p3", "x"),
            _message(5, "d", "x"),  # the fuller message came first: fine
        ],
    )
    assert broken.lost == ["p2"]
    assert sorted(broken.extra) == ["p1", "p1", "p3", "p9", "x"]
    assert broken.unverifiable == ["c"]
    assert not broken.ok

    shrunk = count(["p1", "p2"], [_message(1, "a", "p1"), _message(2, "a", "p2")])
    assert shrunk.inconsistent == ["a"]
