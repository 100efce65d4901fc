"""The demo: a real Home Assistant on 127.0.0.1 with a demo front, until Ctrl-C.

Run through ``scripts/develop``. The configuration lives in ``config/`` (git keeps only
``configuration.yaml``); the first run creates the demo user and the demo front, later runs
reuse them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from pathlib import Path
import signal

import aiohttp

from .ha import ROOT, HaClient, HaProcess, prepare_config

DEMO_USER = "demo"
DEMO_PASSWORD = "frente-seguro"  # noqa: S105  (a local demo login, printed on purpose)
DEMO_FRONT = {
    "name": "Calle Real",
    "barrio": "Manga",
    "address": "Calle 26 # 20-15",
    "location": {"latitude": 10.4139, "longitude": -75.5364, "radius": 150},
    "cuadrante_code": "MECAR-E1-C3",
    "cuadrante_name": "Cuadrante 3 Manga",
    "cuadrante_phone": "300 123 4567",
    "coordinator_name": "Ana Pérez",
    "coordinator_phone": "310 765 4321",
}


async def run(config_dir: Path, port: int) -> None:
    """Start HA, make sure the demo front exists, print how to log in, wait for Ctrl-C."""
    prepare_config(config_dir, {DEMO_USER: DEMO_PASSWORD})
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    hass = HaProcess(config_dir, port)
    print(f"Starting Home Assistant on {hass.url} (log: {hass.log_path}) ...")
    async with hass, aiohttp.ClientSession() as session:
        client = HaClient(session, hass.url)
        await client.login(DEMO_USER, DEMO_PASSWORD)
        await client.wait_running()
        entries = await client.rest(
            "GET", "/api/config/config_entries/entry?domain=mi_frente_seguro"
        )
        if not entries:
            await client.add_front(DEMO_FRONT)
            print("Demo front 'Calle Real' (Manga) added.")
        print(
            "\nMi Frente Seguro demo is up.\n"
            f"  Open   {hass.url}\n"
            f"  Login  {DEMO_USER} / {DEMO_PASSWORD}\n"
            "  Front  Ajustes -> Dispositivos y servicios -> Mi Frente Seguro\n"
            "Ctrl-C stops everything.\n",
            flush=True,
        )
        with contextlib.suppress(asyncio.CancelledError):
            waiter = asyncio.create_task(stop.wait())
            assert hass.process is not None
            exited = asyncio.create_task(hass.process.wait())
            await asyncio.wait({waiter, exited}, return_when=asyncio.FIRST_COMPLETED)
            if exited.done():
                print(f"Home Assistant stopped by itself; see {hass.log_path}")
            waiter.cancel()
        print("Stopping ...")


def main() -> None:
    """Parse arguments and run the demo."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, default=ROOT / "config")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("MFS_HA_PORT", "8123"))
    )
    args = parser.parse_args()
    asyncio.run(run(args.config, args.port))


if __name__ == "__main__":
    main()
