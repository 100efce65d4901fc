"""Chaos probe: SIGKILLs Home Assistant at a chosen point of a press's way to the police.

Loaded only into the HA process that ``scripts/chaos`` starts (linked into its
``custom_components/`` as ``mfs_chaos_probe``, never shipped with the integration). At set-up
it looks up, by name, the integration's functions listed in :data:`TARGETS` (a rename fails
the set-up loudly, so the harness cannot go on testing nothing) and, when the ``hass``
process has ``MFS_CHAOS=<point>:<n>[:boot]`` in its environment, wraps them so that the
``n``-th occurrence of the point once HA has started (or, with ``boot``, from the probe's
set-up on) writes a line to ``mfs_chaos_kills.jsonl`` and kills the process with SIGKILL:

- ``before_commit`` / ``after_commit``: ``Committer._commit`` (an executor thread), in
  the transaction of a batch that stores a press (a write of ``store._insert_press``)
  just before its COMMIT runs / just after the COMMIT returned;
- ``after_2xx``: ``Outbox._finish`` at entry, for a delivery (the police answered 2xx and
  the delivery is not recorded yet).

``mid_post`` needs no probe: the harness's receiver holds the POST and the driver kills.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
import functools
import importlib
import json
import logging
import os
from pathlib import Path
import signal
import sqlite3
import time
from typing import Any, Final

from homeassistant.const import EVENT_HOMEASSISTANT_STARTED
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from .points import ARMED, ENV, MARKER, KillPlan, KillPoint

DOMAIN: Final = "mfs_chaos_probe"
CONFIG_SCHEMA = cv.empty_config_schema(DOMAIN)
_LOGGER = logging.getLogger(__name__)

# Everything the probe relies on, by name, in one place: (module, attribute path).
_FRENTE = "custom_components.mi_frente_seguro.frente"
TARGETS: Final = {
    "commit": (f"{_FRENTE}.committer", "Committer._commit"),
    "group": (f"{_FRENTE}.committer", "_Group"),
    "press_write": (f"{_FRENTE}.store", "_insert_press"),
    "finish": (f"{_FRENTE}.dispatch.outbox", "Outbox._finish"),
    "finish_op": (f"{_FRENTE}.dispatch.outbox_db", "Finish"),
    "delivered": (f"{_FRENTE}.dispatch.outbox_db", "DELIVERED"),
}
# Dataclass fields read at run time: (target, field).
FIELDS: Final = (("group", "writes"), ("finish_op", "status"))
CONNECTION: Final = "_db"  # the Committer's sqlite3 connection (an instance attribute)


class ProbeTargetError(LookupError):
    """A function or field the probe wraps is not where it used to be (renamed?)."""


@dataclass(frozen=True, slots=True)
class Target:
    """A looked-up attribute and the object that holds it (to wrap it in place)."""

    owner: Any
    name: str
    value: Any


def resolve() -> dict[str, Target]:
    """Import and look up every target; raise :class:`ProbeTargetError` if one is gone."""
    found: dict[str, Target] = {}
    for key, (module_name, path) in TARGETS.items():
        owner: Any = importlib.import_module(module_name)
        *parents, name = path.split(".")
        for part in parents:
            owner = _attribute(owner, part, module_name, path)
        found[key] = Target(owner, name, _attribute(owner, name, module_name, path))
    for key, field in FIELDS:
        if field not in getattr(found[key].value, "__dataclass_fields__", {}):
            raise ProbeTargetError(f"{TARGETS[key][1]} has no field {field!r}")
    return found


def _attribute(owner: Any, name: str, module_name: str, path: str) -> Any:
    if not hasattr(owner, name):
        raise ProbeTargetError(f"chaos probe: {module_name}.{path} is missing")
    return getattr(owner, name)


class Killer:
    """Count the occurrences of the plan's point; at the n-th, mark and SIGKILL."""

    def __init__(self, plan: KillPlan, marker: Path) -> None:
        """Kill as ``plan`` says; ``marker`` gets one JSON line just before."""
        self.plan = plan
        self.marker = marker
        self.seen = 0
        self.counting = plan.boot  # else from HA's "started" on (see start_counting)

    @callback
    def start_counting(self, _event: Any = None) -> None:
        """Count occurrences from now on."""
        self.counting = True

    def due(self, point: KillPoint) -> bool:
        """Count one occurrence of ``point``; return True if it is the planned one."""
        if point is not self.plan.point or not self.counting:
            return False
        self.seen += 1
        return self.seen == self.plan.nth

    def kill(self, where: str) -> None:
        """Append the marker line (fsync'd), then SIGKILL this process."""
        line = {"point": str(self.plan.point), "nth": self.plan.nth, "where": where}
        _append(self.marker, {**line, "pid": os.getpid(), "at": time.time()})
        os.kill(os.getpid(), signal.SIGKILL)


