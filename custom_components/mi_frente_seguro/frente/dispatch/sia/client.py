"""One SIA DC-09 destination: stored reports to a receiver, one attempt at a time.

:class:`SiaTransport` is what a destination's durable queue drives (``outcome.py``'s
``Transport``): :meth:`~SiaTransport.render` turns a police message into the stored
report (or None), :meth:`~SiaTransport.attempt` sends one and says how it went, and
:meth:`~SiaTransport.link_test` sends a supervision message. Attempts never raise.

Each attempt frames the report afresh: a sequence number (0001-9999, wrapping; the same
for every attempt at one message, so a receiver can spot a repeat), the timestamp of
now plus the receiver's clock offset, and a fresh random pad when encrypted. Answers:

- ACK (or RSP) with our sequence number and account, encrypted if we were: delivered;
- NAK with the receiver's time: if its clock differs from ours (by more than
  :data:`NAK_TOLERANCE`), that difference becomes the clock offset and the message is
  re-stamped and sent again at once, up to ``max_restamps`` times; a NAK whose clock
  agrees with ours (a wrong key or account: the receiver could not read us) is retried
  later, as is a NAK without a time or one more than :data:`MAX_OFFSET` away;
- DUH: refused for good (a dead letter, with the reason); an encrypted message's DUH is
  first confirmed by one resend with a fresh pad, since a receiver that decrypts with a
  wrong key may read random text and answer DUH to it;
- no answer in time, a refused connection, an unreadable answer or one that is not
  ours: retry later.

Failures are logged once, when the destination stops taking messages (with the reason),
and once when it takes one again; a key never reaches a log, a repr or an outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from datetime import UTC, datetime, timedelta
import logging
import os
from typing import Any

from ..outcome import DELIVERED, Outcome, Verdict
from .answers import AnswerError, is_ours, parse_answer
from .codes import SiaEvent
from .content import null_data, report_data
from .crypto import seal
from .framing import (
    Address,
    Block,
    Data,
    Token,
    encode_block,
    format_data,
    next_sequence,
)
from .report import InvalidReportError, Report, report_for_message
from .settings import SiaSettings
from .supervision import LinkTestMessage
from .wire import LinkError, converse

_LOGGER = logging.getLogger(__name__)

NAK_TOLERANCE = timedelta(seconds=2)  # timestamps have whole seconds
MAX_OFFSET = timedelta(days=1)  # a receiver's clock further off is not followed


class SiaTransport:
    """Reports to one DC-09 receiver, for one front's account."""

    def __init__(
        self,
        settings: SiaSettings,
        *,
        clock: Callable[[], datetime] | None = None,
        random_bytes: Callable[[int], bytes] = os.urandom,
        log_trouble: bool = True,
    ) -> None:
        """Send as ``settings`` say; ``clock`` and ``random_bytes`` are injectable."""
        self.settings = settings
        self._clock = clock or (lambda: datetime.now(UTC))
        self._random = random_bytes
        self._log_trouble = log_trouble
        self._sequence = 0  # the last one used
        self._current: tuple[str, int] | None = None  # message id, its sequence
        self._link_null = settings.link_test is not LinkTestMessage.TEST_REPORT
        self.clock_offset = timedelta(0)  # receiver's clock minus ours
        self.trouble: str | None = None  # why the last attempt failed; None: fine
        self.last_answer: Token | None = None

    def __repr__(self) -> str:
        """Show the endpoint, account and encryption, never the key."""
        key = self.settings.key
        return (
            f"SiaTransport({self.endpoint}, account={self.settings.account}, "
            f"{self.settings.content}, {f'AES-{key.bits}' if key else 'clear'})"
        )

    @property
    def endpoint(self) -> str:
        """Return ``tcp://host:port`` (or udp)."""
        return self.settings.endpoint

    @property
    def link_test_message(self) -> LinkTestMessage:
        """Return what a link test sends now (NULL, or the test report)."""
        return LinkTestMessage.NULL if self._link_null else LinkTestMessage.TEST_REPORT

    def render(self, message: Mapping[str, Any]) -> bytes | None:
        """Return the stored report of a police message, or None (nothing to send)."""
        report = report_for_message(message)
        return None if report is None else report.encode()

    async def attempt(self, message_id: str, body: bytes) -> Outcome:
        """Send the stored report ``body`` of message ``message_id`` once."""
        try:
            report = Report.decode(body)
        except InvalidReportError as err:
            return self._noted(Outcome(Verdict.REFUSED, f"unreadable report: {err}"))
        sequence = self._sequence_for(message_id)
        return self._noted(await self._guarded(self._send_report(report, sequence)))

    async def link_test(self) -> Outcome:
        """Send one link test (see ``supervision.py``) and say how it went."""
        outcome = await self._guarded(self._send_link_test())
        if (
            self._link_null
            and self.last_answer is Token.DUH
            and self.settings.link_test is LinkTestMessage.AUTO
        ):
            self._link_null = False
            _LOGGER.info(
                "SIA receiver %s does not handle NULL link tests: sending test reports",
                self.endpoint,
            )
            outcome = await self._guarded(self._send_link_test())
        return self._noted(outcome)

    async def _guarded(self, sending: Coroutine[Any, Any, Outcome]) -> Outcome:
        try:
            return await sending
        except Exception:
            _LOGGER.exception(
                "Unexpected error sending to SIA receiver %s", self.endpoint
            )
            return Outcome(Verdict.RETRY, "unexpected error")

    def _sequence_for(self, message_id: str | None) -> int:
        if message_id is not None and self._current and self._current[0] == message_id:
            return self._current[1]
        self._sequence = next_sequence(self._sequence)
        if message_id is not None:
            self._current = (message_id, self._sequence)
        return self._sequence

    async def _send_report(self, report: Report, sequence: int) -> Outcome:
        settings = self.settings
        data = report_data(
            report,
            settings.content,
            settings.account,
            settings.area,
            location=settings.location,
        )
        return await self._exchange(settings.content.token, sequence, data)

    async def _send_link_test(self) -> Outcome:
        sequence = self._sequence_for(None)
        if self._link_null:
            return await self._exchange(Token.NULL, sequence, null_data())
        return await self._send_report(Report(SiaEvent.LINK_TEST), sequence)

    def _frame(self, token: Token, sequence: int, data: Data) -> bytes:
        settings = self.settings
        text = format_data(
            Data(data.content, data.extended, self._clock() + self.clock_offset)
        )
        if settings.key is not None:
            text = seal(settings.key, text, self._random)
        address = Address(settings.receiver, settings.line, settings.account)
        block = Block(token, sequence, str(address), text, settings.key is not None)
        return encode_block(block)

    async def _exchange(self, token: Token, sequence: int, data: Data) -> Outcome:
        """Send one message and follow the answers (NAK, DUH) within one conversation."""
        settings = self.settings
        encrypted = settings.key is not None
        self.last_answer = None
        restamps = 0
        duh_confirmed = not encrypted
        try:
            async with converse(settings) as link:
                while True:
                    raw = await link.ask(self._frame(token, sequence, data))
                    try:
                        answer = parse_answer(raw, settings.key)
                    except AnswerError as err:
                        return Outcome(Verdict.RETRY, f"unreadable answer ({err})")
                    if not is_ours(
                        answer, sequence, settings.account, encrypted=encrypted
                    ):
                        return Outcome(Verdict.RETRY, "answer to another message")
                    self.last_answer = answer.token
                    if answer.token is Token.DUH:
                        if not duh_confirmed:
                            duh_confirmed = True
                            continue
                        what = f"{token} {data.content.partition('|')[2]}".strip()
                        return Outcome(
                            Verdict.REFUSED, f"receiver does not handle {what} (DUH)"
                        )
                    if answer.token is not Token.NAK:
                        return DELIVERED
                    refused = self._restamp(answer.timestamp, restamps)
                    if refused is not None:
                        return refused
                    restamps += 1
        except LinkError as err:
            return Outcome(Verdict.RETRY, str(err))

    def _restamp(self, their_time: datetime | None, restamps: int) -> Outcome | None:
        """Take a NAK's clock as the offset; return the outcome when resending is useless."""
        if their_time is None:
            return Outcome(Verdict.RETRY, "receiver refused the message (NAK)")
        offset = their_time - self._clock()
        if abs(offset) > MAX_OFFSET:
            return Outcome(Verdict.RETRY, "NAK: receiver's clock is off by over a day")
        if abs(offset - self.clock_offset) <= NAK_TOLERANCE:
            return Outcome(
                Verdict.RETRY,
                "receiver refused the message (NAK): check the account and key",
            )
        if restamps >= self.settings.max_restamps:
            return Outcome(Verdict.RETRY, "NAK after re-stamping")
        _LOGGER.info(
            "SIA receiver %s runs %+.0f s from this clock: re-stamping",
            self.endpoint,
            offset.total_seconds(),
        )
        self.clock_offset = offset
        return None

    def _noted(self, outcome: Outcome) -> Outcome:
        """Record whether the receiver takes messages; log when that changes."""
        if outcome.verdict is not Verdict.RETRY:
            if self.trouble is not None and self._log_trouble:
                _LOGGER.info("SIA receiver %s takes messages again", self.endpoint)
            self.trouble = None
            if outcome.verdict is Verdict.REFUSED:
                _LOGGER.error(
                    "SIA receiver %s refused a message for good: %s",
                    self.endpoint,
                    outcome.error,
                )
            return outcome
        if self.trouble is None and self._log_trouble:
            _LOGGER.warning(
                "SIA receiver %s does not take messages (%s); retrying",
                self.endpoint,
                outcome.error,
            )
        else:
            _LOGGER.debug("SIA receiver %s: %s", self.endpoint, outcome.error)
        self.trouble = outcome.error
        return outcome
