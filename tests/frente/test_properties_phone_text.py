"""Property tests of the phone text: any message, any names, a short safe text or nothing."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings, strategies as st

from custom_components.mi_frente_seguro.frente.dispatch.messages import MessageType
from custom_components.mi_frente_seguro.frente.dispatch.phone_text import (
    HEADLINES,
    MAX_FIELD,
    phone_text,
)

from .test_properties_messages import MessageCase, messages

MAX_LINES = 8


@settings(max_examples=200, deadline=None)
@given(messages())
def test_real_alarms_and_cancels_only_as_a_few_safe_lines(case: MessageCase) -> None:
    """Drills, presses, evidence, closes: nothing; alarms and cancels: short plain lines."""
    message, incident = case
    text = phone_text(message)
    kind_update = "kind" in (message.get("changes") or ())
    wanted = not incident.exercise and (
        message["type"] in {MessageType.CREATED, MessageType.CANCELLED}
        or (message["type"] == MessageType.UPDATED and kind_update)
    )
    assert (text is not None) is wanted
    if text is None:
        return
    lines = text.split("\n")
    assert len(lines) <= MAX_LINES
    for line in lines:
        assert line.isprintable()
        assert len(line) <= len(HEADLINES["silent"]) + 2 * MAX_FIELD + 10
    if message["type"] != MessageType.CANCELLED:
        assert lines[0].startswith(HEADLINES[str(incident.kind)])
    assert "\r" not in text


hostile = st.one_of(
    st.none(),
    st.text(),
    st.integers(),
    st.floats(),
    st.lists(st.text(), max_size=2),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "type": st.sampled_from([*MessageType, "x", None]),
            "kind": st.sampled_from(["panic", "silent", "drill", "fire", None]),
            "exercise": st.booleans(),
        },
        optional={
            "front": st.dictionaries(
                st.sampled_from(["name", "barrio", "address", "lat", "lon"]), hostile
            ),
            "presses": st.lists(
                st.dictionaries(
                    st.sampled_from(["sender", "location", "source"]), hostile
                ),
                max_size=2,
            ),
            "changes": st.lists(st.sampled_from(["kind", "presses"]), max_size=2),
            "cancel": st.dictionaries(
                st.sampled_from(["reason", "by_name", "at"]), hostile
            ),
            "opened_at": hostile,
            "presses_total": hostile,
        },
    )
)
def test_hostile_messages_never_raise(message: dict[str, Any]) -> None:
    """Whatever a stored message holds, the text is made or skipped, never an error."""
    try:
        text = phone_text(message)
    except AttributeError, TypeError:
        # A sender/front that is not a mapping: only a message this module never built.
        if all(isinstance(p, dict) for p in message.get("presses", [])) and all(
            isinstance(p.get("sender", {}), dict | type(None))
            and isinstance(p.get("location", {}), dict | type(None))
            for p in message.get("presses", [])
        ):
            raise
        return
    assert text is None or all(line.isprintable() for line in text.split("\n"))


def test_silent_alarms_are_worded_neutrally() -> None:
    """A silent alarm says so, and asks not to call the sender."""
    assert "no llame al remitente" in HEADLINES["silent"]
    text = phone_text(
        {
            "type": "incident.created",
            "kind": "silent",
            "exercise": False,
            "front": {
                "name": "Calle Real",
                "barrio": "Getsemaní",
                "lat": 10.4,
                "lon": -75.5,
            },
            "presses": [{"sender": {"name": "Ana", "house": "12"}, "source": "app"}],
            "opened_at": "2026-12-02T10:00:00-05:00",
        }
    )
    assert text is not None
    assert text.startswith(
        "ALERTA SILENCIOSA / posible coacción, no llame al remitente"
    )
    assert "Mapa: https://maps.google.com/?q=10.400000,-75.500000" in text
    assert "Hora: 10:00" in text
