"""A street kit on the command line: panic button, siren and telemetry over MQTT.

It speaks the kit protocol (docs/kit-protocol.md) exactly as the hardware does: it announces
itself (retained ``online``, last will ``offline``), sends telemetry, presses on demand,
obeys siren commands and publishes the siren's state (retained).

    scripts/kit_simulator --front manga_calle_real --port 1883        # interactive
    scripts/kit_simulator --front manga_calle_real --press 3 --exit    # three presses

Interactive commands: ``press [silent]``, ``tamper on|off``, ``battery N``, ``offline``,
``online``, ``quit``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from typing import Any

import aiomqtt

from .stdin import StdinLines

TELEMETRY_INTERVAL = 30.0  # s


class KitSimulator:
    """One simulated kit connected to a broker."""

    def __init__(
        self, client: aiomqtt.Client, front_id: str, base: str = "mfs"
    ) -> None:
        """Use a connected client (created with the kit's last will)."""
        self.client = client
        self.prefix = f"{base}/{front_id}"
        self.seq = 0
        self.siren_on = False
        self.battery = 100
        self.tamper = False
        self.commands: list[dict[str, Any]] = []
        self._siren_off: asyncio.TimerHandle | None = None

    @staticmethod
    def will(front_id: str, base: str = "mfs") -> aiomqtt.Will:
        """Return the last will the broker publishes when the kit vanishes."""
        return aiomqtt.Will(f"{base}/{front_id}/availability", "offline", 1, True)

    async def announce(self) -> None:
        """Say online, report the siren off, subscribe to siren commands."""
        await self.client.subscribe(f"{self.prefix}/siren/set", qos=1)
        await self._publish("availability", "online", retain=True)
        await self._publish("siren/state", "OFF", retain=True)
        await self.send_telemetry()

    async def _publish(self, topic: str, payload: str, retain: bool = False) -> None:
        await self.client.publish(
            f"{self.prefix}/{topic}", payload, qos=1, retain=retain
        )

    async def press(self, kind: str = "panic", button: str = "b1") -> int:
        """Press the button; return the sequence number used."""
        self.seq += 1
        payload = {"button": button, "seq": self.seq, "kind": kind}
        await self._publish("panic", json.dumps(payload))
        return self.seq

    async def send_telemetry(self) -> None:
        """Report battery, tamper and a plausible signal strength."""
        payload = {"battery": self.battery, "tamper": self.tamper, "rssi": -61}
        await self._publish("telemetry", json.dumps(payload))

    async def set_online(self, online: bool) -> None:
        """Publish availability by hand (as a kit going to sleep would)."""
        await self._publish("availability", "online" if online else "offline", True)

    async def obey(self) -> None:
        """Follow siren commands until cancelled, reporting the state each time."""
        async for message in self.client.messages:
            raw = message.payload
            text = raw.decode() if isinstance(raw, bytes | bytearray) else str(raw)
            try:
                command = json.loads(text) if text.startswith("{") else {"state": text}
            except ValueError:
                continue
            self.commands.append(command)
            await self._set_siren(
                str(command.get("state", "")).upper() == "ON", command
            )

    async def _set_siren(self, on: bool, command: dict[str, Any]) -> None:
        if self._siren_off is not None:
            self._siren_off.cancel()
            self._siren_off = None
        self.siren_on = on
        await self._publish("siren/state", "ON" if on else "OFF", retain=True)
        print(f"siren {'ON' if on else 'OFF'} {command}", flush=True)
        duration = command.get("duration")
        if on and isinstance(duration, int | float) and duration > 0:
            loop = asyncio.get_running_loop()
            self._siren_off = loop.call_later(
                duration, lambda: loop.create_task(self._set_siren(False, {}))
            )


async def _interactive(kit: KitSimulator) -> None:
    stdin = StdinLines(sys.stdin.fileno())
    try:
        while (line := await stdin.lines.get()) is not None:
            if not await _command(kit, line):
                return
    finally:
        stdin.close()


async def _command(kit: KitSimulator, line: str) -> bool:
    """Carry out one interactive command; return False on ``quit``."""
    words = line.split()
    match words:
        case []:
            pass
        case ["press", *kind]:
            seq = await kit.press(kind[0] if kind else "panic")
            print(f"pressed (seq {seq})", flush=True)
        case ["tamper", state]:
            kit.tamper = state == "on"
            await kit.send_telemetry()
        case ["battery", level]:
            kit.battery = int(level)
            await kit.send_telemetry()
        case ["offline"] | ["online"]:
            await kit.set_online(words[0] == "online")
        case ["quit"]:
            return False
        case _:
            print(f"unknown command: {line.strip()}", flush=True)
    return True


async def run(args: argparse.Namespace) -> None:
    """Connect, announce, then press on demand until told to stop."""
    async with aiomqtt.Client(
        args.host,
        args.port,
        username=args.username,
        password=args.password,
        identifier=f"kit-{args.front}",
        will=KitSimulator.will(args.front, args.base),
        keepalive=args.keepalive,
    ) as client:
        kit = KitSimulator(client, args.front, args.base)
        obey = asyncio.create_task(kit.obey())
        await kit.announce()
        print(f"kit {args.front} online at {args.host}:{args.port}", flush=True)
        telemetry = asyncio.create_task(_telemetry_loop(kit))
        try:
            for _ in range(args.press):
                await kit.press(args.kind)
            if args.exit:
                await asyncio.sleep(args.linger)
            else:
                await _interactive(kit)
        finally:
            for task in (obey, telemetry):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


async def _telemetry_loop(kit: KitSimulator) -> None:
    while True:
        await asyncio.sleep(TELEMETRY_INTERVAL)
        await kit.send_telemetry()


def main() -> None:
    """Parse arguments and run the simulated kit."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--front", required=True, help="front id, e.g. manga_calle_real"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1883)
    parser.add_argument("--username")
    parser.add_argument("--password")
    parser.add_argument("--base", default="mfs", help="topic base")
    parser.add_argument("--keepalive", type=int, default=60)
    parser.add_argument("--press", type=int, default=0, help="press N times at start")
    parser.add_argument("--kind", default="panic", choices=["panic", "silent"])
    parser.add_argument("--exit", action="store_true", help="exit after the presses")
    parser.add_argument(
        "--linger", type=float, default=1.0, help="s to stay with --exit"
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
