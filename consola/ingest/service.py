"""The one ingest path: limits -> front -> signature -> dedupe -> contract -> commit -> 2xx.

A front's trouble message (``front.trouble`` / ``front.restore``) takes the same path to
its own table and the front's health (``storage/notices.py``); it is no incident.

:meth:`Ingest.ingest` takes a :class:`~consola.ingest.envelope.Delivery` from any
transport and returns an :class:`~consola.ingest.envelope.Outcome`; the HTTP view maps it
to a status with no detail in the body, the MQTT consumer (``consola/mqtt``) to an
acknowledgement (PUBACK) or none. Refusals are kept for supervisors (never the body: it is unverified).
"""

from __future__ import annotations

import logging
from typing import Final

from ..bus import Bus, Change
from ..incidents import summary
from ..storage.db import Database, Row, StorageError, Tx
from ..storage.evidence import kept_stills
from ..storage.fronts import get_front
from ..storage.incidents import (
    DuplicateMessageError,
    find_message,
    record_rejected,
    store_message,
)
from ..storage.notices import DuplicateNoticeError, store_notice
from ..tiempo import Clock
from .envelope import Delivery, Outcome, Verdict
from .message import BodyError, Json, check_message, claimed_front, read_json
from .notice import check_notice, is_notice
from .signature import HEADER_ID, headers_too_long, lower_headers, verify

LOGGER: Final = logging.getLogger(__name__)
MAX_BODY: Final = 1024 * 1024
JSON_TYPES: Final = ("application/json", "")
REFUSALS_KEPT_PER_MINUTE: Final = 30  # per address
MAX_REMOTES_TRACKED: Final = 1_000


class Ingest:
    """Takes alerts into the database and announces them."""

    def __init__(self, db: Database, bus: Bus, clock: Clock) -> None:
        """Store in ``db``, announce on ``bus``, stamp with ``clock``."""
        self.db = db
        self.bus = bus
        self.clock = clock
        self._minute = 0
        self._kept: dict[str, int] = {}

    def _worth_keeping(self, remote: str) -> bool:
        """Return True while ``remote`` is under its budget of kept refusals this minute.

        Refusals are written (fsync'd) for supervisors; a flood of forged requests must not
        turn into a flood of disk writes. Beyond the budget they are answered, not kept.
        """
        minute = int(self.clock().timestamp() // 60)
        if minute != self._minute:
            self._minute, self._kept = minute, {}
        kept = self._kept.get(remote, 0)
        if kept >= REFUSALS_KEPT_PER_MINUTE or len(self._kept) >= MAX_REMOTES_TRACKED:
            return False
        self._kept[remote] = kept + 1
        return True

    async def _refuse(
        self, delivery: Delivery, verdict: Verdict, front_hint: str
    ) -> Outcome:
        outcome = Outcome(verdict)
        LOGGER.info("alert refused: %s (%s)", verdict.value, delivery.transport)
        if not self._worth_keeping(delivery.remote):
            return outcome
        headers = lower_headers(delivery.headers)

        def work(tx: Tx) -> None:
            record_rejected(
                tx, now=self.clock(), remote=delivery.remote, transport=delivery.transport,
                front_hint=front_hint, reason=verdict.value, http_status=outcome.http_status,
                webhook_id=headers.get(HEADER_ID, ""), size=len(delivery.body),
            )  # fmt: skip

        try:
            await self.db.tx(work)
        except StorageError:
            LOGGER.warning("could not keep a refused alert (%s)", verdict.value)
        return outcome

    async def ingest(self, delivery: Delivery) -> Outcome:
        """Check and store one alert; return what to answer."""
        headers = lower_headers(delivery.headers)
        hint = delivery.front_hint
        if headers_too_long(headers):
            return await self._refuse(delivery, Verdict.HEADERS_TOO_LONG, hint or "")
        if delivery.oversize or len(delivery.body) > MAX_BODY:
            return await self._refuse(delivery, Verdict.TOO_LARGE, hint or "")
        content_type = delivery.content_type.split(";")[0].strip().lower()
        if content_type not in JSON_TYPES:
            return await self._refuse(delivery, Verdict.UNSUPPORTED, hint or "")
        front_id = hint if hint is not None else claimed_front(delivery.body)
        if not front_id:
            return await self._refuse(delivery, Verdict.UNKNOWN_FRONT, "")
        try:
            front = await self.db.tx(lambda tx: get_front(tx, front_id))
        except StorageError:
            return Outcome(Verdict.UNAVAILABLE)
        if front is None or not front.active or not front.secrets:
            return await self._refuse(delivery, Verdict.UNKNOWN_FRONT, front_id)
        secrets = (secret for _, secret in front.secrets)
        if not verify(
            delivery.body, headers, secrets, queued=delivery.transport == "mqtt"
        ):
            return await self._refuse(delivery, Verdict.BAD_SIGNATURE, front_id)
        webhook_id = headers[HEADER_ID]
        try:
            known = await self.db.tx(lambda tx: find_message(tx, front_id, webhook_id))
        except StorageError:
            return Outcome(Verdict.UNAVAILABLE)
        if known is not None:
            return Outcome(Verdict.DUPLICATE, known)
        try:
            value = read_json(delivery.body)
            if is_notice(value):  # a trouble message: the front went deaf, or is back
                return await self._notice(delivery, front_id, value, webhook_id)
            message = check_message(value, webhook_id)
        except BodyError as err:
            LOGGER.info("alert from %s outside the contract: %s", front_id, err)
            return await self._refuse(delivery, Verdict.MALFORMED, front_id)
        if message.front_id != front_id:
            return await self._refuse(delivery, Verdict.WRONG_FRONT, front_id)

        def work(tx: Tx) -> tuple[tuple[Row, bool, str | None], tuple[str, ...]]:
            stored = store_message(tx, message, delivery.transport, self.clock())
            return stored, kept_stills(tx, int(stored[0]["id"]))

        try:
            (row, new, previous_kind), stills = await self.db.tx(work)
        except DuplicateMessageError as err:
            return Outcome(Verdict.DUPLICATE, err.incident_pk)
        except StorageError:
            LOGGER.warning(
                "storage unavailable: alert from %s not taken (503)", front_id
            )
            return Outcome(Verdict.UNAVAILABLE)
        line = summary(row, stills)
        raised = (
            previous_kind is not None
            and previous_kind != "panic"
            and line.kind == "panic"
        )
        self.bus.publish(Change(line, new, line.real_alarm and (new or raised)))
        return Outcome(Verdict.STORED, line.pk)

    async def _notice(
        self, delivery: Delivery, front_id: str, value: Json, webhook_id: str
    ) -> Outcome:
        """Check and keep a trouble message (it raises :class:`BodyError` if malformed)."""
        notice = check_notice(value, webhook_id)
        if notice.front_id != front_id:
            return await self._refuse(delivery, Verdict.WRONG_FRONT, front_id)
        try:
            await self.db.tx(
                lambda tx: store_notice(tx, notice, delivery.transport, self.clock())
            )
        except DuplicateNoticeError:
            return Outcome(Verdict.DUPLICATE)
        except StorageError:
            LOGGER.warning("storage unavailable: notice from %s not taken", front_id)
            return Outcome(Verdict.UNAVAILABLE)
        LOGGER.info("front %s: %s (%s)", front_id, notice.type, notice.device_kind)
        return Outcome(Verdict.STORED)
