"""``scripts/chaos --kills 100 [--seed N] [--output docs/chaos.md]``: the full chaos run.

Prints progress, writes the Markdown report (``--output``; none when empty) and exits 1
when a press was lost or counted twice (or could not be checked), 2 when the run itself
failed (a kill point never fired, hass crashed). The run's folder (HA's configuration and
``hass.log``, the broker's, the receiver's journal) is kept when the run fails, or with
``--keep``.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import random
import shutil
import sys
import tempfile

from scripts.harness.ha import ROOT

from .driver import Driver
from .report import passed, render
from .results import ChaosError, RunResult

RESULTS = ROOT / "docs" / "chaos.md"


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="scripts/chaos", description=__doc__)
    parser.add_argument("--kills", type=int, default=100, help="SIGKILLs in all")
    parser.add_argument("--seed", type=int, default=None, help="random seed")
    parser.add_argument("--output", default=str(RESULTS), help="report file ('': none)")
    parser.add_argument("--folder", type=Path, default=None, help="run folder")
    parser.add_argument("--keep", action="store_true", help="keep the run folder")
    args = parser.parse_args(argv)
    if args.kills < 1:
        parser.error("--kills must be 1 or more")
    return args


async def chaos(kills: int, seed: int, folder: Path) -> RunResult:
    """Run ``kills`` kills with ``seed`` in ``folder``; return the result."""
    driver = Driver(folder, seed, say=lambda line: print(line, flush=True))
    return await driver.run(driver.plan(kills))


def main(argv: list[str] | None = None) -> int:
    """Run, report, and return the exit status."""
    args = parse(argv)
    seed = (
        args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    )
    folder = args.folder or Path(tempfile.mkdtemp(prefix="mfs-chaos-"))
    print(f"chaos: {args.kills} kills, seed {seed}, folder {folder}", flush=True)
    try:
        result = asyncio.run(chaos(args.kills, seed, folder))
    except ChaosError as err:
        print(f"chaos: the run failed: {err} (see {folder})", file=sys.stderr)
        return 2
    command = f"scripts/chaos --kills {args.kills} --seed {seed}"
    report = render(result, command)
    print(report)
    if args.output:
        Path(args.output).write_text(report, encoding="utf-8")
        print(f"chaos: report written to {args.output}")
    ok = passed(result)
    if ok and not args.keep and args.folder is None:
        shutil.rmtree(folder, ignore_errors=True)
    else:
        print(f"chaos: run folder kept: {folder}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
