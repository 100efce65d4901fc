"""The demo: a whole front on one machine (127.0.0.1 only), until Ctrl-C.

Run through ``scripts/develop``: Mosquitto, four RTSP test cameras, a real Home Assistant
with the demo front (kit broker, cameras and police link already set up), the reference
police console and the simulated street kit, whose button you press by typing ``press``.
The configuration lives in ``config/`` (git keeps only ``configuration.yaml``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from pathlib import Path
import signal
import sys

import aiohttp

from .ha import ROOT
from .stack import DEMO_PASSWORD, DEMO_USER, DemoStack


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
            client = await stack.start(session)
            await client.close()
        print(
            "\nMi Frente Seguro demo is up (everything on 127.0.0.1).\n"
            f"  Home Assistant   {stack.hass.url}   login {DEMO_USER} / {DEMO_PASSWORD}\n"
            f"  Police console   {stack.console_url}\n"
            f"  MQTT broker      127.0.0.1:{stack.mosquitto.port}\n"
            f"  Cameras          {stack.cameras.url(1)} .. cam4\n"
            "Type 'press' (or 'press silent') + Enter to press the street button.\n"
            "Ctrl-C stops everything.\n",
            flush=True,
        )
        await _relay_presses(stack, stop)
    finally:
        print("Stopping ...", flush=True)
        await stack.stop()


async def _relay_presses(stack: DemoStack, stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    waiter = asyncio.create_task(stop.wait())
    while not stop.is_set():
        line_task = loop.run_in_executor(None, sys.stdin.readline)
        done, _ = await asyncio.wait(
            {waiter, asyncio.ensure_future(line_task)},
            return_when=asyncio.FIRST_COMPLETED,
        )
        if waiter in done:
            break
        line = line_task.result()
        if not line:  # stdin closed: wait for Ctrl-C
            await waiter
            break
        words = line.split()
        if words[:1] == ["press"]:
            await stack.press(words[1] if len(words) > 1 else "panic")
            print("pressed", flush=True)
    with contextlib.suppress(asyncio.CancelledError):
        waiter.cancel()


def main() -> None:
    """Parse arguments and run the demo."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
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
