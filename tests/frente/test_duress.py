"""The duress rule in the pure package: what HA's users may see of silent presses.

Property tests drive the book with any sequence of presses and lifecycle steps, and check
the rule of docs/incidents.md ("Duress") against a plain reading of it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings, strategies as st

from custom_components.mi_frente_seguro.frente.book import IncidentBook
from custom_components.mi_frente_seguro.frente.change import Change, IncidentChange
from custom_components.mi_frente_seguro.frente.duress import (
    alerts_coordinators,
    hides,
    is_hidden,
)
from custom_components.mi_frente_seguro.frente.incident import (
    Incident,
    IncidentKind,
    IncidentSource,
    IncidentState,
    Press,
    Sender,
)

START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
NAMES = ("Ana", "Luis", "Marta")

# A step: a press of a kind by a name, or the open incident being closed.
steps = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(list(IncidentKind)), st.sampled_from(NAMES)),
        st.just(("close", "")),
    ),
    max_size=30,
)


def _press(kind: IncidentKind, name: str, at: datetime) -> Press:
    return Press(
        at, kind, IncidentSource.APP, Sender(name=name, person_id=f"person.{name}")
    )


def _run(
    book: IncidentBook, plan: list[tuple[object, str]]
) -> list[IncidentChange | None]:
    """Apply ``plan`` to ``book``; return each change (None for a close of nothing)."""
    changes: list[IncidentChange | None] = []
    for number, (kind, name) in enumerate(plan):
        at = START + timedelta(seconds=number)
        if kind == "close":
            if book.open_incident is None:
                changes.append(None)
                continue
            change = book.decide_advance(None, IncidentState.CLOSED)
        else:
            assert isinstance(kind, IncidentKind)
            change = book.decide_press(_press(kind, name, at))
        book.apply(change)
        changes.append(change)
    return changes


@given(plan=steps)
@settings(max_examples=200, deadline=None)
def test_what_is_shown_never_tells_of_a_silent_press(
    plan: list[tuple[object, str]],
) -> None:
    """Shown counts, names, incident and figures are those of a book with no silent press."""
    book = IncidentBook("f", lambda: START + timedelta(days=1))
    changes = _run(book, plan)
    for incident in book.all():
        audible = [p for p in incident.presses if p.kind is not IncidentKind.SILENT]
        assert incident.senders.shown_count == len(audible)
        assert set(incident.senders.shown_names) == {p.sender.name for p in audible}
        assert is_hidden(incident) == (incident.kind is IncidentKind.SILENT)
        if is_hidden(incident):
            assert not audible or all(p.kind is IncidentKind.DRILL for p in audible)
    shown = book.shown()
    assert shown is None or not is_hidden(shown)
    visible = [item for item in book.all() if not is_hidden(item)]
    assert shown == (visible[-1] if visible else None)
    assert book.stats().incidents_this_month == sum(
        item.kind is IncidentKind.PANIC for item in book.all()
    )
    for change in changes:
        if change is None:
            continue
        press = change.press
        silent_press = press is not None and press.kind is IncidentKind.SILENT
        assert hides(change) == (is_hidden(change.incident) or silent_press)


def test_coordinators_hear_of_each_new_duress_once() -> None:
    """Opened silent, raised to silent, or silent on a panic: told; a second silent: not."""
    book = IncidentBook("f", lambda: START)
    plan: list[tuple[object, str]] = [
        (IncidentKind.SILENT, "Luis"),  # opened: told
        (IncidentKind.SILENT, "Ana"),  # joins a silent incident: the police only
        ("close", ""),
        (IncidentKind.DRILL, "Ana"),
        (IncidentKind.SILENT, "Luis"),  # raises the drill to silent: told
        (IncidentKind.PANIC, "Marta"),  # now a panic: shown, not a duress
        (IncidentKind.SILENT, "Ana"),  # silent on a panic: told
    ]
    told = [
        change is not None and alerts_coordinators(change)
        for change in _run(book, plan)
    ]
    assert told == [True, False, False, False, True, False, True]


def test_a_panic_raised_from_silent_is_shown_with_its_audible_presses() -> None:
    """Luis silent, then Ana panic: shown as Ana's panic, one press, Luis never named."""
    book = IncidentBook("f", lambda: START)
    first = book.decide_press(_press(IncidentKind.SILENT, "Luis", START))
    book.apply(first)
    assert book.shown() is None
    raised = book.decide_press(_press(IncidentKind.PANIC, "Ana", START))
    book.apply(raised)
    assert raised.change is Change.KIND_RAISED
    assert not hides(raised)
    shown = book.shown()
    assert isinstance(shown, Incident)
    assert shown.senders.shown_names == ("Ana",)
    assert shown.senders.shown_count == 1
    assert shown.sender_names == (
        "Luis",
        "Ana",
    )  # the police and coordinators: everyone
