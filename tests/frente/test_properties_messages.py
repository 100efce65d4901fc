"""Property tests of the police messages: JSON Schema, CAP 1.2 XSD, and incident storage.

Incidents are built from generated presses whose text is storable but adversarial (quotes,
``<``, ``&``, ``]]>``, emoji, bidi marks, long strings, line breaks in notes), taken through
generated lifecycles, and rendered as every message type. Each message must encode as
JSON that validates against ``docs/police-api.schema.json`` (closed: a field the schema
does not document fails) and render as CAP that validates against the OASIS CAP 1.2 XSD.

The published schema's message ``version`` const is compared with ``messages.VERSION``;
should the two drift (the schema said "1" while messages said "2"), the test validates
with a copy patched to the code's version (and documents ``presses_total`` if missing),
so that a stale constant does not hide every other check.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
import json
import math
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st
from jsonschema import Draft202012Validator
import pytest

from custom_components.mi_frente_seguro.frente.dispatch.cap import to_cap
from custom_components.mi_frente_seguro.frente.dispatch.messages import (
    MAX_LISTED_PRESSES,
    VERSION,
    Evidence,
    EvidenceKind,
    MessageRef,
    MessageType,
    UpdateChange,
    build_message,
    encode_json,
)
from custom_components.mi_frente_seguro.frente.front import Front, clean_cuadrante_code
from custom_components.mi_frente_seguro.frente.incident import (
    CHAIN,
    Incident,
    IncidentKind,
    IncidentSource,
    IncidentState,
    Location,
    Press,
    Response,
    Sender,
    press_to_dict,
)
from tests.frente.dispatch.contract import cap_schema, close_objects, schema

from .test_properties_text import PROPERTY, storable_char, texts

MESSAGES = settings(PROPERTY, max_examples=30)
BOGOTA = ZoneInfo("America/Bogota")
ZONES = [
    UTC,
    BOGOTA,
    timezone(timedelta(hours=5, minutes=30)),
    timezone(-timedelta(hours=9, minutes=30)),
]
# Fragments that break naive JSON or XML writers, in the text users type.
NASTY = (
    '"', "'", "<", ">", "&", "&amp;", "]]>", "<![CDATA[", "<!--", "\\", "\\u0000",
    "😀", "👩‍👩‍👧", "\u200f", "\u202e", "\u2028", "\ufeff", "\t", "é", "ñ", "x" * 90,
)  # fmt: skip

one_line = texts(storable_char, NASTY, max_size=120)
# What the config flow stores: folded one-line text of at most 100 characters.
field_text = one_line.map(lambda text: " ".join(text.split())[:100])
note_text = texts(storable_char, (*NASTY, "\n", "\r", "\r\n"), max_size=200)
phones = st.one_of(
    st.integers(3_000_000_000, 3_999_999_999), st.integers(6_000_000_000, 6_099_999_999)
).map(lambda number: f"+57{number}")
LOWER = "abcdefghijklmnopqrstuvwxyz0123456789"
ID_CHARS = LOWER + "ABCDEFGHIJKLMNOPQRSTUVWXYZ_-"
incident_ids = st.text(st.sampled_from(ID_CHARS), min_size=1, max_size=64)
hex_digests = st.binary(min_size=32, max_size=32).map(bytes.hex)
sha1_digests = st.binary(min_size=20, max_size=20).map(bytes.hex)
user_ids = st.text(st.sampled_from(LOWER), min_size=1, max_size=8).map("u-{}".format)
moments = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2090, 1, 1),
    timezones=st.sampled_from(ZONES),
)
latitudes = st.floats(-90, 90)
longitudes = st.floats(-180, 180)

fronts = st.builds(
    Front,
    front_id=st.lists(
        st.text(st.sampled_from(LOWER), min_size=1, max_size=8), min_size=1, max_size=4
    ).map("_".join),
    name=field_text,
    barrio=field_text,
    address=field_text,
    latitude=latitudes,
    longitude=longitudes,
    radius=st.floats(0, 100_000),
    cuadrante_code=st.text(st.sampled_from(ID_CHARS + " "), max_size=31).map(
        lambda code: clean_cuadrante_code("C" + code)
    ),
    cuadrante_name=field_text,
    cuadrante_phone=phones,
    coordinator_name=field_text,
    coordinator_phone=phones,
)
senders = st.builds(
    Sender,
    user_id=st.none() | user_ids,
    person_id=st.none() | user_ids.map("person.{}".format),
    name=st.none() | field_text,
    house=st.none() | field_text,
    phone=st.none() | phones,
    role=st.none() | st.sampled_from(["coordinator", "resident"]),
    is_member=st.booleans(),
    device=st.none() | field_text,
)
locations = st.builds(
    Location,
    latitude=latitudes,
    longitude=longitudes,
    accuracy=st.none() | st.floats(0, 10_000),
    fix_time=st.none() | moments,
    distance=st.none() | st.floats(0, 20_000_000),
    outside_area=st.booleans(),
)


# Everything of a press but its time (one strategy, built once: drawing is faster).
press_parts = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(IncidentKind),
        "source": st.sampled_from(IncidentSource),
        "sender": senders,
        "location": st.none() | locations,
        "note": note_text,
        "key": st.none() | st.integers(0, 2**32 - 1).map("b1:{}".format),
    }
)
_PRIVATE = {"relayed_by": st.just("u-admin")}  # a detail that must stay home
DETAILS: dict[IncidentState, st.SearchStrategy[dict[str, Any]]] = {
    IncidentState.CANCELLED: st.fixed_dictionaries(
        {"reason": one_line}, optional={"by_name": field_text, **_PRIVATE}
    ),
    IncidentState.CLOSED: st.fixed_dictionaries(
        {"note": note_text}, optional={"by_name": field_text, **_PRIVATE}
    ),
    IncidentState.DISPATCHED: st.fixed_dictionaries(
        {},
        optional={
            "unit": field_text.map(lambda unit: unit[:40].strip()),
            "eta_minutes": st.integers(0, 240),
            "note": note_text,
        },
    ),
}
OTHER_DETAILS = st.fixed_dictionaries({}, optional={"note": note_text, **_PRIVATE})


# Cheaper presses for incidents with many of them (the press list is what they test).
plain_press_parts = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(IncidentKind),
        "source": st.sampled_from(IncidentSource),
        "note": st.sampled_from(["", "<&>", "😀"]),
    }
)


@st.composite
def incidents(
    draw: st.DrawFn,
    min_presses: int = 1,
    max_presses: int = 4,
    parts: st.SearchStrategy[dict[str, Any]] = press_parts,
) -> Incident:
    """Return an incident of min..max presses, then a generated lifecycle."""
    at = draw(moments)
    count = draw(st.integers(min_presses, max_presses))
    first = Press(at=at, **draw(parts))
    incident = Incident.open(
        draw(incident_ids),
        draw(st.text(st.sampled_from(LOWER + "_"), min_size=1, max_size=20)),
        first,
    )
    for _ in range(count - 1):
        at += timedelta(seconds=draw(st.integers(0, 600)))
        incident, _change = incident.joined(Press(at=at, **draw(parts)))
    steps = sorted(
        draw(st.sets(st.sampled_from(CHAIN[1:]), max_size=5)), key=CHAIN.index
    )
    if IncidentState.CLOSED not in steps and draw(st.booleans()):
        steps.append(IncidentState.CANCELLED)
    for state in steps:
        at += timedelta(seconds=draw(st.integers(0, 3600)))
        incident, _step = incident.advanced(
            state,
            at,
            by=draw(st.sampled_from(["police", "system", "u-ana", None])),
            details=draw(DETAILS.get(state, OTHER_DETAILS)),
        )
    return incident


evidence_items = st.builds(
    Evidence,
    camera=field_text,
    url=one_line.map(
        lambda name: f"https://evidence.example.org/f/{quote(name, safe='')}.jpg"
    ),
    sha256=hex_digests,
    captured_at=moments,
    kind=st.sampled_from(EvidenceKind),
    mime_type=st.sampled_from(["image/jpeg", "video/mp4"]),
    size=st.none() | st.integers(0, 10**9),
    sha1=st.none() | sha1_digests,
)


type MessageCase = tuple[dict[str, Any], Incident]
"""What :func:`messages` draws: a police message and the incident it is about."""


@st.composite
def messages(
    draw: st.DrawFn, incident_strategy: st.SearchStrategy[Incident] | None = None
) -> MessageCase:
    """Return a police message of a type that fits a generated incident, and the incident."""
    incident = draw(incidents() if incident_strategy is None else incident_strategy)
    front = draw(fronts)
    sent_at = incident.transitions[-1].at + timedelta(
        seconds=draw(st.integers(0, 86_400))
    )
    evidence = draw(st.lists(evidence_items, max_size=3))
    original = draw(
        st.none()
        | st.builds(MessageRef, st.just("01JDMSGORIGINAL00000000000"), moments)
    )
    kinds = ["created", "updated"]
    if incident.state is IncidentState.CANCELLED:
        kinds.append("cancelled")
    if incident.state is IncidentState.CLOSED:
        kinds.append("closed")
    kind = draw(st.sampled_from(kinds))
    if kind == "created":
        message = build_message(MessageType.CREATED, incident, front, sent_at, evidence)
    elif kind == "updated":
        changes = draw(st.sets(st.sampled_from(UpdateChange), min_size=1))
        message = build_message(
            MessageType.UPDATED,
            incident,
            front,
            sent_at,
            evidence,
            changes=changes,
            original=original,
        )
    elif kind == "cancelled":
        message = build_message(
            MessageType.CANCELLED, incident, front, sent_at, evidence, original=original
        )
    else:
        message = build_message(
            MessageType.CLOSED, incident, front, sent_at, evidence, original=original
        )
    return message, incident


@cache
def message_validator() -> Draft202012Validator:
    """Return a closed validator of the published schema's ``message``, version-aligned."""
    document = copy.deepcopy(schema())
    properties = document["$defs"]["message"]["properties"]
    if properties["version"].get("const") != VERSION:  # a stale schema: patch the copy
        properties["version"] = {"const": VERSION}
    properties.setdefault("presses_total", {"type": "integer", "minimum": 1})
    close_objects(document)
    document = {key: value for key, value in document.items() if key != "oneOf"}
    document["$ref"] = "#/$defs/message"
    Draft202012Validator.check_schema(document)
    return Draft202012Validator(document)


