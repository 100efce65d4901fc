"""Property tests of the police status body parser (``dispatch/inbound.py``).

Any body is either a :class:`MalformedError` or a dict whose fields are valid: a state of
the lifecycle, ``unit`` and ``note`` storable text within their limits, an ``eta_minutes``
in 0..240 and an aware ``sent_at``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
import json
from typing import Any

from hypothesis import given, strategies as st
import pytest

from custom_components.mi_frente_seguro.frente.dispatch.inbound import (
    MAX_ETA,
    MAX_NOTE,
    MAX_UNIT,
    POLICE_STATES,
    MalformedError,
    parse_status_body,
)
from custom_components.mi_frente_seguro.frente.incident import IncidentState
from custom_components.mi_frente_seguro.frente.text import checked_text

from .test_properties_kit import encoded, hostile_value
from .test_properties_text import (
    PROPERTY,
    hostile_text,
    outcome,
    storable_char,
    storable_multiline,
    texts,
)

ID_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-"
FIELDS = ("version", "incident_id", "status", "unit", "eta_minutes", "note", "sent_at")
VALID = {
    "version": "1",
    "incident_id": "01JDPANIC00000000000000000",
    "status": "closed",
}

field_value = st.one_of(
    hostile_value,
    st.sampled_from(
        ["1", "2", 1, "closed", "dispatched", "on_scene", "received", "triggered", "01JD",
         "a" * 65, "2026-11-26T20:00:00-05:00", "2026-11-26T20:00:00",
         "9999-12-31T23:59:59+23:59", "\ud800", "Patrulla\x0012"]
    ),
)  # fmt: skip
moments = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5)), timezone.max]),
)
# Per field: valid values, near misses and hostile ones, so that many bodies pass.
FIELD_VALUES = {
    "unit": st.one_of(hostile_text, texts(storable_char, max_size=50), field_value),
    "note": st.one_of(hostile_text, storable_multiline, field_value),
    "eta_minutes": st.one_of(st.integers(-5, MAX_ETA + 5), field_value),
    "sent_at": st.one_of(
        moments.map(datetime.isoformat),
        moments.map(lambda moment: moment.replace(tzinfo=None).isoformat()),
        hostile_text,
        field_value,
    ),
}
hostile_body = st.one_of(
    st.binary(max_size=256),
    st.builds(
        encoded,
        st.fixed_dictionaries(
            {},
            optional={
                key: field_value
                if key not in VALID
                else st.just(VALID[key]) | field_value
                for key in FIELDS
            },
        ),
        st.booleans(),
    ),
    st.builds(
        encoded,
        st.fixed_dictionaries(
            {key: st.just(value) for key, value in VALID.items()},
            optional={key: st.none() | values for key, values in FIELD_VALUES.items()},
        ),
        st.booleans(),
    ),
)


def assert_valid_fields(fields: dict[str, Any]) -> None:
    """Fail unless parsed fields are what the police API promises."""
    assert isinstance(fields["status"], IncidentState)
    assert fields["status"] in POLICE_STATES.values()
    unit, note = fields["unit"], fields["note"]
    if unit is not None:
        assert checked_text(unit, "unit", max_length=MAX_UNIT) == unit
        assert unit == " ".join(unit.split()) and unit
    if note is not None:
        assert checked_text(note, "note", multiline=True, max_length=MAX_NOTE) == note
        assert note == note.strip() and note
        note.encode("utf-8")
    eta = fields["eta_minutes"]
    assert eta is None or (type(eta) is int and 0 <= eta <= MAX_ETA)
    sent_at = fields["sent_at"]
    assert sent_at is None or (
        isinstance(sent_at, datetime) and sent_at.utcoffset() is not None
    )


@PROPERTY
@given(hostile_body)
def test_any_body_is_malformed_or_valid(body: bytes) -> None:
    """Arbitrary bytes and hostile JSON: a MalformedError, or valid, storable fields."""
    fields = outcome(lambda: parse_status_body(body), MalformedError)
    if isinstance(fields, MalformedError):
        assert fields.status == 400
        return
    assert_valid_fields(fields)


@PROPERTY
@given(
    st.sampled_from(sorted(POLICE_STATES)),
    st.text(st.sampled_from(ID_CHARS), min_size=1, max_size=64),
    st.none() | texts(storable_char, max_size=MAX_UNIT),
    st.none() | st.integers(0, MAX_ETA),
    st.none() | storable_multiline.map(lambda text: text[:MAX_NOTE]),
    st.none()
    | st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5))]),
    ),
    st.booleans(),
)
def test_a_valid_update_round_trips(
    status: str,
    incident_id: str,
    unit: str | None,
    eta: int | None,
    note: str | None,
    sent_at: datetime | None,
    ascii_only: bool,
) -> None:
    """Every field of a valid update comes back (unit folded, note stripped)."""
    document: dict[str, Any] = {
        "version": "1",
        "incident_id": incident_id,
        "status": status,
        "unit": unit,
        "eta_minutes": eta,
        "note": note,
        "sent_at": None if sent_at is None else sent_at.isoformat(),
        "unknown_later_field": {"ignored": True},
    }
    fields = parse_status_body(encoded(document, ascii_only))
    assert_valid_fields(fields)
    assert fields["incident_id"] == incident_id
    assert fields["status"] is POLICE_STATES[status]
    assert fields["unit"] == (" ".join(unit.split()) or None if unit else None)
    assert fields["note"] == (note.strip() or None if note else None)
    assert fields["eta_minutes"] == eta
    assert fields["sent_at"] == sent_at


@PROPERTY
@given(
    st.sampled_from(["unit", "note"]),
    st.sampled_from(["\ud800", "\udfff", "\x00", "\x1b", "\x7f", "\x85", "\ufffe"]),
    texts(storable_char, max_size=10),
)
def test_unstorable_unit_or_note_is_malformed(
    field: str, poison: str, text: str
) -> None:
    """A lone surrogate (as a JSON escape) or a control character refuses the update."""
    body = encoded({**VALID, field: text + poison + text}, ascii_only=True)
    with pytest.raises(MalformedError, match="storable"):
        parse_status_body(body)


@PROPERTY
@given(hostile_text)
def test_text_fields_never_pass_unstorable_text(text: str) -> None:
    """Whatever ``unit`` and ``note`` hold, what comes back is storable (or refused)."""
    for field in ("unit", "note"):
        try:
            fields = parse_status_body(encoded({**VALID, field: text}, ascii_only=True))
        except MalformedError:
            continue
        assert_valid_fields(fields)


def test_huge_integers_are_malformed() -> None:
    """A 5000-digit integer (fits in 64 KiB) is malformed, not an unexpected ValueError."""
    body = b'{"version": "1", "eta_minutes": ' + b"1" * 5000 + b"}"
    with pytest.raises(MalformedError):
        parse_status_body(body)


def test_nan_in_an_ignored_field_is_not_kept() -> None:
    """``NaN`` in an unknown field is ignored (only checked fields are returned)."""
    body = b'{"version": "1", "incident_id": "a", "status": "closed", "later": NaN}'
    fields = parse_status_body(body)
    assert json.dumps(fields, default=str, allow_nan=False)
