"""The benchmarks' running parts in one place: receiver, Mosquitto, ``hass``, a publisher.

``bench_stack`` starts the police receiver, Mosquitto and the benchmark's HA (logged in)
and stops all three on the way out; ``alarm_bench`` connects the MQTT publisher the kit
presses go through and routes the receiver's arrivals to an :class:`AlarmBench`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import aiomqtt

from scripts.harness.mosquitto import Mosquitto

from .alarm import AlarmBench
from .ha import BenchHa
from .receiver import PoliceReceiver


@dataclass(frozen=True, slots=True)
class Stack:
    """The started parts."""

    ha: BenchHa
    receiver: PoliceReceiver
    broker: Mosquitto


@asynccontextmanager
async def bench_stack(scratch: Path) -> AsyncIterator[Stack]:
    """Start the receiver, Mosquitto and HA under ``scratch``; stop them afterwards."""
    receiver = PoliceReceiver()
    receiver.start()
    broker = Mosquitto(scratch / "mosquitto")
    ha = BenchHa(scratch, receiver.url, broker.port)
    try:
        await broker.start()
        async with aiohttp.ClientSession() as session:
            await ha.start(session)
            yield Stack(ha, receiver, broker)
    finally:
        await ha.stop()
        await broker.stop()
        receiver.stop()


@asynccontextmanager
async def alarm_bench(stack: Stack, identifier: str) -> AsyncIterator[AlarmBench]:
    """Return an AlarmBench publishing as ``identifier``, fed by the receiver."""
    async with aiomqtt.Client(
        "127.0.0.1", stack.broker.port, identifier=identifier
    ) as mqtt:
        bench = AlarmBench(stack.ha, stack.receiver, mqtt)
        stack.receiver.on_arrival = bench.on_arrival
        yield bench