def xml_text(text: str) -> str:
    """Return ``text`` as an XML parser reads it back (line ends become LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@MESSAGES
@given(messages())
def test_messages_are_schema_valid_json_and_xsd_valid_cap(
    generated: MessageCase,
) -> None:
    """Every message encodes to JSON that follows the schema, and to CAP the XSD accepts."""
    message, incident = generated
    raw = encode_json(message)
    decoded = json.loads(raw.decode("utf-8"))
    assert decoded == message
    errors = sorted(message_validator().iter_errors(decoded), key=str)
    assert not errors, [f"{list(err.absolute_path)}: {err.message}" for err in errors]
    assert decoded["presses_total"] == len(incident.presses)
    assert "relayed_by" not in raw.decode()  # private details never reach the police
    assert decoded["note"] == incident.note

    document = to_cap(message).decode("utf-8")
    cap_schema().validate(document)
    alert = cap_schema().to_dict(document)
    assert isinstance(alert, dict)
    assert alert["identifier"] == message["id"]
    assert alert["incidents"] == incident.incident_id
    (info,) = alert["info"]
    front = message["front"]
    assert info["senderName"] == f"Frente de seguridad {front['name']}"
    assert info["area"][0]["areaDesc"] == f"{front['barrio']}, {front['address']}"
    if incident.note:  # user text arrives intact (an XML parser reads CR as LF)
        assert f"Nota: {xml_text(incident.note)}" in info["description"]


@settings(PROPERTY, max_examples=5)
@given(
    messages(
        incidents(MAX_LISTED_PRESSES - 1, MAX_LISTED_PRESSES + 6, plain_press_parts)
    )
)
def test_long_incidents_list_the_first_and_latest_presses(
    generated: MessageCase,
) -> None:
    """At most 50 presses are listed (the first, then the latest); the total is given."""
    message, incident = generated
    listed = message["presses"]
    assert len(listed) == min(len(incident.presses), MAX_LISTED_PRESSES)
    assert message["presses_total"] == len(incident.presses)
    assert listed[0]["at"] == incident.presses[0].at.isoformat()
    assert listed[-1]["at"] == incident.presses[-1].at.isoformat()
    assert not list(message_validator().iter_errors(json.loads(encode_json(message))))
    cap_schema().validate(to_cap(message).decode())


def leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """Return (path, value) of every string and float leaf of a message."""
    if isinstance(node, dict):
        return [hit for key, item in node.items() for hit in leaves(item, (*path, key))]
    if isinstance(node, list):
        return [
            hit
            for index, item in enumerate(node)
            for hit in leaves(item, (*path, index))
        ]
    return [(path, node)] if isinstance(node, str | float) else []


def poisoned(
    message: dict[str, Any], path: tuple[Any, ...], value: Any
) -> dict[str, Any]:
    """Return a deep copy of ``message`` with ``value`` at ``path``."""
    copied = copy.deepcopy(message)
    node: Any = copied
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return copied


@settings(PROPERTY, max_examples=30)
@given(
    messages(),
    st.data(),
    st.sampled_from(["\ud800", "\udfff", "\ud83d"]),
    st.sampled_from([math.nan, math.inf, -math.inf]),
)
def test_encode_json_refuses_nan_and_lone_surrogates(
    generated: MessageCase,
    data: st.DataObject,
    surrogate: str,
    not_finite: float,
) -> None:
    """A lone surrogate in any string, or NaN/inf in any number: ValueError, no bytes."""
    message, _ = generated
    found = leaves(message)
    strings = [path for path, value in found if isinstance(value, str)]
    numbers = [path for path, value in found if isinstance(value, float)]
    path = data.draw(st.sampled_from(strings), label="string")
    text = data.draw(st.sampled_from([surrogate, f"a{surrogate}b"]), label="text")
    with pytest.raises(ValueError):
        encode_json(poisoned(message, path, text))
    path = data.draw(st.sampled_from(numbers), label="number")
    with pytest.raises(ValueError):
        encode_json(poisoned(message, path, not_finite))


@settings(PROPERTY, max_examples=30)
@given(
    fronts,
    st.sampled_from(["latitude", "longitude", "radius"]),
    st.sampled_from([math.nan, math.inf]),
)
def test_a_front_built_around_its_checks_cannot_be_sent(
    front: Front, field: str, not_finite: float
) -> None:
    """A Front made without ``from_mapping`` holding NaN: its message never encodes."""
    press = Press(
        datetime(2026, 11, 26, 20, 0, tzinfo=UTC),
        IncidentKind.PANIC,
        IncidentSource.APP,
    )
    incident = Incident.open("01JD", front.front_id, press)
    broken = {
        "latitude": replace(front, latitude=not_finite),
        "longitude": replace(front, longitude=not_finite),
        "radius": replace(front, radius=not_finite),
    }[field]
    message = build_message(MessageType.CREATED, incident, broken, press.at)
    with pytest.raises(ValueError):
        encode_json(message)


responses = st.builds(
    Response,
    at=moments,
    action=st.sampled_from(["on_my_way", "false_alarm"]),
    user_id=st.none() | user_ids,
    name=st.none() | field_text,
)
evidence_records = st.fixed_dictionaries(
    {
        "camera": field_text,
        "kind": st.sampled_from(["snapshot", "clip"]),
        "file": one_line,
        "sha256": hex_digests,
        "captured_at": moments.map(datetime.isoformat),
    },
    optional={"media": one_line},
)


@settings(PROPERTY, max_examples=40)
@given(
    incidents(), st.lists(responses, max_size=3), st.lists(evidence_records, max_size=3)
)
def test_incidents_round_trip_through_to_dict(
    incident: Incident, answers: list[Response], files: list[dict[str, Any]]
) -> None:
    """``from_dict(to_dict())`` gives the same incident, directly and through JSON text."""
    for answer in answers:
        incident = incident.answered(answer)
    incident = incident.with_evidence(files)
    stored = incident.to_dict()
    assert Incident.from_dict(stored) == incident
    text = json.dumps(stored, ensure_ascii=False, allow_nan=False)
    rebuilt = Incident.from_dict(json.loads(text.encode("utf-8")))
    assert rebuilt == incident
    assert rebuilt.to_dict() == stored
    assert rebuilt.sender_names == incident.sender_names
    assert rebuilt.sender_persons == incident.sender_persons
    # The store keeps presses in rows of their own.
    rows = [json.loads(json.dumps(press_to_dict(press))) for press in incident.presses]
    assert Incident.from_dict(incident.to_dict(presses=False), rows) == incident
