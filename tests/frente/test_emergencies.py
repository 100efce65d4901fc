"""Emergencies (security, medical, fire): the incident's list, storage, and the kit payload."""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import sqlite3

from hypothesis import given, strategies as st
import pytest

from custom_components.mi_frente_seguro.frente.book import IncidentBook
from custom_components.mi_frente_seguro.frente.change import Change, IncidentChange
from custom_components.mi_frente_seguro.frente.incident import (
    Emergency,
    Incident,
    IncidentKind,
)
from custom_components.mi_frente_seguro.frente.kit.protocol import (
    PRESS_KINDS,
    MalformedPayloadError,
    parse_press,
    siren_command,
    siren_tone,
)
from custom_components.mi_frente_seguro.frente.store import IncidentStore

from .presses import app_press

T0 = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)
SECURITY, MEDICAL, FIRE = Emergency.SECURITY, Emergency.MEDICAL, Emergency.FIRE
PANIC, SILENT, DRILL = IncidentKind.PANIC, IncidentKind.SILENT, IncidentKind.DRILL


def press_at(
    seconds: int, kind: IncidentKind = PANIC, emergency: Emergency = SECURITY
) -> object:
    """Return an app press ``seconds`` after T0."""
    return app_press(T0 + timedelta(seconds=seconds), kind, emergency=emergency)


def book_with(*presses: tuple[IncidentKind, Emergency]) -> list[IncidentChange]:
    """Press each (kind, emergency) in turn on one book; return the applied changes."""
    book = IncidentBook("front", lambda: T0)
    changes = []
    for n, (kind, emergency) in enumerate(presses):
        change = book.decide_press(press_at(n, kind, emergency))  # type: ignore[arg-type]
        book.apply(change)
        changes.append(change)
    return changes


def test_a_medical_press_joins_an_open_panic_and_raises_the_list() -> None:
    """Security first, then medical: one incident, both emergencies, the news told."""
    opened, joined = book_with((PANIC, SECURITY), (PANIC, MEDICAL))
    assert opened.incident.emergencies == (SECURITY,)
    assert joined.change is Change.JOINED
    assert joined.incident.incident_id == opened.incident.incident_id
    assert joined.incident.emergencies == (SECURITY, MEDICAL)
    assert joined.incident.emergency is SECURITY  # the first stays first
    assert joined.emergency_added is MEDICAL


def test_the_same_emergency_again_adds_nothing() -> None:
    """A second fire press is a press, not news."""
    _, again = book_with((PANIC, FIRE), (PANIC, FIRE))
    assert again.incident.emergencies == (FIRE,)
    assert again.emergency_added is None


def test_a_silent_press_adds_no_emergency_to_a_shown_incident() -> None:
    """Duress stays invisible: a silent press on a medical alarm leaves its list alone."""
    _, silent = book_with((PANIC, MEDICAL), (SILENT, SECURITY))
    assert silent.incident.emergencies == (MEDICAL,)
    assert silent.emergency_added is None
    assert silent.incident.presses[-1].kind is SILENT  # the police still get it


def test_drills_and_real_presses() -> None:
    """A drill press adds nothing to a real alarm; a real press replaces a drill's."""
    _, drill = book_with((PANIC, SECURITY), (DRILL, FIRE))
    assert drill.incident.emergencies == (SECURITY,)
    _, real = book_with((DRILL, FIRE), (PANIC, MEDICAL))
    assert real.change is Change.KIND_RAISED
    assert real.incident.emergencies == (MEDICAL,)
    assert real.emergency_added is None  # the kind change tells it
    _, both = book_with((DRILL, FIRE), (DRILL, MEDICAL))
    assert both.incident.emergencies == (FIRE, MEDICAL)
    assert both.incident.exercise


def test_an_audible_press_on_a_silent_incident_keeps_its_security() -> None:
    """A duress made audible by a fire press: a panic for security and fire."""
    _, raised = book_with((SILENT, SECURITY), (PANIC, FIRE))
    assert raised.incident.kind is PANIC
    assert raised.incident.emergencies == (SECURITY, FIRE)


