"""The durable outbox of one destination of a front: messages delivered in order, at least once.

One outbox per destination (JSON or CAP police endpoint, SIA DC-09 receiver, the
cuadrante's phone...), each with its own queue, retry, 410 pause and dead letters: one
destination down never delays another. Its tables live in the front's incident file and
share its :class:`~..committer.Committer` (``outbox_db.py``). :meth:`Outbox.prepare` turns
a message into the writes that queue it; the ledger commits them with the incident change
that caused the message (one fsync, all or nothing), and the message joins the delivery
queue only once that is durable (:meth:`Outbox.enqueue`: the same for a message alone).
The :class:`~.outcome.Transport` renders the stored bytes (None: nothing to send) and makes
one attempt: ``webhook.py`` (signed JSON/CAP), ``sia/``, HA's phone text.

The delivery task tries the oldest undelivered message and moves on only once it is
delivered, dropped or set aside, so messages arrive in queue order and a restart or a kill
resumes where the file says. Trouble messages wait behind any incident message, and a newer
``presses``/``kind`` update replaces (and deletes) its incident's waiting one (``queue.py``).

Outcomes: delivered; refused for good (HTTP 400/413/422, SIA DUH): a dead letter with the
receiver's reason, and the next one flows; gone (410): delivery pauses, probed every
``gone_probe`` s or at once on ``resume()``; retry (5xx, refused, timeout, NAK...):
full-jitter backoff honouring Retry-After (``retry.py``), cut short by ``retry_now()``. A
real alarm is retried forever, a drill dropped after ``drill_max_attempts`` failures. The
endpoint going away and coming back is logged once each.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import UTC, datetime
from functools import partial
import logging
import random as _random
from typing import Any

import aiohttp

from ..committer import Committer, Write
from ..interrupt import unless_set
from ..listeners import logged_failure
from .attempt import DEFAULT_TIMEOUT, OutboxFormat
from .messages import MessageRef, MessageType
from .notices import is_notice, notice_key
from .outbox_db import (
    DEAD,
    DELIVERED,
    DROPPED,
    FIRST_DESTINATION,
    KEEP_DEAD,
    DeadLetter,
    Finish,
    Insert,
    OutboxDatabase,
    Receipt,
    StoredMessage,
)
from .outbox_events import NOTHING, EventKind, OutboxEvent, Staged
from .outcome import Outcome, Transport, Verdict
from .queue import DeliveryQueue, replacement_key
from .retry import RetryWait, next_delay
from .signing import WebhookSecret
from .webhook import REFUSED_FOR_GOOD, WebhookTransport

__all__ = ["REFUSED_FOR_GOOD", "Outbox", "OutboxEvent", "Recorder", "Staged"]

_LOGGER = logging.getLogger(__name__)

# Commits a delivery's mark (a Write) with what the delivery changes, and calls the
# callback once that is durable; raises if the commit failed.
type Recorder = Callable[[OutboxEvent, Write, Callable[[], None]], Awaitable[None]]

DRILL_MAX_ATTEMPTS = 10  # about 2-4 minutes of retries
KEEP_DONE = 1000  # delivered/dropped rows kept in the file
GONE_PROBE = 300.0  # s between tries of an endpoint that answered 410 Gone


class Outbox:
    """One front's messages to one destination."""

    def __init__(  # noqa: PLR0913  (the queue's knobs, each with a default)
        self,
        committer: Committer,
        session: aiohttp.ClientSession | None = None,
        url: str | None = None,
        secrets: Iterable[WebhookSecret] = (),
        *,
        transport: Transport | None = None,
        destination: str = FIRST_DESTINATION,
        name: str | None = None,
        message_format: OutboxFormat = OutboxFormat.JSON,
        cap_sender: str | None = None,
        clock: Callable[[], datetime] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        random: Callable[[], float] = _random.random,
        timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
        drill_max_attempts: int = DRILL_MAX_ATTEMPTS,
        keep_done: int = KEEP_DONE,
        gone_probe: float = GONE_PROBE,
        on_event: Callable[[OutboxEvent], None] | None = None,
    ) -> None:
        """Set up on the front's file for ``destination`` (its id; ``name`` is shown).

        Without ``transport``, messages are POSTed signed to ``url`` (``secrets``: the
        primary first, then the previous) as ``message_format``.
        """
        self.committer = committer
        self.destination = destination
        self.name = name or destination
        self._db = OutboxDatabase(max(keep_done, 1), destination)
        self._clock = clock or (lambda: datetime.now(UTC))
        if transport is None:
            if session is None or url is None:
                raise ValueError("an outbox needs a transport, or a session and URL")
            transport = WebhookTransport(
                session,
                url,
                secrets,
                message_format=message_format,
                cap_sender=cap_sender,
                timeout=timeout,
                clock=self._clock,
            )
        self.transport = transport
        self.kind = str(getattr(transport, "message_format", type(transport).__name__))
        self._sleep = sleep
        self._retry = RetryWait(sleep)
        self._random = random
        self._drill_max_attempts = drill_max_attempts
        self._gone_probe = gone_probe
        self.on_event = on_event
        self.record: Recorder | None = None  # the owner's way to commit a delivery
        self._queue = DeliveryQueue()
        self._originals: dict[str, tuple[str, str]] = {}
        self._wakeup = asyncio.Event()
        self._resumed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._opened = False
        self._finished = 0  # delivered/dropped since the last prune
        self.gone = False
        self.reachable: bool | None = None
        self.last_latency: float | None = None
        self.last_error: str | None = None
        self.dead_letters: list[DeadLetter] = []  # newest first
        self.receipts: list[Receipt] = []  # the alerts in the file at start-up

    def __repr__(self) -> str:
        """Show the endpoint without credentials, path or query."""
        return (
            f"Outbox(endpoint={self.endpoint!r}, format={self.kind}, "
            f"depth={self.depth})"
        )

    @property
    def endpoint(self) -> str:
        """Return where messages go, safe to log (no credentials, path or query)."""
        return self.transport.endpoint

    @property
    def depth(self) -> int:
        """Return how many messages are not yet delivered (nor dropped, nor replaced)."""
        return len(self._queue)

    def original_of(self, incident_id: str) -> MessageRef | None:
        """Return the reference of ``incident_id``'s created message, if it was queued."""
        found = self._originals.get(incident_id)
        if found is None:
            return None
        return MessageRef(found[0], datetime.fromisoformat(found[1]))

    async def open(self) -> None:
        """Load the undelivered messages, oldest first (the file's owner opened it)."""
        loaded = await self.committer.run(self._db.load)
        self.receipts = await self.committer.run(self._db.receipts)
        self._queue.extend(loaded.pending)
        self._originals.update(loaded.originals)
        self.dead_letters = loaded.dead
        if loaded.last_latency_ms is not None:
            self.last_latency = loaded.last_latency_ms / 1000
        self._opened = True

    def prepare(self, message: Mapping[str, Any]) -> Staged:
        """Return the writes that queue ``message``; nothing changes until they commit.

        A message other than ``incident.created`` without ``references`` gets the
        reference of its incident's created message when this outbox queued it. Raises
        ``ValueError`` for a message that cannot be encoded (e.g. a NaN number). A message
        the destination has nothing to send for stages nothing.
        """
        if not self._opened:
            raise RuntimeError("outbox is not open")
        message = dict(message)
        is_created = message["type"] == MessageType.CREATED
        notice = is_notice(message)  # of the front, not of an incident
        if not is_created and not notice and "references" not in message:
            if (ref := self.original_of(message["incident_id"])) is not None:
                message["references"] = ref.to_dict()
        body = self.transport.render(message)
        if body is None:
            return NOTHING
        stored = StoredMessage(
            message_id=str(message["id"]),
            # A notice is filed under its device's key: its replacement outlives restarts.
            incident_id=notice_key(message) if notice else str(message["incident_id"]),
            message_type=str(message["type"]),
            exercise=bool(message["exercise"]),
            body=body,
            enqueued_at=self._clock().timestamp(),
            supersedes=replacement_key(message),
        )
        op = Insert(stored, str(message["sent_at"]) if is_created else None)
        writes: list[Write] = [partial(self._db.insert, op)]
        victim = self._queue.replaceable(stored)
        if victim is not None:
            writes.append(partial(self._db.supersede, victim.seq))
        return Staged(
            tuple(writes), partial(self._accepted, op, victim), lambda: op.inserted
        )

    async def enqueue(self, message: Mapping[str, Any]) -> bool:
        """Queue a message on its own; return once it is on disk (False: queued before)."""
        staged = self.prepare(message)
        await asyncio.shield(self.committer.stage(*staged.writes, after=staged.after))
        return staged.inserted()

    def _accepted(self, op: Insert, victim: StoredMessage | None) -> None:
        """Take a committed message into the queue (on the loop, in commit order).

        The delivery task is woken first and the owner told afterwards (``call_soon``
        keeps that order): whatever the owner does with the news (refreshing entities)
        runs after the POST has started, never before it.
        """
        if not op.inserted:
            return
        message = op.message
        if op.original_sent_at is not None:
            self._originals.setdefault(
                message.incident_id, (message.message_id, op.original_sent_at)
            )
        replaced = self._queue.append(message, victim)
        self._wakeup.set()
        if self._queue.notice_holds_an_alarm():
            self._retry.kick()  # the notice's backoff ends: the alarm goes first
        loop = asyncio.get_running_loop()
        if replaced:
            assert victim is not None
            loop.call_soon(self._notify, self._event("superseded", victim))
        loop.call_soon(self._notify, self._event("enqueued", message))

    def start(self) -> None:
        """Start delivering (in a task of the running loop)."""
        if not self._opened:
            raise RuntimeError("outbox is not open")
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._deliver_forever(), name=f"mfs-outbox-{self.destination}"
            )

    async def stop(self) -> None:
        """Stop delivering; an attempt in flight is abandoned (and sent again later)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.wait([task])

    async def close(self) -> None:
        """Stop, and prune the file's finished rows (the file stays open: its owner's)."""
        await self.stop()
        if self._opened:
            self._opened = False
            if self._finished and self.committer.is_open:
                await asyncio.shield(self.committer.stage(self._db.prune))

    def resume(self) -> None:
        """Deliver again after a 410 (the endpoint was fixed or replaced)."""
        if self.gone:
            self.gone = False
            self._resumed.set()
            self._notify(OutboxEvent("resumed", destination=self.destination))

    def retry_now(self) -> None:
        """Try the waiting message now, not at the end of its backoff (unless asked to wait).

        For a sign that the endpoint is back, such as a signed call from the police system.
        """
        self._retry.kick()

    async def _deliver_forever(self) -> None:
        while True:
            if self.gone:
                self._resumed.clear()
                if not await unless_set(self._sleep(self._gone_probe), self._resumed):
                    _LOGGER.debug("Trying %s again after its 410", self.endpoint)
            if (head := self._queue.head()) is None:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            await self._deliver_head(head)

    async def _deliver_head(self, message: StoredMessage) -> None:
        self._retry.arm()
        outcome = await self._attempt(message)
        if outcome.verdict is Verdict.DELIVERED:
            done = self._clock().timestamp()
            latency = max(done - message.enqueued_at, 0.0)
            self._queue.pop_head()
            self._reached(True, None)
            self.last_latency = latency
            if self.gone:
                self.resume()  # a probe after a 410 was taken: the endpoint is back
            delivered = self._event("delivered", message, latency=latency, at=done)
            await self._finish(
                Finish(message.seq, DELIVERED, done, latency * 1000), delivered
            )
            return
        error = outcome.error
        if outcome.verdict is Verdict.REFUSED:
            self._reached(True, None)  # it answered: up, but it never takes this one
            _LOGGER.error(
                "Destination %s (%s) refused message %s for good (%s): set aside",
                self.name,
                self.endpoint,
                message.message_id,
                error,
            )
            await self._set_aside(message, DEAD, error)
            return
        self._reached(False, error)
        if outcome.verdict is Verdict.GONE:
            if not self.gone:
                _LOGGER.warning("Police endpoint %s answered 410 Gone", self.endpoint)
                self.gone = True
                self._notify(self._event("gone", message, error=error))
            return
        message.failures += 1
        self._notify(self._event("failed", message, error=error))
        if message.exercise and message.failures >= self._drill_max_attempts:
            _LOGGER.warning("Dropping drill message %s: %s", message.message_id, error)
            await self._set_aside(message, DROPPED, error)
            return
        delay = next_delay(message.failures, outcome.retry_after, self._random)
        await self._retry.wait(delay, asked=outcome.retry_after is not None)

    def _event(
        self, kind: EventKind, message: StoredMessage, **fields: Any
    ) -> OutboxEvent:
        return OutboxEvent(kind, message.message_id, message.incident_id,
                           message.message_type, destination=self.destination, **fields)  # fmt: skip

    def _reached(self, reachable: bool, error: str | None) -> None:
        """Record whether the endpoint answered; log when that changes, once each way."""
        if reachable and self.reachable is False:
            _LOGGER.info("Destination %s is reachable again", self.name)
        elif not reachable and self.reachable is not False:
            _LOGGER.warning(
                "Destination %s (%s) cannot be reached (%s); retrying",
                self.name,
                self.endpoint,
                error,
            )
        self.reachable, self.last_error = reachable, error

    async def _set_aside(self, message: StoredMessage, status: str, error: str) -> None:
        """Take a message out of the queue for good: a dropped drill or a dead letter."""
        self._queue.pop_head()
        done = self._clock().timestamp()
        await self._finish(Finish(message.seq, status, done, error=error))
        if status == DEAD:
            letter = DeadLetter(
                message.message_id,
                message.incident_id,
                message.message_type,
                done,
                error,
            )
            self.dead_letters = [letter, *self.dead_letters[: KEEP_DEAD - 1]]
        kind: EventKind = "dead" if status == DEAD else "dropped"
        self._notify(self._event(kind, message, error=error, at=done))

    async def _finish(self, op: Finish, delivered: OutboxEvent | None = None) -> None:
        """Record a delivery or drop; if the file fails, the message is sent again later.

        A delivery is told (``delivered``) once its mark is durable, and goes through
        :attr:`record` when the owner set one (the ledger commits an alert's mark with its
        incident's ``sent`` step). It is told even when the mark failed: it was delivered.
        """
        mark = partial(self._db.finish, op)
        told: list[OutboxEvent] = []

        def tell() -> None:
            if delivered is not None and not told:
                told.append(delivered)
                self._notify(delivered)

        try:
            self._finished += 1
            if self._finished >= self._db.keep_done:  # the prune reads the whole table
                self._finished = 0
                self.committer.stage(self._db.prune, once="outbox:prune")
            if delivered is not None and self.record is not None:
                await asyncio.shield(self.record(delivered, mark, tell))
            else:
                await asyncio.shield(self.committer.stage(mark, after=tell))
        except Exception:  # noqa: BLE001  (logged by the committer; resent later)
            _LOGGER.debug("Could not record outbox message %s as %s", op.seq, op.status)
            tell()

    async def _attempt(self, message: StoredMessage) -> Outcome:
        """Make one attempt through the transport (which never raises; guarded anyway)."""
        try:
            return await self.transport.attempt(message.message_id, message.body)
        except Exception:
            _LOGGER.exception("Unexpected error sending to %s", self.name)
            return Outcome(Verdict.RETRY, "unexpected error")

    def _notify(self, event: OutboxEvent) -> None:
        if self.on_event is not None:
            with logged_failure(_LOGGER, "Outbox listener failed on %s", event.kind):
                self.on_event(event)
