"""A front's troubles told to every destination: durable, once, restored when back.

:class:`FrontTroubles` owns the :class:`~.trouble.TroubleWatch` of one front and its table
in the front's file (``trouble_db.py``). Its caller (HA's ``runtime/trouble.py``) tells it
what it sees of each device (:meth:`FrontTroubles.observe`) and calls
:meth:`FrontTroubles.check` when :meth:`FrontTroubles.next_due` comes. A decision becomes
one notice (``dispatch/notices.py``), staged in every destination's outbox together with
the trouble's row (written for a trouble, deleted for a restore): one transaction, one
fsync, before anything is told or remembered in memory. A failed commit changes nothing
(the decision is taken again at the next check). ``on_change`` hears each decision once
its commit is done, and whether it was committed (HA raises or clears the repair issue,
looks at the devices again, and checks back later after a failure).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
import logging

from . import trouble_db
from .committer import Committer, Write
from .dispatch.messages import MessageRef
from .dispatch.notices import Notice, NoticeType, build_notice
from .dispatch.outbox import Outbox
from .front import Front
from .listeners import logged_failure
from .trouble import Action, Decision, Device, Reported, Seen, TroubleWatch

_LOGGER = logging.getLogger(__name__)


class FrontTroubles:
    """What one front told the police of its deaf devices."""

    def __init__(  # noqa: PLR0913  (the parts it binds)
        self,
        front: Front,
        committer: Committer,
        outboxes: Sequence[Outbox],
        *,
        clock: Callable[[], datetime],
        supervision: timedelta,
        on_change: Callable[[Decision, bool], None] | None = None,
    ) -> None:
        """Bind the front's file and outboxes; ``supervision`` is the time down (or back)."""
        self.front = front
        self.committer = committer
        self.outboxes = tuple(outboxes)
        self.watch = TroubleWatch(supervision)
        self._clock = clock
        self.on_change = on_change
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def reported(self) -> dict[str, Reported]:
        """Return the troubles told and not yet restored, by device key."""
        return self.watch.reported

    async def open(self) -> None:
        """Read what was told before the restart (the file is open)."""
        for found in await self.committer.run(trouble_db.load):
            self.watch.reported[found.device.key] = found

    def observe(self, device: Device, seen: Seen) -> None:
        """Record what is known of ``device`` now; tell the police what is due."""
        decision = self.watch.observe(device, seen, self._clock())
        if decision is not None:
            self._tell(decision)

    def check(self) -> None:
        """Tell the police what has fallen due (a timer's call)."""
        for decision in self.watch.due(self._clock()):
            self._tell(decision)

    def next_due(self) -> datetime | None:
        """Return when :meth:`check` has something to do next."""
        return self.watch.next_due()

    async def settled(self) -> None:
        """Wait until every decision taken is committed (or failed)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def close(self) -> None:
        """Let the commits in flight finish (a notice decided is not lost at unload)."""
        await self.settled()

    def _tell(self, decision: Decision) -> None:
        self.watch.begin(decision)
        try:
            writes, afters, reported = self._writes(decision)
        except Exception:  # a destination could not render it: logged, tried again
            _LOGGER.exception("Could not make the %s notice", decision.action)
            self.watch.abort(decision)
            self._told(decision, committed=False)
            return
        task = asyncio.get_running_loop().create_task(
            self._commit(decision, writes, afters, reported)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _writes(
        self, decision: Decision
    ) -> tuple[list[Write], list[Callable[[], None]], Reported | None]:
        now = self._clock()
        device = decision.device
        seconds = self.watch.supervision.total_seconds()
        writes: list[Write] = []
        reported: Reported | None = None
        if decision.action is Action.TROUBLE:
            message = build_notice(
                Notice(NoticeType.TROUBLE, device, decision.since, seconds),
                self.front,
                sent_at=now,
            )
            reported = Reported(device, decision.since, str(message["id"]), now)
            writes.append(partial(trouble_db.record, reported))
        else:
            ended = decision.reported
            restore = Notice(
                NoticeType.RESTORE,
                device,
                decision.since,
                seconds,
                until=decision.until or now,
                original=None
                if ended is None
                else MessageRef(ended.message_id, ended.sent_at),
            )
            message = build_notice(restore, self.front, sent_at=now)
            writes.append(partial(trouble_db.forget, device.key))
        afters: list[Callable[[], None]] = []
        for outbox in self.outboxes:
            staged = outbox.prepare(message)
            writes += staged.writes
            afters.append(staged.after)
        return writes, afters, reported

    async def _commit(
        self,
        decision: Decision,
        writes: list[Write],
        afters: list[Callable[[], None]],
        reported: Reported | None,
    ) -> None:
        def after() -> None:
            for each in afters:
                each()

        try:
            await asyncio.shield(self.committer.stage(*writes, after=after))
        except Exception as err:  # noqa: BLE001  (the committer logs it; decided again)
            _LOGGER.warning(
                "Could not store the %s of %s: %s",
                decision.action,
                decision.device.key,
                err,
            )
            self.watch.abort(decision)
            self._told(decision, committed=False)
            return
        self.watch.done(decision, reported)
        self._told(decision, committed=True)

    def _told(self, decision: Decision, *, committed: bool) -> None:
        if self.on_change is not None:
            with logged_failure(_LOGGER, "A trouble listener failed"):
                self.on_change(decision, committed)
