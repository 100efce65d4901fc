"""The running console: settings, database, push bus, ingest, answers, city broker link."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import logging
from typing import Final

from .answers.delivery import AnswerWorker
from .bus import Bus, Change
from .incidents import Summary, summary
from .ingest.evidence import EvidenceIngest
from .ingest.service import Ingest
from .mqtt.consumer import MqttLink
from .mqtt.settings import MqttSettings
from .storage.db import Database, StorageError, Tx
from .storage.evidence import kept_stills
from .storage.incidents import incident_row
from .tiempo import Clock, utc_now

LOGGER: Final = logging.getLogger(__name__)
DEFAULT_PORT: Final = 8780


@dataclass(frozen=True, slots=True)
class Settings:
    """How the console runs.

    ``secure_cookies``: the console is behind TLS (a reverse proxy): cookies get ``Secure``
    and the ``__Host-`` prefix. Requests that arrive over TLS get them anyway.
    ``tiles_url``: checked by :func:`consola.mapa.tiles_source` before it gets here.
    """

    db_url: str
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    secure_cookies: bool = False
    tiles_url: str = (
        ""  # a tile URL template ({z}/{x}/{y}); "" draws positions on a grid
    )
    tiles_attribution: str = ""
    mqtt: MqttSettings | None = None  # the city broker (docs/city-uplink.md)


class Console:
    """Everything a request handler needs, created once per process."""

    def __init__(
        self, settings: Settings, db: Database, *, clock: Clock = utc_now
    ) -> None:
        """Use ``db`` (already migrated)."""
        self.settings = settings
        self.db = db
        self.clock = clock
        self.bus = Bus()
        self.ingest = Ingest(db, self.bus, clock)
        self.evidence = EvidenceIngest(db, clock, self.announce_later)
        self.answers = AnswerWorker(db, clock, self.announce_later)
        self.mqtt: MqttLink | None = None
        if settings.mqtt is not None:
            self.mqtt = MqttLink(
                settings.mqtt, self.ingest, context=settings.mqtt.tls_context()
            )
            self.answers.publisher = self.mqtt
        self._pending: set[asyncio.Task[None]] = set()

    def announce_later(self, incident_pk: int) -> None:
        """Announce that an incident changed (after an answer's attempt)."""
        task = asyncio.get_running_loop().create_task(self.announce(incident_pk))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def announce(self, incident_pk: int) -> None:
        """Read an incident and push it to the live screens."""
        try:

            def work(tx: Tx) -> Summary | None:
                row = incident_row(tx, incident_pk)
                return (
                    None if row is None else summary(row, kept_stills(tx, incident_pk))
                )

            line = await self.db.tx(work)
        except StorageError:
            return
        if line is not None:
            self.bus.publish(Change(line, new=False, sound=False))

    async def start(self) -> None:
        """Start the background work (the city broker's link too, with ``--mqtt``)."""
        if self.mqtt is not None:
            self.mqtt.start()
        self.answers.start()

    async def stop(self) -> None:
        """Stop the background work (the database is closed by its owner)."""
        self.bus.close()
        if self.mqtt is not None:
            await self.mqtt.stop()
        await self.answers.stop()
