"""The own-cancel rule, PINs, the duress cancel in one commit, and suspended presses.

Pure parts (frente/cancels.py, pins.py, suspension.py) on a real ledger file and a real
receiver on 127.0.0.1; the HA side is tests/test_own_cancel.py and tests/test_suspension.py.
"""

from __future__ import annotations

from datetime import timedelta
import json

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.mi_frente_seguro.frente.cancels import (
    OwnCancel,
    continues,
    own_cancel_refusal,
)
from custom_components.mi_frente_seguro.frente.change import Change
from custom_components.mi_frente_seguro.frente.committer import StorageError
from custom_components.mi_frente_seguro.frente.incident import (
    Incident,
    IncidentKind,
    IncidentState,
    Sender,
)
from custom_components.mi_frente_seguro.frente.pins import (
    CodeMatch,
    PinError,
    check_new_pins,
    hash_pin,
    match_code,
)
from custom_components.mi_frente_seguro.frente.suspension import is_held

from .dispatch.conftest import T0
from .dispatch.receiver import Receiver, wait_until
from .presses import app_press
from .test_ledger import Front, front, receiver  # noqa: F401  (the ledger's fixtures)

LUIS = Sender(user_id="u-luis", name="Luis", is_member=True)
ANA = Sender(user_id="u-ana", name="Ana", is_member=True)
PIN, DURESS = hash_pin("4821"), hash_pin("9137")


def test_the_own_cancel_rule() -> None:
    """Theirs alone, in the window, not locked, never a silent one."""
    incident = Incident.open("01J", "f", app_press(T0, sender=LUIS))
    later = T0 + timedelta(seconds=60)
    assert own_cancel_refusal(incident, "u-luis", later, 120) is None
    assert own_cancel_refusal(incident, "u-ana", later, 120) is OwnCancel.NOT_YOURS
    assert own_cancel_refusal(incident, None, later, 120) is OwnCancel.NOT_YOURS
    too_late = T0 + timedelta(seconds=121)
    assert own_cancel_refusal(incident, "u-luis", too_late, 120) is OwnCancel.TOO_LATE
    assert own_cancel_refusal(incident, "u-luis", later, 120, 3) is OwnCancel.LOCKED
    both, _ = incident.joined(app_press(later, sender=ANA))
    assert own_cancel_refusal(both, "u-luis", later, 120) is OwnCancel.NOT_YOURS
    mine_again, _ = incident.joined(app_press(later, sender=LUIS))
    assert own_cancel_refusal(mine_again, "u-luis", later, 120) is None
    silent = Incident.open("01K", "f", app_press(T0, IncidentKind.SILENT, LUIS))
    assert own_cancel_refusal(silent, "u-luis", later, 120) is OwnCancel.NOT_YOURS


def test_pins_match_only_themselves() -> None:
    """The PIN, the duress PIN, anything else; no PIN set: none asked."""
    assert match_code("4821", PIN, DURESS) is CodeMatch.PIN
    assert match_code("9137", PIN, DURESS) is CodeMatch.DURESS
    assert match_code("1111", PIN, DURESS) is CodeMatch.WRONG
    assert match_code(None, PIN, None) is CodeMatch.WRONG
    assert match_code("9137", PIN, None) is CodeMatch.WRONG
    assert match_code("4821", None, None) is CodeMatch.NO_PIN
    assert "4821" not in PIN and hash_pin("4821") != PIN  # salted
    for pin, duress, reason in (
        ("12", None, "pin_format"),
        ("123456789", None, "pin_format"),
        ("12a4", None, "pin_format"),
        ("١٢٣٤", None, "pin_format"),  # Arabic-Indic digits: not ASCII
        ("1234", "1234", "pin_same"),
    ):
        with pytest.raises(PinError) as err:
            check_new_pins(pin, duress)
        assert err.value.reason == reason
    check_new_pins("1234", "5678")


@settings(max_examples=25, deadline=None)
@given(code=st.text(max_size=20), stored=st.text(max_size=120))
def test_hostile_codes_and_stored_hashes_never_match_or_raise(
    code: str, stored: str
) -> None:
    """Any code against any stored text: a match only for the real PIN, never an error."""
    if stored.startswith("scrypt$"):
        stored = "scrypt$" + stored  # never a real hash of ``code``
    found = match_code(code, stored or "x", stored or None)
    assert found is CodeMatch.WRONG
    greedy = f"scrypt${2**20}$16$4${'00' * 16}${'00' * 32}"  # asks for 2 GiB
    assert match_code(code, greedy, greedy) is CodeMatch.WRONG


async def test_a_duress_cancel_is_one_commit_and_reaches_the_police(
    front: Front,  # noqa: F811  (the fixtures imported from test_ledger)
    receiver: Receiver,  # noqa: F811
) -> None:
    """Disk full: nothing changes; then the cancel and a silent alarm that continues it."""
    opened = await front.ledger.press(app_press(front.clock(), sender=LUIS))
    incident_id = opened.incident.incident_id
    await wait_until(lambda: len(receiver.accepted) == 1)
    # The delivery is recorded (the incident is sent) before the disk fills.
    await wait_until(
        lambda: front.ledger.book.get(incident_id).state is IncidentState.SENT
    )
    before, told = front.ledger.book.open_incident, len(front.told)
    details = {"reason": "sender", "by_name": "Luis"}
    await front.fill_disk()
    with pytest.raises(StorageError):
        await front.ledger.duress_cancel(
            incident_id,
            app_press(front.clock(), sender=LUIS),
            by="u-luis",
            details=details,
        )
    assert front.ledger.book.open_incident is before
    assert len(front.told) == told
    await front.free_disk()

    change = await front.ledger.duress_cancel(
        incident_id, app_press(front.clock(), sender=LUIS), by="u-luis", details=details
    )
    assert change.incident.state is IncidentState.CANCELLED
    silent = front.ledger.book.open_incident
    assert silent is not None and silent.kind is IncidentKind.SILENT
    assert continues(silent) == incident_id
    assert [item.change for item in front.told[told:]][:2] == [
        Change.ADVANCED,
        Change.OPENED,
    ]
    await wait_until(lambda: len(receiver.accepted_once()) >= 3)
    bodies = [json.loads(item.body) for item in receiver.requests]
    kinds = [(body["type"], body["incident_id"]) for body in bodies]
    assert kinds.index(("incident.cancelled", incident_id)) < kinds.index(
        ("incident.created", silent.incident_id)
    )
    created = next(body for body in bodies if body["incident_id"] == silent.incident_id)
    assert created["continues"] == incident_id
    assert created["presses"][0]["note"] == "duress_cancel"

    # On a silent incident nothing is cancelled: the duress joins it.
    again = await front.ledger.duress_cancel(
        None, app_press(front.clock(), sender=LUIS), by="u-luis", details=details
    )
    assert again.change is Change.JOINED and again.incident.is_open


def test_a_suspended_press_holds_the_alarm_until_someone_else_presses() -> None:
    """Held while only suspended members pressed; a free press releases it."""
    suspended = Sender(user_id="u-x", name="X", is_member=True, suspended=True)
    incident = Incident.open("01J", "f", app_press(T0, sender=suspended))
    assert is_held(incident)
    again, _ = incident.joined(app_press(T0, sender=suspended))
    assert is_held(again)
    freed, _ = again.joined(app_press(T0, sender=ANA))
    assert not is_held(freed)
    stored = Incident.from_dict(freed.to_dict())
    assert stored.presses[0].sender.suspended and not is_held(stored)
