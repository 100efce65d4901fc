"""The alarm-path benchmarks: press -> police, app -> police, a burst, and an outage drained.

Every scenario runs over the real pieces: presses are published to the real Mosquitto (as
the street kit does) or sent through the phone's mobile_app webhook (as the companion app
does), the integration runs in a real ``hass`` process, and the police endpoint is the
benchmarks' receiver. The hand-built chain (HA's MQTT integration -> automation
-> ``rest_command``) runs in the same HA, on the same broker, in the same run. The outage
scenario is in ``outage``, the garbage census in ``garbage``.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
import itertools
import json
import time
from typing import Any

import aiomqtt

from .ha import BenchFront, BenchHa
from .receiver import Arrival, PoliceReceiver
from .stats import loop_figures, summary

WAIT = 30.0  # s a press may take before it counts as lost

type Press = Callable[[BenchFront, int], Awaitable[None]]
type Reset = Callable[[BenchFront], Awaitable[None]]


@dataclass(slots=True)
class Latencies:
    """Press -> receipt times of one scenario."""

    values_ms: list[float] = field(default_factory=list)
    lost: int = 0
    slipped: int = 0  # presses that waited for the front's previous round
    uncancelled: int = 0  # cancellations that did not reach the police in time
    loop: dict[str, Any] = field(default_factory=dict)  # lag and GC pauses inside HA

    def report(self) -> dict[str, Any]:
        """Return the figures for the report."""
        return {
            **summary(self.values_ms),
            "lost": self.lost,
            "slipped": self.slipped,
            "uncancelled": self.uncancelled,
            **self.loop,
        }


class AlarmBench:
    """Drive presses into HA and match them with what the receiver got."""

    def __init__(
        self, ha: BenchHa, receiver: PoliceReceiver, mqtt: aiomqtt.Client
    ) -> None:
        """Use a started HA, receiver and a connected MQTT publisher."""
        self.ha = ha
        self.receiver = receiver
        self.mqtt = mqtt
        self.loop = asyncio.get_running_loop()
        self._waiters: dict[Hashable, asyncio.Future[Arrival]] = {}
        self._seq = itertools.count(1)

    def on_arrival(self, arrival: Arrival) -> None:
        """Take an arrival from the receiver's thread."""
        self.loop.call_soon_threadsafe(self._route, arrival)

    def _route(self, arrival: Arrival) -> None:
        key: Hashable = (
            (arrival.chain, arrival.front, arrival.seq)
            if arrival.chain == "handbuilt"
            else (arrival.chain, arrival.front, arrival.message_type)
        )
        waiter = self._waiters.pop(key, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(arrival)

    def _expect(self, key: Hashable) -> asyncio.Future[Arrival]:
        waiter: asyncio.Future[Arrival] = self.loop.create_future()
        self._waiters[key] = waiter
        return waiter

    # -- the ways to press ---------------------------------------------------------------

    async def kit_press(self, front: BenchFront, number: int) -> None:
        """Publish a street-kit press, exactly as the kit does (QoS 1, JSON)."""
        payload = {"button": "b1", "seq": next(self._seq), "kind": "panic"}
        await self.mqtt.publish(f"mfs/{front.front_id}/panic", json.dumps(payload), 1)

    async def handbuilt_press(self, front: BenchFront, number: int) -> None:
        """Publish a press for the hand-built chain's automation."""
        await self.mqtt.publish(
            f"handbuilt/{front.front_id}/panic", json.dumps({"seq": number}), 1
        )

    async def app_press(self, front: BenchFront, number: int) -> None:
        """Press the front's Pánico button from the phone (mobile_app webhook)."""
        await self.ha.app_call("button", "press", {"entity_id": front.panic_button})

    async def app_handbuilt(self, front: BenchFront, number: int) -> None:
        """Press the hand-built app button: the phone calls ``rest_command`` directly."""
        await self.ha.app_call(
            "rest_command", "police_handbuilt", {"front": front.front_id, "seq": number}
        )

    async def cancel(self, front: BenchFront) -> None:
        """Cancel the front's open incident and wait until the police hear it."""
        told = self._expect(("alerts", front.front_id, "incident.cancelled"))
        await self.ha.action(
            "mi_frente_seguro", "cancel", config_entry_id=front.entry_id, reason="banco"
        )
        await asyncio.wait_for(told, WAIT)

    # -- scenarios -----------------------------------------------------------------------

    async def latency(
        self,
        fronts: list[BenchFront],
        press: Press,
        count: int,
        rate: float,
        *,
        ours: bool,
    ) -> Latencies:
        """Press ``count`` times at ``rate`` per second, round-robin over ``fronts``.

        Ours: each press must open an incident and reach the receiver as a signed
        ``incident.created``; it is then cancelled (and the cancellation delivered) before
        that front presses again. Hand-built: each press must reach the receiver.
        """
        result = Latencies()
        busy: dict[str, asyncio.Task[None]] = {}
        await self.ha.probe_start()
        started = self.loop.time()
        for number in range(count):
            front = fronts[number % len(fronts)]
            await sleep_until(self.loop, started + number / rate)
            if (
                previous := busy.get(front.front_id)
            ) is not None and not previous.done():
                result.slipped += 1
                await previous
            busy[front.front_id] = asyncio.create_task(
                self.one_round(front, number, press, result, ours=ours)
            )
        await asyncio.gather(*busy.values())
        result.loop = loop_figures(*await self.ha.probe_stop())
        return result

    async def one_round(
        self,
        front: BenchFront,
        number: int,
        press: Press,
        result: Latencies,
        *,
        ours: bool,
    ) -> None:
        """Press once and wait for the police; ours then cancels (and waits for that)."""
        key = (
            ("alerts", front.front_id, "incident.created")
            if ours
            else ("handbuilt", front.front_id, number)
        )
        arrived = self._expect(key)
        pressed = time.perf_counter()
        await press(front, number)
        try:
            arrival = await asyncio.wait_for(arrived, WAIT)
        except TimeoutError:
            result.lost += 1
            self._waiters.pop(key, None)
        else:
            result.values_ms.append((arrival.at - pressed) * 1000)
        if ours:
            try:
                await self.cancel(front)
            except TimeoutError:
                result.uncancelled += 1

    async def burst(
        self, fronts: list[BenchFront], total: int, seconds: float, *, ours: bool
    ) -> dict[str, Any]:
        """Publish ``total`` presses evenly over ``seconds`` s, round-robin over fronts.

        Measures the event loop's lag inside HA while it happens, what HA recorded (ours:
        presses on each front's incident) and, for ours, how long each press took to be in
        a message the police received.
        """
        first = len(self.receiver.arrivals)
        pressed: dict[str, list[float]] = defaultdict(list)
        press = self.kit_press if ours else self.handbuilt_press
        await self.ha.probe_start()
        started = self.loop.time()
        for number in range(total):
            front = fronts[number % len(fronts)]
            await sleep_until(self.loop, started + number * seconds / total)
            pressed[front.front_id].append(time.perf_counter())
            await press(front, number)
        sent_in = self.loop.time() - started
        try:
            async with asyncio.timeout(120):
                while not self._burst_delivered(first, fronts, pressed, ours=ours):
                    await asyncio.sleep(0.2)
        except TimeoutError:
            pass  # counted below as lost
        loop = loop_figures(*await self.ha.probe_stop())
        arrivals = self.since(first)
        figures: dict[str, Any] = {
            "presses": total,
            "fronts": len(fronts),
            "sent_in_s": round(sent_in, 2),
            **loop,
        }
        if ours:
            recorded = await self._recorded_presses(fronts)
            figures |= {
                "recorded": recorded,
                "lost": total - recorded,
                "incidents": len(
                    {
                        a.incident_id
                        for a in arrivals
                        if a.message_type == "incident.created"
                    }
                ),
                "press_to_police_ms": summary(_known_after(pressed, arrivals)),
                "messages": len(arrivals),
            }
            for front in fronts:
                await self.cancel(front)
        else:
            figures |= {
                "recorded": len(arrivals),
                "lost": total - len({(a.front, a.seq) for a in arrivals}),
            }
        return figures

    def since(self, first: int) -> list[Arrival]:
        """Return the valid arrivals from index ``first`` on."""
        return [a for a in self.receiver.arrivals[first:] if a.valid]

    def _burst_delivered(
        self,
        first: int,
        fronts: list[BenchFront],
        pressed: dict[str, list[float]],
        *,
        ours: bool,
    ) -> bool:
        arrivals = self.since(first)
        if not ours:
            return len(arrivals) >= sum(len(times) for times in pressed.values())
        known: dict[str, int] = defaultdict(int)
        for arrival in arrivals:
            known[arrival.front] = max(known[arrival.front], arrival.presses)
        return all(known[f.front_id] >= len(pressed[f.front_id]) for f in fronts)

    async def _recorded_presses(self, fronts: list[BenchFront]) -> int:
        total = 0
        for front in fronts:
            state = await self.ha.state(front.entities["incident"])
            total += int(state["attributes"].get("presses") or 0)
        return total


def _known_after(
    pressed: dict[str, list[float]], arrivals: list[Arrival]
) -> list[float]:
    """For each press, ms until a message carrying it (by count) reached the police."""
    delays: list[float] = []
    by_front: dict[str, list[Arrival]] = defaultdict(list)
    for arrival in arrivals:
        by_front[arrival.front].append(arrival)
    for front, times in pressed.items():
        received = sorted(by_front[front], key=lambda a: a.at)
        for number, at in enumerate(times, start=1):
            when = next((a.at for a in received if a.presses >= number), None)
            if when is not None:
                delays.append((when - at) * 1000)
    return delays


async def sleep_until(loop: asyncio.AbstractEventLoop, deadline: float) -> None:
    """Sleep until the loop's clock reads ``deadline`` (at once if it is past)."""
    delay = deadline - loop.time()
    if delay > 0:
        await asyncio.sleep(delay)
