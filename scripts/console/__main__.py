"""The police console's command line: ``scripts/police_console`` (``python -m scripts.console``).

    scripts/police_console --port 8765 --secret whsec_... --previous-secret whsec_...
        --front-webhook http://127.0.0.1:8123/api/webhook/<webhook_id>

It prints ``police console on http://127.0.0.1:PORT`` once it listens, and serves until
Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os

from custom_components.mi_frente_seguro.frente.dispatch.signing import (
    InvalidSecretError,
)

from .app import DEFAULT_PORT, PoliceConsole, parse_secrets


async def run(args: argparse.Namespace) -> None:
    """Serve the console until interrupted."""
    secrets = [args.secret] + ([args.previous_secret] if args.previous_secret else [])
    console = PoliceConsole(secrets, args.front_webhook)
    url = await console.start(args.port)
    print(f"police console on {url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await console.stop()


def main() -> None:
    """Parse arguments and run the console."""
    parser = argparse.ArgumentParser(
        description="Reference police console: receives a front's alerts, sends status updates."
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="0: any free port"
    )
    parser.add_argument(
        "--secret",
        default=os.environ.get("MFS_POLICE_SECRET"),
        help="the front's whsec_ secret (or MFS_POLICE_SECRET)",
    )
    parser.add_argument(
        "--previous-secret",
        default=os.environ.get("MFS_POLICE_PREVIOUS_SECRET"),
        help="the previous secret while rotating",
    )
    parser.add_argument(
        "--front-webhook",
        help="the front's status webhook, http://127.0.0.1:8123/api/webhook/<id>",
    )
    args = parser.parse_args()
    if not args.secret:
        parser.error("--secret (or MFS_POLICE_SECRET) is required")
    try:
        parse_secrets([s for s in (args.secret, args.previous_secret) if s])
    except InvalidSecretError as err:
        parser.error(str(err))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
