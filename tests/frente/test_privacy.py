"""A member's data (Ley 1581): exported exactly, forgotten for good, kept no longer than set.

The forgetting is checked where it matters: in the bytes of the front's SQLite file (and its
write-ahead log), not only in memory.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hypothesis import given, settings, strategies as st

from custom_components.mi_frente_seguro.frente.incident import (
    Incident,
    IncidentKind,
    IncidentState,
    Location,
    Press,
    Response,
    Sender,
)
from custom_components.mi_frente_seguro.frente.ledger import FrontLedger
from custom_components.mi_frente_seguro.frente.privacy import (
    FORGOTTEN_BY,
    expired,
    forgotten,
    member_record,
)
from custom_components.mi_frente_seguro.frente.store import IncidentStore

from .dispatch.conftest import FRONT, T0
from .presses import app_press


def _member(key: str, name: str, house: str, phone: str, role: str) -> Sender:
    return Sender(f"user-{key}", f"person.{key}", name, house, phone, role, True)


PEOPLE = {
    "luis": _member(
        "luis", "Luis Gómez Forgetme", "Casa 12", "+573001112233", "resident"
    ),
    "ana": _member("ana", "Ana Pérez", "Casa 3", "+573109998877", "coordinator"),
}
WHERE = Location(10.4142, -75.5361, 12.0, T0, 30.0, False)


def _press(who: str, minutes: int, note: str = "") -> Press:
    return app_press(
        T0 + timedelta(minutes=minutes), sender=PEOPLE[who], location=WHERE, note=note
    )


def _incident(presses: list[Press], responses: tuple[Response, ...] = ()) -> Incident:
    incident = Incident.open("01J0000000000000000000000A", "f", presses[0])
    for press in presses[1:]:
        incident, _ = incident.joined(press)
    return incident.answered(responses[0]) if responses else incident


@given(
    order=st.lists(st.sampled_from(["luis", "ana"]), min_size=1, max_size=12),
    answers=st.lists(st.sampled_from(["luis", "ana"]), max_size=3),
)
@settings(max_examples=100, deadline=None)
def test_forgetting_takes_out_one_member_and_keeps_the_alarm(
    order: list[str], answers: list[str]
) -> None:
    """Luis's data goes, Ana's stays; every press stays, with its time and kind."""
    incident = _incident(
        [_press(who, n, note=f"nota {who}") for n, who in enumerate(order)]
    )
    for n, who in enumerate(answers):
        incident = incident.answered(
            Response(T0 + timedelta(hours=1, minutes=n), "on_my_way", PEOPLE[who].user_id,
                     PEOPLE[who].name)
        )  # fmt: skip
    record = member_record([incident], "person.luis", "user-luis")
    assert len(record["presses"]) == order.count("luis")
    assert len(record["responses"]) == answers.count("luis")
    assert all(
        item["sender"]["name"] == PEOPLE["luis"].name for item in record["presses"]
    )

    after = forgotten(incident, "person.luis", "user-luis")
    if "luis" not in order and "luis" not in answers:
        assert after is None
        return
    assert after is not None
    assert [(p.at, p.kind, p.source) for p in after.presses] == [
        (p.at, p.kind, p.source) for p in incident.presses
    ]
    text = repr(after.to_dict()) + repr(after.senders)
    for secret in ("Luis", "user-luis", "person.luis", "+573001112233", "nota luis"):
        assert secret not in text
    ana_before = [p for p in incident.presses if p.sender == PEOPLE["ana"]]
    ana_after = [p for p in after.presses if p.sender == PEOPLE["ana"]]
    assert ana_after == ana_before
    assert member_record([after], "person.luis", "user-luis") == {
        "presses": [],
        "responses": [],
        "steps": [],
    }


def test_a_step_the_member_took_keeps_only_what_happened() -> None:
    """Luis (a coordinator, say) cancelled: the step stays, by "forgotten", no name."""
    incident = _incident([_press("ana", 0)])
    incident, _ = incident.advanced(
        IncidentState.CANCELLED,
        T0 + timedelta(minutes=5),
        by="user-luis",
        details={"reason": "prueba", "by_name": "Luis Gómez Forgetme"},
    )
    record = member_record([incident], "person.luis", "user-luis")
    assert [step["state"] for step in record["steps"]] == ["cancelled"]
    after = forgotten(incident, "person.luis", "user-luis")
    assert after is not None
    step = after.transitions[-1]
    assert (step.state, step.by, step.details) == (
        IncidentState.CANCELLED,
        FORGOTTEN_BY,
        {"reason": "prueba"},
    )


def test_expired_picks_what_ended_before_the_retention() -> None:
    """Open incidents never expire; closed ones do once they ended ``days`` ago."""
    open_one = _incident([_press("ana", 0)])
    closed, _ = open_one.advanced(IncidentState.CLOSED, T0 + timedelta(hours=1))
    now = T0 + timedelta(days=30, hours=2)
    assert expired([open_one, closed], now, 30) == [closed]
    assert expired([open_one, closed], now, 31) == []


def _file_bytes(path: Path) -> bytes:
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_forget_and_purge_on_the_real_file(tmp_path: Path) -> None:
    """Forgotten data is gone from the file's bytes; purged incidents from its rows."""
    path = tmp_path / "front.db"
    ledger = FrontLedger(
        FRONT, IncidentStore(path), clock=lambda: T0 + timedelta(days=2)
    )
    await ledger.open()
    try:
        first = await ledger.press(_press("luis", 0, note="ladrón en moto"))
        await ledger.press(_press("ana", 1))
        await ledger.advance(None, IncidentState.CLOSED, by="user-ana")
        await ledger.press(_press("luis", 60, note="otra vez"))
        stats = ledger.book.stats()
        assert b"Forgetme" in _file_bytes(path)

        assert await ledger.forget("person.luis", "user-luis") == 2
        data = _file_bytes(path)
        for secret in (b"Forgetme", b"+573001112233", "ladrón".encode(), b"user-luis"):
            assert secret not in data
        assert b"Ana P" in data  # the other member stays
        assert ledger.book.stats() == stats
        assert len(ledger.book.get(first.incident.incident_id).presses) == 2
        await ledger.press(_press("ana", 61))  # the shared log goes on from the new one
        assert len(ledger.book.open_incident.presses) == 2  # type: ignore[union-attr]

        assert await ledger.purge(T0 + timedelta(days=4), 1) == 1
        assert [item.incident_id for item in ledger.book.all()] == [
            ledger.book.open_incident.incident_id  # type: ignore[union-attr]
        ]
    finally:
        await ledger.close()

    reopened = FrontLedger(FRONT, IncidentStore(path), clock=lambda: T0)
    await reopened.open()
    try:
        assert len(reopened.book.all()) == 1
        names = [p.sender.name for p in reopened.book.all()[0].presses]
        assert names == [None, "Ana Pérez"]
        assert reopened.book.all()[0].kind is IncidentKind.PANIC
    finally:
        await reopened.close()
