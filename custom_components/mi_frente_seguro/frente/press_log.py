"""The presses of an incident: an append-only log that every version of the incident shares.

An incident is immutable (``incident.py``): a press makes a new version, which is stored
before it replaces the old one in memory. Copying 20,000 presses into every new version
would make each press cost more than the last, so the versions share one list and each sees
its own prefix of it: ``appended`` adds a press at the end of the shared list and returns a
view one longer; the old view still sees exactly what it saw.

Only the ledger makes new versions, one at a time (a change is decided, committed and
applied before the next is decided), so a shared list has at most one uncommitted press at
its end. If that version is dropped (its commit failed), the next ``appended`` from the
committed version drops the stray press first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from .incident import Press


class PressLog(Sequence["Press"]):
    """A read-only view of the first ``len(self)`` presses of a shared list."""

    __slots__ = ("_count", "_items")

    def __init__(self, presses: Iterable[Press] = ()) -> None:
        """Start a log of its own holding ``presses``."""
        self._items: list[Press] = list(presses)
        self._count = len(self._items)

    @classmethod
    def _view(cls, items: list[Press], count: int) -> PressLog:
        log = cls.__new__(cls)
        log._items = items  # noqa: SLF001  (a view of the same class)
        log._count = count  # noqa: SLF001
        return log

    def appended(self, press: Press) -> PressLog:
        """Return the log with ``press`` at the end (this view is left as it is)."""
        del self._items[self._count :]  # a press of a version that was never committed
        self._items.append(press)
        return PressLog._view(self._items, self._count + 1)

    def __len__(self) -> int:
        """Return how many presses this view holds."""
        return self._count

    @overload
    def __getitem__(self, index: int) -> Press: ...

    @overload
    def __getitem__(self, index: slice) -> list[Press]: ...

    def __getitem__(self, index: int | slice) -> Press | list[Press]:
        """Return a press, or a list for a slice (both within this view)."""
        if isinstance(index, slice):  # clamped to this view, never past it
            return self._items[slice(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("press index out of range")
        return self._items[index]

    def __iter__(self) -> Iterator[Press]:
        """Iterate over this view's presses, oldest first."""
        return islice(self._items, self._count)

    def tail(self, count: int) -> list[Press]:
        """Return the last ``count`` presses (fewer when the log is shorter)."""
        return self._items[max(self._count - count, 0) : self._count]

    def __eq__(self, other: object) -> bool:
        """Compare with another sequence of presses, press by press."""
        if isinstance(other, PressLog):
            return self._count == other._count and all(
                a == b for a, b in zip(self, other, strict=True)
            )
        if isinstance(other, Sequence):
            return self._count == len(other) and all(
                a == b for a, b in zip(self, other, strict=True)
            )
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable underneath: never a dict key

    def __repr__(self) -> str:
        """Show the count and the last press."""
        last = self._items[self._count - 1] if self._count else None
        return f"PressLog(count={self._count}, last={last!r})"
