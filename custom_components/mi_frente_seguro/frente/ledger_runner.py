"""The ledger's runner: one per front, it carries out the changes asked for, in order.

Each change is decided on the book's draft, staged with its writes, committed, and only
then applied (``FrontLedger``'s ``apply``: the book takes it and it is announced). Changes
asked for while a commit runs are decided together once it is done, each seeing the ones
before it, and committed in one transaction: a burst of presses costs a few fsyncs. If that
transaction fails for a reason of its data rather than of the file, each change is tried
again alone, so only the culprit fails. A caller that stops waiting stops nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from .book import IncidentBook
from .change import IncidentChange
from .committer import Committer, StorageError, Write
from .ledger_support import Request, as_changes, run_all, settle

type Stage = Callable[[IncidentChange], tuple[list[Write], list[Callable[[], None]]]]


class ChangeRunner:
    """Decide -> stage -> commit -> apply, for one front's book, one batch at a time."""

    def __init__(
        self,
        book: IncidentBook,
        committer: Callable[[], Committer],
        stage: Stage,
        apply: Callable[[IncidentChange], None],
    ) -> None:
        """Run changes of ``book``: ``stage`` gives a change's writes, ``apply`` ends it."""
        self.book = book
        self._committer = committer
        self._stage = stage
        self._apply = apply
        self._waiting: list[Request] = []
        self._runner: asyncio.Task[None] | None = None

    async def change(
        self,
        decide: Callable[[], IncidentChange | tuple[IncidentChange, ...]],
        context: Any,
        writes: tuple[Write, ...] = (),
        afters: tuple[Callable[[], None], ...] = (),
        *,
        always: bool = False,
    ) -> IncidentChange:
        """Ask for a change; return it once it is applied (or raise).

        ``writes`` are committed with the change (and ``afters`` run once it is durable)
        if the change is stored, or in any case with ``always``.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[IncidentChange] = loop.create_future()
        self._waiting.append(Request(decide, context, future, writes, afters, always))
        if self._runner is None:
            # Started eagerly: the change is decided and staged now, in the caller's
            # turn of the loop, not one turn later behind whatever else is queued.
            runner = asyncio.Task(
                self._run(), loop=loop, name="mfs-ledger", eager_start=True
            )
            if not runner.done():  # a batch of duplicates ends at once
                self._runner = runner
        return await asyncio.shield(future)  # a caller that gives up stops nothing

    async def drain(self) -> None:
        """Return once every change asked for is done."""
        while self._runner is not None:
            await asyncio.shield(self._runner)

    async def _run(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                if not await self._commit(batch) and len(batch) > 1:
                    for request in batch:  # find the culprit: each change alone
                        await self._commit([request])
        finally:
            self._runner = None

    async def _commit(self, batch: list[Request]) -> bool:
        """Decide, commit, apply and announce ``batch``; False if its data failed it."""
        decided: list[tuple[Request, tuple[IncidentChange, ...]]] = []
        writes: list[Write] = []
        afters: list[Callable[[], None]] = []
        for request in batch:
            try:
                changes = tuple(
                    replace(change, context=request.context)
                    for change in as_changes(request.decide())
                )
                staged = [self._stage(item) for item in changes if not item.duplicate]
            except Exception as err:  # noqa: BLE001  (this request's own error)
                settle(request.future, error=err)
                continue
            if staged or request.always:
                writes += [write for each in staged for write in each[0]]
                writes += request.writes
                afters += request.afters
                afters += [after for each in staged for after in each[1]]
            for change in changes:
                self.book.draft(change)  # the next decisions see it
            decided.append((request, changes))
        if not writes:  # duplicates only: nothing to store
            self.book.drop_draft()
            for request, changes in decided:
                settle(request.future, changes[0])
            return True
        try:
            await asyncio.shield(
                self._committer().stage(*writes, after=partial(run_all, afters))
            )
        except Exception as err:  # noqa: BLE001  (every change of the batch failed)
            self.book.drop_draft()
            if len(decided) > 1 and not isinstance(err, StorageError):
                return False  # tried again one by one
            for request, _ in decided:
                settle(request.future, error=err)
            return True
        self.book.drop_draft()
        for request, changes in decided:
            for change in changes:
                if not change.duplicate:
                    self._apply(change)
            settle(request.future, changes[0])
        return True
