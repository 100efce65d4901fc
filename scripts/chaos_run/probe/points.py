"""The chaos harness's kill points and how a kill plan travels to ``hass`` (no HA import).

Shared by the driver (``scripts.chaos_run``) and the probe loaded into the test Home
Assistant (``custom_components.mfs_chaos_probe``): the driver sets :data:`ENV` on the
``hass`` process to a plan such as ``before_commit:2`` ("kill at the second press commit
once HA has started") or ``before_commit:2:boot`` (counted from the probe's set-up, so
the presses and messages HA replays while it starts count too), and the probe writes one
JSON line to :data:`MARKER` in HA's configuration folder just before it kills the process
with SIGKILL.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Self

ENV: Final = "MFS_CHAOS"
MARKER: Final = "mfs_chaos_kills.jsonl"  # one line per kill the probe made
ARMED: Final = "mfs_chaos_armed.json"  # the plan of the running hass, with its pid


class KillPoint(StrEnum):
    """Where in a press's way to the police ``hass`` is killed."""

    BEFORE_COMMIT = "before_commit"  # inside the transaction that stores a press
    AFTER_COMMIT = "after_commit"  # that COMMIT returned; no police POST started yet
    MID_POST = "mid_post"  # the receiver holds the POST; the driver kills
    AFTER_2XX = "after_2xx"  # the receiver answered 2xx; the delivery is not recorded


# The points the probe kills at from inside; MID_POST is the driver's own SIGKILL.
PROBE_POINTS: Final = frozenset(
    {KillPoint.BEFORE_COMMIT, KillPoint.AFTER_COMMIT, KillPoint.AFTER_2XX}
)


BOOT: Final = "boot"


@dataclass(frozen=True, slots=True)
class KillPlan:
    """Kill at the ``nth`` occurrence of ``point`` once HA started (or from ``boot``)."""

    point: KillPoint
    nth: int
    boot: bool = False

    def __str__(self) -> str:
        """Return the plan as the environment variable holds it."""
        return f"{self.point}:{self.nth}" + (f":{BOOT}" if self.boot else "")

    @classmethod
    def parse(cls, text: str) -> Self:
        """Read ``point[:nth[:boot]]``; raise ``ValueError`` for anything else."""
        point, *rest = text.strip().split(":")
        if len(rest) > 2 or rest[1:] not in ([], [BOOT]):
            raise ValueError(f"{ENV}: expected point[:nth[:{BOOT}]], not {text!r}")
        count = int(rest[0]) if rest else 1
        if count < 1:
            raise ValueError(f"{ENV}: the occurrence must be 1 or more, not {count}")
        return cls(KillPoint(point), count, boot=len(rest) == 2)
