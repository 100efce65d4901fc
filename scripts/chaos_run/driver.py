"""The chaos run: press the kit's button while the police flap, SIGKILL hass, count presses.

One *cycle* per planned kill: start ``hass`` with the kill plan, then play *rounds* until it
is dead. A round takes the receiver down or up at random, publishes a few presses (QoS 1,
each with its own button id and seq, as the kit sends them), waits for them to reach the
receiver (when it is up) and cancels the open incident, so incidents stay small. The kill
must be a SIGKILL (-9) made where the plan said: the probe's mark for the probe's points,
the receiver's held POST for ``mid_post``. After the last kill, ``hass`` starts once more
with no plan and the receiver up, and the run waits for every press to arrive, then tallies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
import contextlib
import json
from pathlib import Path
import random
import signal
import time

import aiohttp
import aiomqtt

from scripts.harness.demo_front import FRONT_ID
from scripts.harness.ha_client import HaClient
from scripts.harness.mosquitto import Mosquitto

from .harness import ChaosHa
from .probe.points import PROBE_POINTS, KillPlan, KillPoint
from .receiver import ChaosReceiver
from .results import ChaosError, Kill, RunResult
from .tally import count

TOPIC = f"mfs/{FRONT_ID}/panic"
MAX_ROUNDS = 12  # rounds of one cycle before its kill point counts as never reached
MAX_NTH = 3  # a cycle kills at the 1st..MAX_NTH-th occurrence of its point
BOOT_CHANCE = 0.25  # chance that a cycle counts occurrences while hass starts, too
UP_CHANCE = 0.6  # chance that a round finds the receiver up
SETTLE = 4.0  # s a round waits for its presses at the receiver (when it is up)
DEATH_GRACE = 3.0  # s an error may wait for the death of hass that explains it
DRAIN_TIMEOUT = 120.0  # s for every press to arrive after the last start
QUIET = 2.0  # s with no new message, outbox empty, before the tally
NEEDS_RECEIVER = frozenset({KillPoint.MID_POST, KillPoint.AFTER_2XX})
WHERE = {  # where the probe says it killed, per point
    KillPoint.BEFORE_COMMIT: "COMMIT",
    KillPoint.AFTER_COMMIT: "COMMIT returned",
    KillPoint.AFTER_2XX: "Outbox._finish",
}


class Driver:
    """Plays a whole chaos run in ``folder`` (HA config, broker, receiver journal)."""

    def __init__(
        self, folder: Path, seed: int, say: Callable[[str], None] = print
    ) -> None:
        """Use ``seed`` for every random choice; ``say`` prints progress."""
        self.folder = folder
        self.rng = random.Random(seed)
        self.say = say
        self.result = RunResult(seed)
        self.ha = ChaosHa(folder)
        self.receiver = ChaosReceiver(self.ha.secret, folder / "receiver.jsonl")
        self.session: aiohttp.ClientSession | None = None
        self.kit: aiomqtt.Client | None = None
        self._killer: asyncio.Task[str] | None = None  # mid_post: kills once held

    def plan(self, kills: int) -> list[KillPoint]:
        """Return ``kills`` kill points, as even across the four as can be, shuffled."""
        points = list(KillPoint)
        order = [points[i % len(points)] for i in range(kills)]
        self.rng.shuffle(order)
        return order

    async def run(self, points: Sequence[KillPoint]) -> RunResult:
        """Set up, kill hass once at each of ``points``, drain and tally."""
        started = time.monotonic()
        self.folder.mkdir(parents=True, exist_ok=True)
        async with (
            Mosquitto(self.folder / "mosquitto") as broker,
            aiohttp.ClientSession() as session,
            aiomqtt.Client("127.0.0.1", broker.port, identifier="chaos-kit") as kit,
        ):
            self.session, self.kit = session, kit
            await self.receiver.up()
            try:
                await self.ha.prepare(session, broker.port, self.receiver.url)
                for number, point in enumerate(points, start=1):
                    kill = await self.cycle(point)
                    self.result.kills.append(kill)
                    self.say(
                        f"[{number:3}/{len(points)}] {kill.plan!s:20} killed in round "
                        f"{kill.rounds} after {kill.seconds:5.1f} s; presses "
                        f"{len(self.result.presses)}, messages "
                        f"{len(self.receiver.messages)}"
                    )
                await self.drain()
            finally:
                await self.ha.stop()
                await self.receiver.down()
        self._collect(time.monotonic() - started)
        return self.result

    async def cycle(self, point: KillPoint) -> Kill:
        """Start hass with a kill plan for ``point`` and play rounds until it is dead.

        While it is dead the kit may press again (those presses wait at the broker).
        """
        nth = self.rng.randint(1, MAX_NTH if point is not KillPoint.MID_POST else 2)
        plan = KillPlan(point, nth, boot=self.rng.random() < BOOT_CHANCE)
        marks = len(self.ha.kills())
        self._disarm()
        if point is KillPoint.MID_POST and plan.boot:
            self._hold(plan)
        begun = time.monotonic()
        rounds = 0
        try:
            if await self.ha.start(plan if point in PROBE_POINTS else None):
                rounds = await self._rounds(plan)
            status = await self.ha.wait_dead()
            where = await self._where(plan, status, marks, self._killer)
        finally:
            self._disarm()
        seconds = time.monotonic() - begun
        for _ in range(self.rng.randint(0, 2)):
            await self.press()
        return Kill(plan, self.ha.starts, rounds, seconds, status, where)

    async def _where(
        self,
        plan: KillPlan,
        status: int,
        marks: int,
        killer: asyncio.Task[str] | None,
    ) -> str:
        """Check hass died by SIGKILL where planned; return where (mark or held POST)."""
        if status != -signal.SIGKILL:
            raise ChaosError(f"hass exited with {status}, not -9, under {plan}")
        new = self.ha.kills()[marks:]
        if plan.point in PROBE_POINTS:
            killed = [(k["point"], k["pid"]) for k in new]
            if killed != [(plan.point, self.ha.process.pid)]:
                raise ChaosError(f"hass died under {plan} without the probe's mark")
            if new[0]["where"] != WHERE[plan.point]:
                raise ChaosError(f"the probe killed {plan} at {new[0]['where']!r}")
            return str(new[0]["where"])
        if new:
            raise ChaosError(f"the probe killed hass under {plan}: {new}")
        if killer is None or not killer.done() or killer.cancelled():
            raise ChaosError(f"hass died under {plan} with no POST held")
        return f"held POST {await killer}"

    def _disarm(self) -> None:
        """End any hold of the receiver and its killer (dead hass or none planned)."""
        if self._killer is not None and not self._killer.done():
            self._killer.cancel()
        self._killer = None
        self.receiver.release()

    def _hold(self, plan: KillPlan) -> None:
        """``mid_post``: have the receiver hold the plan's POST, and kill hass then."""
        self._killer = asyncio.create_task(
            self._kill_when_held(self.receiver.hold(plan.nth))
        )

    async def _kill_when_held(self, held: asyncio.Future[str]) -> str:
        """``mid_post``: SIGKILL hass as soon as the receiver holds its POST."""
        webhook_id = await held
        self.ha.kill()
        return webhook_id

    async def _rounds(self, plan: KillPlan) -> int:
        """Play rounds until hass is dead; return how many."""
        assert self.session is not None
        death = asyncio.create_task(self.ha.wait_dead())
        try:
            client = await self._guarded(death, self.ha.client(self.session))
            armed = (self.ha.armed() or {}).get("pid") == self.ha.process.pid
            if plan.point in PROBE_POINTS and not death.done() and not armed:
                raise ChaosError(f"the probe did not arm {plan}: see hass.log")
            if plan.point is KillPoint.MID_POST and not plan.boot:
                self._hold(plan)  # from now on: HA has started
            if client is not None:  # what earlier runs left open: keep incidents small
                await self._guarded(death, self.ha.cancel(client, "Simulacro de caos"))
            rounds = 0
            while not death.done():
                rounds += 1
                if rounds > MAX_ROUNDS:
                    raise ChaosError(f"{plan} never fired in {MAX_ROUNDS} rounds")
                force_up = plan.point in NEEDS_RECEIVER and rounds > 1
                await self._guarded(death, self._flap(force_up))
                await self._round(death, client)
            if client is not None:
                await client.close()
            return rounds
        finally:
            death.cancel()

    async def _guarded[T](
        self, death: asyncio.Task[int], work: Awaitable[T]
    ) -> T | None:
        """Await ``work`` unless hass dies first; an error its death explains is None."""
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task, death}, return_when=asyncio.FIRST_COMPLETED)
        if task not in done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            return None
        try:
            return task.result()
        except aiohttp.ClientError, OSError, RuntimeError, TimeoutError:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(death), DEATH_GRACE)
            if death.done():
                return None
            raise

    async def _flap(self, force_up: bool) -> None:
        """Take the police endpoint down or up at random (up when ``force_up``)."""
        want_up = force_up or self.rng.random() < UP_CHANCE
        if want_up and not self.receiver.is_up:
            await self.receiver.up()
            assert self.session is not None
            await self.ha.police_signal(self.session)  # "we are back": no backoff wait
        elif not want_up and self.receiver.is_up:
            await self.receiver.down()
            self.result.receiver_downs += 1

    async def _round(self, death: asyncio.Task[int], client: HaClient | None) -> None:
        """Publish a few presses, let them reach the police, cancel the incident.

        The presses go to the broker whatever hass does (it may die meanwhile): only
        what talks to hass stops at its death.
        """
        self.result.rounds += 1
        pressed = [await self.press() for _ in range(self.rng.randint(2, 6))]
        if self.receiver.is_up:
            await self._guarded(death, self.receiver.wait_for(pressed, SETTLE))
        else:
            await self._guarded(death, asyncio.sleep(self.rng.uniform(0.1, 0.5)))
        if client is not None:
            await self._guarded(death, self.ha.cancel(client, "Simulacro de caos"))

    async def press(self) -> str:
        """Publish one press with a new button id and seq (QoS 1); return its id."""
        assert self.kit is not None
        seq = len(self.result.presses) + 1
        button = f"p{seq:04d}"
        payload = json.dumps({"button": button, "seq": seq, "kind": "panic"})
        await self.kit.publish(TOPIC, payload, qos=1)  # the broker has it (PUBACK)
        self.result.presses.append(button)
        await asyncio.sleep(self.rng.uniform(0.0, 0.05))
        return button

    async def drain(self) -> None:
        """Start hass with no plan, receiver up; wait for every press and for quiet."""
        assert self.session is not None
        await self.receiver.up()
        begun = asyncio.get_running_loop().time()
        if not await self.ha.start(None):
            raise ChaosError("hass died during its last start (no plan)")
        client = await self.ha.client(self.session)
        await self.ha.police_signal(self.session)
        if await self.receiver.wait_for(self.result.presses, DRAIN_TIMEOUT):
            self.result.drain_s = asyncio.get_running_loop().time() - begun
            self.say(f"every press arrived {self.result.drain_s:.1f} s after the start")
        else:
            self.say(f"presses still missing {DRAIN_TIMEOUT:.0f} s after the start")
        await self.ha.cancel(client, "Fin del simulacro de caos")
        await self._quiet(client)
        await client.close()

    async def _quiet(self, client: HaClient) -> None:
        """Wait until the outbox is empty and no message came for QUIET s."""
        path = f"/api/diagnostics/config_entry/{self.ha.entry_id}"
        async with asyncio.timeout(60):
            while True:
                count_before = len(self.receiver.messages)
                await asyncio.sleep(QUIET)
                diagnostics = await client.rest("GET", path)
                depth = diagnostics["data"]["police"]["depth"] or 0
                if not depth and len(self.receiver.messages) == count_before:
                    return

    def _collect(self, duration: float) -> None:
        """Copy the receiver's figures and tally the presses."""
        result, receiver = self.result, self.receiver
        result.posts, result.duplicates = receiver.posts, receiver.duplicates
        result.held, result.refused = receiver.held_posts, receiver.refused
        result.duration_s, result.starts = duration, self.ha.starts
        result.tally = count(result.presses, receiver.messages.values())
