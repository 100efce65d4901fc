"""A police answer, verified and applied: the one path for the webhook and the uplink.

:meth:`PoliceAnswers.apply` takes what arrived (headers, body), checks it with the front's
:class:`~..dispatch.inbound.InboundVerifier` (size, signature, timestamp window, replay,
contract) and applies it through the ledger's ``police_update`` (the update and its
``webhook-id`` in one commit). A refusal is returned (its reason and the HTTP status the
webhook answers), never raised; a failed commit raises ``StorageError`` (nothing changed).

:func:`uplink_handler` turns it into what the :class:`~.link.UplinkLink` calls for each
message on the answers topic: a retained message is dropped (state, never an answer), a
commit that failed leaves the message unacknowledged, so the broker sends it again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..change import IncidentChange
from ..committer import StorageError
from ..dispatch.inbound import InboundVerifier
from ..dispatch.signing import WebhookError
from ..ledger import FrontLedger, PoliceAnswer
from .link import Handler, Incoming, RedeliveryNeededError
from .wire import headers_of


@dataclass(frozen=True, slots=True)
class Applied:
    """How one answer ended: applied (``answer``) or refused (``refused``, ``status``)."""

    answer: PoliceAnswer | None
    refused: str | None = None
    status: int = 200
    change: IncidentChange | None = None


class PoliceAnswers:
    """Applies one front's police answers, whatever carried them."""

    def __init__(self, verifier: InboundVerifier, ledger: FrontLedger) -> None:
        """Verify with ``verifier``; apply through ``ledger``."""
        self.verifier = verifier
        self.ledger = ledger

    async def apply(self, headers: Mapping[str, str], body: bytes) -> Applied:
        """Verify and apply one answer; raise StorageError when it could not be stored."""
        try:
            update = self.verifier.check(headers, body)
        except WebhookError as err:
            return Applied(None, err.reason, err.status)
        try:
            answer, change = await self.ledger.police_update(update)
        finally:
            self.verifier.release(update)
        return Applied(answer, change=change)


def uplink_handler(
    answers: PoliceAnswers, report: Callable[[Applied], None]
) -> Handler:
    """Return the link's handler: apply each answer, ``report`` how it ended."""

    async def handle(incoming: Incoming) -> None:
        if incoming.retain:
            report(Applied(None, "retained", 400))
            return
        try:
            applied = await answers.apply(
                headers_of(incoming.properties), incoming.payload
            )
        except StorageError as err:
            raise RedeliveryNeededError from err
        report(applied)

    return handle
