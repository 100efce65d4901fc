"""What a chaos run found: its kills, its presses and their tally (``docs/chaos.md``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .probe.points import KillPlan
from .tally import Tally


class ChaosError(RuntimeError):
    """The run could not do what it planned (a kill point never fired, hass crashed)."""


@dataclass(frozen=True, slots=True)
class Kill:
    """One SIGKILL of hass, verified."""

    plan: KillPlan
    start: int  # which start of hass it ended (1 = the set-up's)
    rounds: int  # rounds played in that run (0: killed while starting)
    seconds: float  # from the start of hass to its death
    status: int  # hass's exit status: -9
    where: str  # the probe's mark, or the POST the receiver held


@dataclass(slots=True)
class RunResult:
    """Everything the report needs."""

    seed: int
    kills: list[Kill] = field(default_factory=list)
    presses: list[str] = field(default_factory=list)
    rounds: int = 0
    starts: int = 0
    receiver_downs: int = 0
    posts: int = 0
    duplicates: int = 0
    held: int = 0
    refused: int = 0
    drain_s: float = 0.0  # last start of hass -> every press at the receiver
    duration_s: float = 0.0
    tally: Tally = field(default_factory=Tally)
