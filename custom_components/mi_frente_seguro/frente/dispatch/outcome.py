"""How one delivery attempt ended, in terms any destination's queue understands.

A destination's transport (the signed POST of ``webhook.py``, SIA DC-09 in ``sia/``, the
phone text in HA's ``runtime/phone.py``) makes one attempt at a stored message and says one
of four things: ``DELIVERED`` (the receiver took it: next message), ``RETRY`` (not taken
this time: wait and try the same message again), ``REFUSED`` (this message will never be
taken: set it aside as a dead letter, with ``error`` as its reason, and let the next one
flow) or ``GONE`` (the endpoint is retired, HTTP 410: pause this destination, keep its
messages, probe it now and then).

:class:`Transport` is the seam a destination's durable queue drives: it renders each
police message to the bytes it stores (``render``; None when that destination has
nothing to send for the message) and makes attempts at them (``attempt``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol


class Verdict(StrEnum):
    """What an attempt means for the message."""

    DELIVERED = "delivered"
    RETRY = "retry"
    REFUSED = "refused"
    GONE = "gone"


@dataclass(frozen=True, slots=True)
class Outcome:
    """How an attempt ended; ``error`` says why it was not delivered (safe to log/store).

    ``retry_after``: seconds the receiver asked to wait before the next attempt.
    """

    verdict: Verdict
    error: str = ""
    retry_after: float | None = None

    @property
    def delivered(self) -> bool:
        """Return True when the receiver took the message."""
        return self.verdict is Verdict.DELIVERED


DELIVERED = Outcome(Verdict.DELIVERED)


class Transport(Protocol):
    """One destination's way of sending stored messages."""

    @property
    def endpoint(self) -> str:
        """Return where messages go, safe to log (no credentials)."""
        ...

    def render(self, message: Mapping[str, Any]) -> bytes | None:
        """Return the bytes to store for ``message``, or None to send nothing."""
        ...

    async def attempt(self, message_id: str, body: bytes) -> Outcome:
        """Make one attempt at a stored message; never raises."""
        ...
