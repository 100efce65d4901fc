"""A real Mosquitto on a free 127.0.0.1 port, and a handler that records what it hears."""

from __future__ import annotations

import asyncio

import aiomqtt

from custom_components.mi_frente_seguro.frente.kit.protocol import (
    PressMessage,
    Telemetry,
)
from scripts.harness.mosquitto import Mosquitto


class Recorder:
    """A KitHandler that keeps everything it is told."""

    def __init__(self) -> None:
        """Start empty."""
        self.presses: list[PressMessage] = []
        self.sirens: list[bool] = []
        self.availability: list[bool] = []
        self.telemetry: list[Telemetry] = []
        self.links: list[bool] = []
        self.auth_failed = asyncio.Event()
        self.fail_next_presses = 0
        self.changed = asyncio.Event()

    def _note[T](self, into: list[T], value: T) -> None:
        """Keep ``value`` in ``into`` and wake whoever waits for a change."""
        into.append(value)
        self.changed.set()

    async def on_press(self, press: PressMessage) -> None:
        """Record a press (or fail, when told to)."""
        if self.fail_next_presses:
            self.fail_next_presses -= 1
            raise OSError("disk full (simulated)")
        self._note(self.presses, press)

    def on_siren_state(self, on: bool) -> None:
        """Record a siren state."""
        self._note(self.sirens, on)

    def on_availability(self, online: bool) -> None:
        """Record availability."""
        self._note(self.availability, online)

    def on_telemetry(self, telemetry: Telemetry) -> None:
        """Record telemetry."""
        self._note(self.telemetry, telemetry)

    def on_link(self, connected: bool) -> None:
        """Record link changes."""
        self._note(self.links, connected)

    def on_auth_failed(self) -> None:
        """Record a credentials refusal."""
        self.auth_failed.set()

    async def wait_for(self, check: object, timeout: float = 10) -> None:
        """Wait until ``check()`` is true."""
        assert callable(check)
        async with asyncio.timeout(timeout):
            while not check():
                self.changed.clear()
                await self.changed.wait()


async def publish(
    broker: Mosquitto, topic: str, payload: bytes | str, retain: bool = False
) -> None:
    """Publish one QoS 1 message as the street kit would."""
    async with aiomqtt.Client("127.0.0.1", broker.port, identifier="test-kit") as kit:
        await kit.publish(topic, payload, qos=1, retain=retain)