def test_rows_of_older_versions_load_as_security() -> None:
    """No ``emergencies`` in the row, no ``emergency`` in its presses: security."""
    incident = Incident.open("01OLD", "front", press_at(0))
    stored = incident.to_dict()
    del stored["emergencies"]
    for press in stored["presses"]:
        del press["emergency"]
    loaded = Incident.from_dict(json.loads(json.dumps(stored)))
    assert loaded.emergencies == (SECURITY,)
    assert loaded.presses[0].emergency is SECURITY
    assert loaded == incident


async def test_an_older_file_on_disk_loads_as_security(tmp_path: Path) -> None:
    """The real SQLite store reads rows written before emergencies, and keeps new ones."""
    path = tmp_path / "front.db"
    store = IncidentStore(path)
    await store.async_open()
    old = Incident.open("01OLD", "front", press_at(0))
    new, _ = Incident.open("01NEW", "front", press_at(1, emergency=FIRE)).joined(
        press_at(2, emergency=MEDICAL)
    )
    for item in (old, new):
        await store.async_save(item)
    await store.async_close()
    with closing(sqlite3.connect(path)) as db:  # make 01OLD a row of an older version
        (body,) = db.execute(
            "SELECT body FROM incidents WHERE incident_id = '01OLD'"
        ).fetchone()
        row = json.loads(body)
        del row["emergencies"]
        db.execute(
            "UPDATE incidents SET body = ? WHERE incident_id = '01OLD'",
            (json.dumps(row).encode(),),
        )
        presses = db.execute("SELECT incident_id, n, body FROM presses").fetchall()
        for incident_id, n, press in presses:
            data = json.loads(press)
            data.pop("emergency")
            db.execute(
                "UPDATE presses SET body = ? WHERE incident_id = ? AND n = ?",
                (json.dumps(data).encode(), incident_id, n),
            )
        db.commit()
    store = IncidentStore(path)
    loaded = {item.incident_id: item for item in await store.async_open()}
    await store.async_close()
    assert loaded["01OLD"] == old
    assert loaded["01NEW"].emergencies == (FIRE, MEDICAL)
    assert all(press.emergency is SECURITY for press in loaded["01NEW"].presses)


@pytest.mark.parametrize(
    ("kind", "incident_kind", "emergency"),
    [
        ("panic", PANIC, SECURITY),
        ("silent", SILENT, SECURITY),
        ("medical", PANIC, MEDICAL),
        ("fire", PANIC, FIRE),
    ],
)
def test_kit_press_kinds(
    kind: str, incident_kind: IncidentKind, emergency: Emergency
) -> None:
    """Version 2 kinds: medical and fire are audible panics asking for that help."""
    press = parse_press(json.dumps({"button": "b1", "kind": kind}).encode())
    assert (press.incident_kind, press.emergency) == (incident_kind, emergency)


@given(st.one_of(st.text(max_size=20), st.integers(), st.none(), st.booleans()))
def test_any_kit_kind_is_known_or_malformed(kind: object) -> None:
    """A hostile ``kind`` is one of the protocol's, or an ``unknown_kind`` payload."""
    payload = json.dumps({"button": "b1", "kind": kind}).encode()
    if isinstance(kind, str) and kind in PRESS_KINDS:
        assert parse_press(payload).kind == kind
        return
    with pytest.raises(MalformedPayloadError) as raised:
        parse_press(payload)
    assert raised.value.problem == "unknown_kind"


def test_siren_commands_per_emergency() -> None:
    """Each emergency its tone; security's command is exactly version 1's."""
    assert siren_tone(SECURITY, "chime") == "chime"
    assert siren_tone(MEDICAL, "chime") == "medical"
    assert siren_tone(FIRE, "chime") == "fire"
    assert json.loads(
        siren_command(True, duration=5, tone="alarm", emergency=SECURITY)
    ) == {"state": "ON", "duration": 5, "tone": "alarm"}
    assert json.loads(
        siren_command(True, duration=5, tone="medical", emergency=MEDICAL)
    ) == {"state": "ON", "duration": 5, "tone": "medical", "emergency": "medical"}
    assert json.loads(siren_command(False, emergency=FIRE)) == {"state": "OFF"}
