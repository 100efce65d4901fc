"""Link tests (supervision): which message proves the link, and when the next one is due.

A receiver that supervises a front expects a message at least every supervision period;
if none comes it raises a communication failure for the account. The front sends a link
test every ``interval`` (:data:`DEFAULT_INTERVAL`, 5 minutes: inside the 10-minute
default of Home Assistant's ``sia`` and most receivers' supervision windows).

Which message (:class:`LinkTestMessage`):

- ``NULL``: DC-09's own supervision message, ``"NULL"`` with an empty data block; it
  makes no event in the receiver's history;
- ``TEST_REPORT``: an automatic test report, SIA-DCS ``RP`` or Contact ID 1 602, for
  receivers (and monitoring software) that count only events;
- ``AUTO`` (the default): NULL, until the receiver answers DUH to it (it does not handle
  NULL); from then on the test report. pysiaalarm answers ACK to both (it turns NULL into
  ``RP``).

Nothing here sleeps or keeps a task: :class:`LinkSupervision` records when tests were made
and how they ended, and :meth:`~LinkSupervision.due` says when the next is; the Home
Assistant side waits for that time and calls ``SiaTransport.link_test()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ..outcome import Outcome

DEFAULT_INTERVAL = timedelta(minutes=5)
MIN_INTERVAL = timedelta(milliseconds=1)  # the HA options keep users to 10 s .. 24 h
FAILED_RETRY = timedelta(seconds=30)  # after a failed test, the next comes this soon


class LinkTestMessage(StrEnum):
    """Which message a link test sends."""

    AUTO = "auto"
    NULL = "null"
    TEST_REPORT = "test_report"


def next_link_test_due(
    last: datetime | None, interval: timedelta, now: datetime
) -> datetime:
    """Return when the next link test is due: ``interval`` after ``last``, or now."""
    if last is None:
        return now
    return last + interval


@dataclass(slots=True)
class LinkSupervision:
    """The link-test record of one destination: when tests ran and whether it answers.

    After a test that was not delivered the next one comes after ``min(interval,
    retry)``, so a link that came back is seen soon; ``up`` is None until the first test.
    """

    interval: timedelta = DEFAULT_INTERVAL
    retry: timedelta = FAILED_RETRY
    last_attempt: datetime | None = None
    last_delivered: datetime | None = None
    up: bool | None = None
    failures: int = 0  # link tests not delivered in a row

    def due(self, now: datetime) -> datetime:
        """Return when the next link test is due (``now`` when none was made yet)."""
        wait = self.interval if self.failures == 0 else min(self.interval, self.retry)
        return next_link_test_due(self.last_attempt, wait, now)

    def record(self, at: datetime, outcome: Outcome) -> bool:
        """Record a link test made at ``at``; return True when ``up`` changed."""
        self.last_attempt = at
        was = self.up
        if outcome.delivered:
            self.last_delivered = at
            self.failures = 0
            self.up = True
        else:
            self.failures += 1
            self.up = False
        return was != self.up
