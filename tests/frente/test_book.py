"""Tests of a front's incident book: open, join, dedupe, history and figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from custom_components.mi_frente_seguro.frente.book import (
    IncidentBook,
    UnknownIncidentError,
)
from custom_components.mi_frente_seguro.frente.change import Change, IncidentChange
from custom_components.mi_frente_seguro.frente.incident import (
    IncidentKind,
    IncidentSource,
    IncidentState,
    Press,
    Response,
    Sender,
)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        """Start on 26 November 2026, 20:00 UTC."""
        self.now = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        """Return the current time."""
        return self.now


@pytest.fixture
def clock() -> Clock:
    """Return a hand-moved clock."""
    return Clock()


@pytest.fixture
def book(clock: Clock) -> Book:
    """Return an empty book for one front."""
    return Book("manga_calle_real", clock)


class Book(IncidentBook):
    """The book with decide-then-apply in one call, as the ledger does after a commit."""

    def press(self, press: Press) -> IncidentChange:
        """Decide a press and apply it."""
        change = self.decide_press(press)
        self.apply(change)
        return change

    def advance(
        self, incident_id: str | None, state: IncidentState, **kw: Any
    ) -> IncidentChange:
        """Decide a step and apply it."""
        change = self.decide_advance(incident_id, state, **kw)
        self.apply(change)
        return change


def press(
    clock: Clock,
    name: str = "Ana",
    kind: IncidentKind = IncidentKind.PANIC,
    key: str | None = None,
) -> Press:
    """Return a press now by ``name``."""
    return Press(clock(), kind, IncidentSource.APP, Sender(name=name), key=key)


def test_presses_while_open_join_one_incident(book: Book, clock: Clock) -> None:
    """The first press opens; the next ones join with every sender kept."""
    first = book.press(press(clock, "Ana"))
    assert first.opened
    for name in ("Luis", "Marta"):
        clock.now += timedelta(seconds=5)
        result = book.press(press(clock, name))
        assert not result.opened
        assert result.change is Change.JOINED
        assert result.incident.incident_id == first.incident.incident_id
        assert book.open_incident is result.incident
    assert book.open_incident is not None
    names = [p.sender.name for p in book.open_incident.presses]
    assert names == ["Ana", "Luis", "Marta"]
    assert [p.sender.name for p in first.incident.presses] == ["Ana"]  # versions stay


def test_duplicate_key_counts_once(book: Book, clock: Clock) -> None:
    """The same button and sequence number again (QoS 1 redelivery) changes nothing."""
    book.press(press(clock, key="b1:17"))
    again = book.press(press(clock, key="b1:17"))
    assert again.duplicate
    assert len(again.incident.presses) == 1
    # Also once the incident is closed: a late redelivery opens nothing.
    book.advance(None, IncidentState.CLOSED)
    late = book.press(press(clock, key="b1:17"))
    assert late.duplicate
    assert book.open_incident is None


def test_after_close_a_press_opens_a_new_incident(book: Book, clock: Clock) -> None:
    """Closed incidents go to history; the next press opens a new one with a later id."""
    opened = book.press(press(clock)).incident
    reason = {"reason": "prueba"}
    first = book.advance(
        opened.incident_id, IncidentState.CANCELLED, by="u1", details=reason
    ).incident
    assert book.open_incident is None
    assert list(book.history) == [first]
    second = book.press(press(clock)).incident
    assert second.incident_id > first.incident_id
    assert book.get(first.incident_id) is first
    assert book.all() == [first, second]


def test_unknown_incident(book: Book) -> None:
    """No open incident, or an unknown id, is an error."""
    with pytest.raises(UnknownIncidentError):
        book.get(None)
    with pytest.raises(UnknownIncidentError):
        book.advance("01NOPE", IncidentState.CLOSED)


def test_stats(book: Book, clock: Clock) -> None:
    """Counts of this month, false alarms, last and mean police response (drills left out)."""
    clock.now = datetime(2026, 10, 30, 12, 0, tzinfo=UTC)  # last month, within 30 days
    book.press(press(clock))
    clock.now += timedelta(seconds=300)
    book.advance(None, IncidentState.DISPATCHED)
    book.advance(None, IncidentState.CLOSED)

    clock.now = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
    book.press(press(clock))
    clock.now += timedelta(seconds=100)
    book.advance(None, IncidentState.DISPATCHED)
    book.advance(None, IncidentState.CLOSED)

    book.press(press(clock))
    book.advance(None, IncidentState.CANCELLED)
    book.press(press(clock, kind=IncidentKind.DRILL))
    clock.now += timedelta(seconds=10)
    book.advance(None, IncidentState.DISPATCHED)  # a drill's response is not counted

    clock.now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    stats = book.stats()
    assert stats.incidents_this_month == 2
    assert stats.false_alarms_this_month == 1
    assert stats.last_response_seconds == 100
    assert stats.mean_response_seconds_30d == 200


def test_empty_stats(book: Book) -> None:
    """No incidents: zeros and unknown response times."""
    stats = book.stats()
    assert (stats.incidents_this_month, stats.false_alarms_this_month) == (0, 0)
    assert stats.last_response_seconds is None
    assert stats.mean_response_seconds_30d is None


def test_load_restores_open_and_history(book: Book, clock: Clock) -> None:
    """A restored book has the same open incident, history and dedupe memory."""
    book.press(press(clock, key="b1:1"))
    old = book.advance(None, IncidentState.CLOSED).incident
    current = book.press(press(clock, key="b1:2")).incident
    restored = Book("manga_calle_real", clock)
    restored.load([current, old])
    assert restored.open_incident is current
    assert list(restored.history) == [old]
    assert restored.press(press(clock, key="b1:1")).duplicate
    assert restored.press(press(clock, key="b1:2")).duplicate


def test_history_is_bounded(clock: Clock) -> None:
    """Only the last ``history_limit`` closed incidents are kept."""
    book = Book("f", clock, history_limit=3)
    for _ in range(5):
        book.press(press(clock))
        book.advance(None, IncidentState.CLOSED)
        clock.now += timedelta(seconds=1)
    assert len(book.history) == 3


def test_a_decision_changes_nothing_until_applied(book: Book, clock: Clock) -> None:
    """Deciding (what a failed commit leaves behind) changes neither book nor keys."""
    decided = book.decide_press(press(clock, key="b1:9"))
    assert decided.opened
    assert book.open_incident is None
    assert not book.decide_press(press(clock, key="b1:9")).duplicate  # key not taken
    book.press(press(clock, "Ana", key="b1:1"))
    before = book.open_incident
    assert before is not None
    joined = book.decide_press(press(clock, "Luis", IncidentKind.SILENT, key="b1:2"))
    step = book.decide_advance(None, IncidentState.CANCELLED, by="u1")
    assert book.open_incident is before
    assert len(before.presses) == 1
    assert before.state is IncidentState.TRIGGERED
    assert len(joined.incident.presses) == 2
    assert step.incident.state is IncidentState.CANCELLED
    # The version of a dropped decision never leaks into the next one.
    again = book.press(press(clock, "Marta", key="b1:3"))
    assert [p.sender.name for p in again.incident.presses] == ["Ana", "Marta"]


def test_a_duplicate_is_found_by_key_without_scanning(book: Book, clock: Clock) -> None:
    """A redelivered press is a duplicate however many presses the incident has."""
    for n in range(2000):
        book.press(press(clock, key=f"b1:{n}"))
    duplicate = book.press(press(clock, key="b1:7"))
    assert duplicate.duplicate
    assert duplicate.change is Change.DUPLICATE
    assert book.open_incident is not None
    assert len(book.open_incident.presses) == 2000


def test_each_answer_counts_once_per_member(book: Book, clock: Clock) -> None:
    """The same answer from the same user is a duplicate; another answer is not."""
    incident = book.press(press(clock)).incident

    def answer(action: str, user_id: str | None) -> IncidentChange:
        change = book.decide_response(
            incident.incident_id, Response(clock(), action, user_id, "Luis")
        )
        book.apply(change)
        return change

    assert answer("on_my_way", "u-luis").change is Change.RESPONDED
    assert answer("on_my_way", "u-luis").change is Change.DUPLICATE
    assert answer("false_alarm", "u-luis").change is Change.RESPONDED
    assert answer("on_my_way", "u-ana").change is Change.RESPONDED
    responses = book.get(incident.incident_id).responses
    assert [(r.action, r.user_id) for r in responses] == [
        ("on_my_way", "u-luis"),
        ("false_alarm", "u-luis"),
        ("on_my_way", "u-ana"),
    ]


def test_a_delivered_alert_marks_sent_only_a_triggered_incident(
    book: Book, clock: Clock
) -> None:
    """Triggered -> sent; an incident cancelled before the delivery stays cancelled.

    The late one is a duplicate, not an error: nothing is raised (and no traceback is
    left for the garbage collector on every press a quick cancel overtakes).
    """
    opened = book.press(press(clock))
    incident_id = opened.incident.incident_id
    sent = book.decide_sent(incident_id)
    assert sent.change is Change.ADVANCED
    assert sent.incident.state is IncidentState.SENT
    book.advance(incident_id, IncidentState.CANCELLED, details={"reason": "x"})
    late = book.decide_sent(incident_id)
    assert late.duplicate
    assert late.incident.state is IncidentState.CANCELLED
