"""Property tests of the notification answer parser: any event data, no crash, no forgery."""

from __future__ import annotations

from hypothesis import given, strategies as st

from custom_components.mi_frente_seguro.frente.answers import (
    ANSWERS,
    action_id,
    parse_answer,
)
from custom_components.mi_frente_seguro.frente.ulid import UlidGenerator, is_ulid

from .test_properties_text import hostile_text

ULIDS = st.integers(min_value=0, max_value=2**48 - 1).map(UlidGenerator().new)
ANYTHING = st.one_of(
    hostile_text,
    st.none(),
    st.integers(),
    st.lists(hostile_text),
    st.dictionaries(hostile_text, hostile_text, max_size=3),
    st.builds(lambda *parts: "|".join(parts), hostile_text, hostile_text, hostile_text),
    st.builds(lambda a, i: f"MFS|{a}|{i}", hostile_text, hostile_text),
)


@given(answer=st.sampled_from(sorted(ANSWERS)), incident_id=ULIDS)
def test_every_action_we_send_parses_back(answer: str, incident_id: str) -> None:
    """What the notification carries comes back exactly."""
    assert parse_answer(action_id(answer, incident_id)) == (answer, incident_id)


@given(action=ANYTHING)
def test_anything_else_is_refused_or_well_formed(action: object) -> None:
    """Whatever an event holds: None, or one of the two answers and a real ULID."""
    parsed = parse_answer(action)
    if parsed is not None:
        answer, incident_id = parsed
        assert answer in ANSWERS
        assert is_ulid(incident_id)
        assert action == action_id(answer, incident_id)


@given(incident_id=ULIDS, junk=hostile_text.filter(bool))
def test_a_changed_id_is_not_taken_for_another(incident_id: str, junk: str) -> None:
    """Anything added to the id makes it no id at all (never a different incident)."""
    assert parse_answer(action_id("on_my_way", incident_id + junk)) is None
