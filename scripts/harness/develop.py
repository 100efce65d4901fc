"""The demo: a whole front on one machine (127.0.0.1 only), until Ctrl-C.

Run through ``scripts/develop``: Mosquitto, four RTSP test cameras, a real Home Assistant
with the demo front (kit broker, cameras and police link already set up), the reference
police console and the simulated street kit, whose button you press by typing ``press``.
The configuration lives in ``config/`` (git keeps only ``configuration.yaml``).

Ctrl-C (or SIGTERM) stops every process and ends at once, even while starting: stdin is
read by the event loop itself (no thread blocked in ``readline`` for shutdown to wait on).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable
import os
from pathlib import Path
import signal
import sys

import aiohttp

from .ha import ROOT
from .stack import DemoStack
from .stdin import StdinLines


async def until_stopped[T](stop: asyncio.Event, work: Awaitable[T]) -> T | None:
    """Await ``work`` unless ``stop`` is set first (then cancel it and return None)."""
    task = asyncio.ensure_future(work)
    waiter = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pending in (task, waiter):
            pending.cancel()
        await asyncio.gather(task, waiter, return_exceptions=True)
    return task.result() if not task.cancelled() else None


async def run(folder: Path, port: int) -> None:
    """Start the stack, print where to look, relay 'press' lines to the kit."""
    stack = DemoStack(folder, ha_port=port, ha_config=ROOT / "config")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print("Starting Mosquitto, four test cameras and Home Assistant ...", flush=True)
    try:
        async with aiohttp.ClientSession() as session:
            client = await until_stopped(stop, stack.start(session))
            if client is not None:
                await client.close()
        if not stop.is_set():
            print(
                "\nMi Frente Seguro demo is up (everything on 127.0.0.1).\n"
                f"{stack.summary()}\n"
                "Type 'press' (or 'press silent') + Enter to press the street button.\n"
                "Ctrl-C stops everything.\n",
                flush=True,
            )
            await relay_presses(stack, stop, StdinLines(sys.stdin.fileno()))
    finally:
        print("Stopping ...", flush=True)
        await stack.stop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def relay_presses(
    stack: DemoStack, stop: asyncio.Event, stdin: StdinLines
) -> None:
    """Press the kit's button for each 'press [kind]' line, until ``stop`` is set."""
    try:
        while (line := await until_stopped(stop, stdin.lines.get())) is not None:
            words = line.split()
            if words[:1] == ["press"]:
                await stack.press(words[1] if len(words) > 1 else "panic")
                print("pressed", flush=True)
        await stop.wait()  # end of input: the demo runs on until Ctrl-C
    finally:
        stdin.close()


def main() -> None:
    """Parse arguments and run the demo."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("MFS_HA_PORT", "8123"))
    )
    parser.add_argument(
        "--state", type=Path, default=Path("/tmp/mi-frente-seguro-demo"),  # noqa: S108
        help="where the broker, cameras and console keep their files",
    )  # fmt: skip
    args = parser.parse_args()
    asyncio.run(run(args.state, args.port))


if __name__ == "__main__":
    main()
