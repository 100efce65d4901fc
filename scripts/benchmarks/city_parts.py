"""The city-uplink benchmark's parts: simulated fronts, console processes, a live screen.

- :class:`Fronts`: N MQTT 5 clients (persistent sessions, one per front, as the
  integration connects), each publishing signed alerts (``standardwebhooks``, the headers in
  user properties) with QoS 1 to its own alerts topic; every alert opens its own incident.
- :class:`ConsoleProcess`: ``python -m consola serve --mqtt ... --mqtt-id ...`` as a child
  process, killed with SIGKILL (a crash, no clean disconnect) and started again.
- :class:`LiveScreen`: an operator logged into one console reading its live stream
  (Server-Sent Events), noting when each incident first appears.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
import json
import os
from pathlib import Path
import signal
import sys
import time

import aiohttp
import aiomqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from standardwebhooks import Webhook

from consola.tests.helpers import alert, login
from scripts.harness.ha import ROOT

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid_like(prefix: str, number: int) -> str:
    """Return a 26-character Crockford id: ``prefix`` then ``number`` in base 32."""
    digits = ""
    for _ in range(26 - len(prefix)):
        digits = CROCKFORD[number % 32] + digits
        number //= 32
    return prefix + digits


class Fronts:
    """Simulated fronts on the city broker."""

    def __init__(
        self, port: int, secrets: dict[str, str], prefix: str = "city"
    ) -> None:
        """One client per front in ``secrets`` (front id -> secret)."""
        self.port = port
        self.secrets = secrets
        self.prefix = prefix
        self.clients: dict[str, aiomqtt.Client] = {}
        self.pressed: dict[str, float] = {}  # message id -> press time (epoch s)
        self.failed = 0

    async def connect(self) -> None:
        """Connect every front (persistent sessions), a few at a time."""
        for front_id in self.secrets:
            connect = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            connect.SessionExpiryInterval = 3600
            client = aiomqtt.Client(
                "127.0.0.1", self.port, identifier=f"mfs-{front_id}",
                protocol=aiomqtt.ProtocolVersion.V5, clean_start=False,
                properties=connect, keepalive=120,
            )  # fmt: skip
            await client.__aenter__()
            self.clients[front_id] = client

    async def close(self) -> None:
        """Disconnect every front."""
        for client in self.clients.values():
            with contextlib.suppress(Exception):
                await client.__aexit__(None, None, None)

    async def press(self, front_id: str, number: int) -> None:
        """Publish one signed alert of ``front_id`` (retried until PUBACK, as the outbox)."""
        message_id = ulid_like("01JDR6Q7ZM", number)
        now = time.time()
        moment = datetime.fromtimestamp(now, UTC).astimezone()
        body = alert(
            id=message_id, incident_id=ulid_like("01JDR6Q7ZK", number), front_id=front_id,
            sent_at=moment.isoformat(timespec="microseconds"),
            opened_at=moment.isoformat(timespec="microseconds"),
        )  # fmt: skip
        data = json.dumps(body, ensure_ascii=False).encode()
        self.pressed[message_id] = now
        for _ in range(30):
            stamp = datetime.now(UTC)
            properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
            properties.UserProperty = [
                ("webhook-id", message_id),
                ("webhook-timestamp", str(int(stamp.timestamp()))),
                ("webhook-signature",
                 Webhook(self.secrets[front_id]).sign(message_id, stamp, data.decode())),
            ]  # fmt: skip
            try:
                await self.clients[front_id].publish(
                    f"{self.prefix}/fronts/{front_id}/alerts", data, qos=1,
                    properties=properties, timeout=10,
                )  # fmt: skip
            except aiomqtt.MqttError:
                await asyncio.sleep(0.5)
            else:
                return
        self.failed += 1


class ConsoleProcess:
    """One console instance as its own process."""

    def __init__(  # noqa: PLR0913
        self, name: str, db_url: str, mqtt_url: str, port: int, log: Path
    ) -> None:
        """Serve on ``port`` with ``--mqtt-id name``."""
        self.name = name
        self.db_url = db_url
        self.mqtt_url = mqtt_url
        self.port = port
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start it and wait (bounded) for its serving line."""
        env = {**os.environ, "MFS_CONSOLA_MQTT": self.mqtt_url}
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "consola", "serve", "--db", self.db_url, "--port",
            str(self.port), "--mqtt-id", self.name, cwd=ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=self.log.open("ab"),
        )  # fmt: skip
        assert self.process.stdout is not None
        async with asyncio.timeout(60):
            line = await self.process.stdout.readline()
        if b"http://" not in line:
            raise RuntimeError(f"console {self.name} did not start: {line!r}")

    def kill(self) -> None:
        """SIGKILL: a crash, with no clean disconnect from the broker."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        """SIGINT, then wait."""
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            async with asyncio.timeout(20):
                await self.process.wait()
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    async def wait_dead(self) -> None:
        """Wait for a killed process to be gone."""
        if self.process is not None:
            await self.process.wait()


class LiveScreen:
    """An operator's live screen on one console: when each incident first showed."""

    def __init__(self, base: str, user: tuple[str, str]) -> None:
        """Log in as ``user`` on the console at ``base``."""
        self.base = base
        self.user = user
        self.seen: dict[int, float] = {}  # incident pk -> first arrival (epoch s)
        self.shown_new: dict[int, int] = {}  # incident pk -> "new" events
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def start(self) -> None:
        """Follow the stream in the background, reconnecting when the console dies."""
        self._task = asyncio.get_running_loop().create_task(self._follow())

    async def stop(self) -> None:
        """Stop following."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _follow(self) -> None:
        while True:
            try:
                async with aiohttp.ClientSession(
                    cookie_jar=aiohttp.CookieJar(unsafe=True)
                ) as http:
                    await login(http, self.base, *self.user)
                    async with http.get(f"{self.base}/en-vivo/eventos") as response:
                        self.connected.set()
                        await self._read(response)
            except aiohttp.ClientError, OSError, AssertionError:
                self.connected.clear()
                await asyncio.sleep(0.2)

    async def _read(self, response: aiohttp.ClientResponse) -> None:
        event = ""
        async for raw in response.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "incident":
                data = json.loads(line[6:])
                pk = int(data["pk"])
                self.seen.setdefault(pk, time.time())
                if data["new"]:
                    self.shown_new[pk] = self.shown_new.get(pk, 0) + 1
