"""``scripts/bench [--quick] [--output FILE]``: run the benchmarks, print and write the report.

The full run writes docs/benchmarks.md; ``--quick`` is a small run that writes nothing
unless ``--output`` is given.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from .run import RESULTS, run


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(
        prog="scripts/bench", description="Benchmarks, each figure beside its target."
    )
    parser.add_argument("--quick", action="store_true", help="a small, fast run")
    parser.add_argument(
        "--output", type=Path, help=f"where to write the results (default {RESULTS})"
    )
    args = parser.parse_args()
    output = args.output or (None if args.quick else RESULTS)
    asyncio.run(run(args.quick, output))


if __name__ == "__main__":
    main()