def _append(path: Path, record: dict[str, Any]) -> None:
    """Append a JSON line durably (os-level calls: no blocking-open check in the loop)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (json.dumps(record) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def _has_press(groups: Iterable[Any], press_write: Callable[..., None]) -> bool:
    """Return True if a staged group stores a press (a partial of ``_insert_press``)."""
    return any(
        isinstance(write, functools.partial) and write.func is press_write
        for group in groups
        for write in group.writes
    )


def wrap_commit(
    original: Callable[[Any, list[Any]], Any],
    press_write: Callable[..., None],
    killer: Killer,
) -> Callable[[Any, list[Any]], Any]:
    """Return ``Committer._commit`` that may kill before or after a press's COMMIT.

    ``before_commit`` kills inside the transaction: every write of the batch has run
    and the connection is about to execute COMMIT (SQLite's trace callback sees the
    statement before it runs). Without the connection it kills at entry and says so in
    the mark (``where``), which the driver refuses.
    """

    @functools.wraps(original)
    def _commit(self: Any, groups: list[Any]) -> Any:
        press = _has_press(groups, press_write)
        db = getattr(self, CONNECTION, None)
        if press and killer.due(KillPoint.BEFORE_COMMIT):
            if not isinstance(db, sqlite3.Connection):
                killer.kill(f"entry (no {CONNECTION} connection)")
            else:
                db.set_trace_callback(functools.partial(_kill_at_commit, killer))
        try:
            result = original(self, groups)
        finally:
            if isinstance(db, sqlite3.Connection):
                db.set_trace_callback(None)
        if press and killer.due(KillPoint.AFTER_COMMIT):
            killer.kill("COMMIT returned")
        return result

    return _commit


def _kill_at_commit(killer: Killer, statement: str) -> None:
    """SQLite trace callback: kill when the transaction's COMMIT is about to run."""
    if statement.strip().upper() == "COMMIT":
        killer.kill("COMMIT")


def wrap_finish(
    original: Callable[..., Awaitable[None]], delivered: str, killer: Killer
) -> Callable[..., Awaitable[None]]:
    """Return ``Outbox._finish`` that may kill once a delivery was answered 2xx."""

    @functools.wraps(original)
    async def _finish(self: Any, op: Any, *rest: Any) -> None:
        if op.status == delivered and killer.due(KillPoint.AFTER_2XX):
            killer.kill("Outbox._finish")
        await original(self, op, *rest)

    return _finish


def install(targets: dict[str, Target], killer: Killer) -> None:
    """Wrap the committer's and the outbox's functions in place."""
    commit, finish = targets["commit"], targets["finish"]
    setattr(
        commit.owner,
        commit.name,
        wrap_commit(commit.value, targets["press_write"].value, killer),
    )
    setattr(
        finish.owner,
        finish.name,
        wrap_finish(finish.value, targets["delivered"].value, killer),
    )


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Look the targets up (always); arm the killer when ``MFS_CHAOS`` says so."""
    targets = await hass.async_add_import_executor_job(resolve)
    if not (text := os.environ.get(ENV, "")):
        return True
    plan = KillPlan.parse(text)
    killer = Killer(plan, Path(hass.config.path(MARKER)))
    install(targets, killer)
    if not plan.boot:
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STARTED, killer.start_counting)
    armed = {"plan": str(plan), "pid": os.getpid()}
    await hass.async_add_executor_job(
        Path(hass.config.path(ARMED)).write_text, json.dumps(armed)
    )
    _LOGGER.warning("Chaos probe armed: %s (pid %s)", plan, os.getpid())
    return True
