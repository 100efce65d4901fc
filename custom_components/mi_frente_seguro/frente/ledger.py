"""The ledger of one front: the only way an incident changes, in one order, every time.

    validate -> decide (on a new version) -> stage (incident row + police messages)
      -> commit (one transaction, one fsync) -> apply in memory -> announce

- *validate*: every value is checked (``checks.py``) before anything is decided;
- *decide*: the book returns the incident's new version in an :class:`IncidentChange`
  and changes nothing itself (``book.py``);
- *stage*: the store's writes for the change and, for its police message, one row per
  destination (each destination's outbox renders it: JSON, CAP, SIA, phone text) go into
  the file's next transaction (all are committed, or none: still one fsync);
- *commit*: once that transaction is durable every destination's outbox holds the
  message and its deliveries start, each on its own;
- *apply*: only then does the book take the new version (and a press's dedupe key);
- *announce*: the change goes to the single ``announce`` callback (HA's dispatcher).

A failed commit (disk full, an I/O error, a locked file) leaves the book, its dedupe keys
and the outbox exactly as they were, and the caller gets the error: a kit press is then not
acknowledged and comes again.

Changes are made by one runner (``ledger_runner.py``), in the order they were asked for.
Those asked for while a commit runs are decided together once it is done, each seeing the
ones before it (the book's draft), and committed in one transaction: a burst of presses on
one front costs a few fsyncs, and still opens one incident. If that transaction fails for a
reason of its data rather than of the file, each change is tried again alone, so only the
culprit fails. A caller that stops waiting does not stop its change: it is committed,
applied and announced all the same.

An incident becomes ``sent`` when the FIRST destination delivers its alert (the police
were reached somewhere), in the same transaction as that destination's delivery mark (the
outboxes' ``record`` hook: one fsync for both); the other destinations' receipts are kept
per destination (``outbox_db.Receipt`` and the outboxes' events).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import partial
import logging
from typing import Any

from .book import IncidentBook, UnknownIncidentError
from .change import BY_POLICE, Change, IncidentChange
from .checks import check_details, check_evidence, check_press, check_response
from .committer import Committer, Write
from .dispatch.changes import message_for_change
from .dispatch.inbound import StatusUpdate
from .dispatch.messages import MessageType, build_message
from .dispatch.outbox import Outbox, OutboxEvent
from .dispatch.outbox_db import scrub_dead
from .dispatch.receipts import DeliveryReceipts
from .dispatch.replay import ReplayCache
from .dispatch.uploads import uploads_for_change
from .front import Front
from .incident import IllegalTransitionError, IncidentState, Press, Response
from .ledger_runner import ChangeRunner
from .ledger_support import AlreadyError, PoliceAnswer, checkpoint
from .listeners import logged_failure
from .privacy import expired
from .store import IncidentStore

__all__ = ["FrontLedger", "PoliceAnswer"]

_LOGGER = logging.getLogger(__name__)


class FrontLedger:
    """A front's incident book, store and police outbox, changed only through here."""

    def __init__(
        self,
        front: Front,
        store: IncidentStore,
        *,
        clock: Callable[[], datetime],
        outbox: Outbox | None = None,
        outboxes: Sequence[Outbox] = (),
        uploads: Sequence[Outbox] = (),
        replay: ReplayCache | None = None,
        announce: Callable[[IncidentChange], None] | None = None,
        on_outbox: Callable[[OutboxEvent], None] | None = None,
    ) -> None:
        """Bind the parts; ``announce`` hears every applied change, ``on_outbox`` the rest.

        ``outboxes``: one per destination, in the front's order (``outbox``: a single one).
        ``uploads``: the evidence upload outboxes (``dispatch/uploads.py``), apart from
        the alerts so that no alarm waits behind a file.
        """
        self.front = front
        self.store = store
        self.outboxes: tuple[Outbox, ...] = (
            *(() if outbox is None else (outbox,)),
            *outboxes,
        )
        self.replay = replay or ReplayCache(store.committer, clock)
        self.book = IncidentBook(front.front_id, clock)
        self._clock = clock
        self.announce = announce
        self.on_outbox = on_outbox
        self.receipts = DeliveryReceipts()  # proof of delivery of each alert
        self._runner = ChangeRunner(
            self.book, lambda: self.store.committer, self._writes, self._applied
        )
        self.uploads: tuple[Outbox, ...] = tuple(uploads)
        for each in (*self.outboxes, *self.uploads):
            each.on_event = self._on_outbox_event
        for each in self.outboxes:
            each.record = self._record_delivery

    @property
    def outbox(self) -> Outbox | None:
        """Return the first destination's outbox (the police link of before), if any."""
        return self.outboxes[0] if self.outboxes else None

    @property
    def committer(self) -> Committer:
        """Return the committer of the front's file."""
        return self.store.committer

    async def open(self) -> None:
        """Open the file, restore the book and queue what a crash left unqueued."""
        self.book.load(await self.store.async_open())
        await self.replay.open()
        for outbox in self.outboxes:
            await outbox.open()
            self.receipts.load(outbox.receipts)
            for incident in self.book.all():
                # Open but never queued (opened before the link was set): queue it now.
                if (
                    incident.is_open
                    and outbox.original_of(incident.incident_id) is None
                ):
                    await outbox.enqueue(
                        build_message(
                            MessageType.CREATED, incident, self.front, self._clock()
                        )
                    )
        for upload in self.uploads:
            await upload.open()
        for outbox in (*self.outboxes, *self.uploads):
            outbox.start()

    async def close(self) -> None:
        """Finish the changes asked for, stop delivering and close the file."""
        await self._runner.drain()
        for outbox in (*self.outboxes, *self.uploads):
            await outbox.close()
        await self._runner.drain()  # a delivery being recorded when its outbox stopped
        await self.store.async_close()

    # -- changes ------------------------------------------------------------------------

    async def press(self, press: Press, context: Any = None) -> IncidentChange:
        """Record a press: open an incident, join the open one, or change nothing."""
        check_press(press)
        return await self._runner.change(
            partial(self.book.decide_press, press), context
        )

    async def advance(
        self,
        incident_id: str | None,
        state: IncidentState,
        *,
        by: str | None,
        details: Mapping[str, Any] | None = None,
        context: Any = None,
    ) -> IncidentChange:
        """Move an incident (the open one for None) to ``state``.

        Raises ``UnknownIncidentError`` or ``IllegalTransitionError`` with nothing changed.
        """
        if details:
            check_details(details)
        decide = partial(
            self.book.decide_advance,
            incident_id,
            state,
            by=by,
            details=dict(details or {}),
        )
        return await self._runner.change(decide, context)

    async def duress_cancel(
        self,
        incident_id: str | None,
        press: Press,
        *,
        by: str | None,
        details: Mapping[str, Any],
        context: Any = None,
    ) -> IncidentChange:
        """Cancel an incident as asked, and raise a silent duress alarm: one commit.

        Returns the change HA's users see (the cancel; ``cancels.py``); the silent
        incident is announced with it.
        """
        check_press(press)
        check_details(details)
        decide = partial(
            self.book.decide_duress_cancel,
            incident_id,
            press,
            by=by,
            details=dict(details),
        )
        return await self._runner.change(decide, context)

    async def respond(
        self, incident_id: str, response: Response, context: Any = None
    ) -> IncidentChange:
        """Record a member's answer to the alarm notification."""
        check_response(response)
        decide = partial(self.book.decide_response, incident_id, response)
        return await self._runner.change(decide, context)

    async def add_evidence(
        self,
        incident_id: str,
        items: Iterable[dict[str, Any]],
        extra: Mapping[str, Any] | None = None,
    ) -> IncidentChange:
        """Attach evidence files to an incident."""
        files = list(items)
        check_evidence(files)
        decide = partial(self.book.decide_evidence, incident_id, files, extra)
        return await self._runner.change(decide, None)

    async def police_update(
        self, update: StatusUpdate
    ) -> tuple[PoliceAnswer, IncidentChange | None]:
        """Apply a verified police status update and remember its webhook id, together.

        A retry of an update whose state the incident is in already changes nothing and
        is answered as stored (``ALREADY``).
        """
        details = update.details()
        check_details(details)

        def decide() -> IncidentChange:
            if self.book.latest(update.incident_id).state is update.status:
                raise AlreadyError
            return self.book.decide_advance(
                update.incident_id, update.status, by=BY_POLICE, details=details
            )

        remember, remembered = self.replay.writes(update.webhook_id, update.timestamp)
        try:
            change = await self._runner.change(decide, None, (remember,), (remembered,))
        except UnknownIncidentError:
            return PoliceAnswer.UNKNOWN, None
        except IllegalTransitionError:
            return PoliceAnswer.ILLEGAL, None
        except AlreadyError:
            return PoliceAnswer.ALREADY, None
        return PoliceAnswer.STORED, change

    # -- privacy (Ley 1581: privacy.py) ----------------------------------------------

    async def forget(self, person: str, user_id: str | None) -> int:
        """Take a member's personal data out of every incident; return how many changed.

        Each incident is one change, in order with any press that comes meanwhile; the
        bodies of its refused messages (dead letters) are emptied in the same commit.
        """
        changes = await asyncio.gather(
            *(
                self._runner.change(
                    partial(self.book.decide_forget, item.incident_id, person, user_id),
                    None,
                    (partial(scrub_dead, item.incident_id),) if self.outboxes else (),
                )
                for item in self.book.all()
            )
        )
        # The log of earlier transactions still holds the old pages: fold it in and empty it.
        await self.committer.run(checkpoint)
        return sum(change.change is Change.FORGOTTEN for change in changes)

    async def purge(self, now: datetime, days: int) -> int:
        """Delete the closed incidents that ended more than ``days`` ago; return how many."""
        old = expired(self.book.all(), now, days)
        await asyncio.gather(
            *(
                self._runner.change(
                    partial(self.book.decide_purge, item.incident_id), None
                )
                for item in old
            )
        )
        return len(old)

    # -- the runner's parts (ledger_runner.py) -----------------------------------------

    def _writes(
        self, change: IncidentChange
    ) -> tuple[list[Write], list[Callable[[], None]]]:
        """Return the writes that store ``change`` and queue its message everywhere."""
        writes = self.store.writes(change)
        if not self.outboxes:
            return writes, []
        message = message_for_change(change, self.front, self._clock())
        if message is None:
            return writes, []
        afters: list[Callable[[], None]] = []
        for outbox in self.outboxes:
            queued = outbox.prepare(message)
            writes += queued.writes
            afters.append(queued.after)
        for upload in uploads_for_change(change, self.front.front_id, self._clock()):
            for outbox in self.uploads:  # after the alerts: alarm first, evidence after
                queued = outbox.prepare(upload)
                writes += queued.writes
                afters.append(queued.after)
        return writes, afters

    def _applied(self, change: IncidentChange) -> None:
        """Take a committed change into the book, then announce it."""
        self.book.apply(change)
        if self.announce is not None:
            with logged_failure(
                _LOGGER, "Announcing a %s change failed", change.change
            ):
                self.announce(change)

    # -- the outbox's news ----------------------------------------------------------------

    def _on_outbox_event(self, event: OutboxEvent) -> None:
        self.receipts.record(event)
        if self.on_outbox is not None:
            self.on_outbox(event)

    async def _record_delivery(
        self, event: OutboxEvent, mark: Write, delivered: Callable[[], None]
    ) -> None:
        """Commit a destination's delivery mark; an alert's with its incident's step.

        The first delivery of an incident's alert moves it from ``triggered`` to ``sent``
        in the same transaction as the mark (one fsync); a later one, or an incident that
        moved on, stores the mark alone. ``delivered`` runs once it is durable, before the
        ``sent`` step is applied and announced. A failed commit raises (nothing changed).
        """
        if event.message_type == MessageType.CREATED and event.incident_id is not None:
            decide = partial(self.book.decide_sent, event.incident_id)
            try:
                await self._runner.change(
                    decide, None, (mark,), (delivered,), always=True
                )
            except UnknownIncidentError:
                pass  # gone from the book meanwhile (purged): the mark alone
            else:
                return
        await asyncio.shield(self.committer.stage(mark, after=delivered))
