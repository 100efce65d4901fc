"""Property tests of ``frente/text.py``: what cannot be stored never gets through.

The oracle here is written from the Unicode categories, independently of the module's
regular expressions: a character is unstorable when it is a surrogate (``Cs``), one of the
noncharacters U+FFFE / U+FFFF, or a control character (``Cc``: C0, DEL, C1) other than tab
(and, in multi-line text, LF and CR).

The text strategies defined here (:data:`hostile_text`, :data:`storable_text`...) are
shared by the other ``test_properties_*`` modules.
"""

from __future__ import annotations

from collections.abc import Callable
import json
import math
from typing import Any
import unicodedata

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.mi_frente_seguro.frente.text import (
    InvalidInputError,
    checked_text,
    finite_number,
    safe_text,
    strict_json,
    text_problem,
)


def outcome[T, E: BaseException](call: Callable[[], T], error: type[E]) -> T | E:
    """Return what ``call`` returns, or the ``error`` it raised (anything else escapes).

    A property "returns a valid value or raises this error, and nothing else" then reads
    as one call and plain assertions on what came back.
    """
    try:
        return call()
    except error as err:
        return err


PROPERTY = settings(
    max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Characters that break storage, XML or a strict receiver, and characters that are fine
# but tend to break naive code (markup, quotes, bidi marks, astral emoji).
POISON = (
    "\ud800", "\udbff", "\udc00", "\udfff", "\ud83d", "\x00", "\x07", "\x08", "\x0b",
    "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9f", "\ufffe", "\uffff", "\n", "\r",
)  # fmt: skip
TRICKY = (
    "\t", " ", "\xa0", "\u2028", "\u2029", "\u200b", "\u200f", "\u202e", "\ufeff",
    "<", ">", "&", '"', "'", "\\", "]]>", "&amp;", "<!--", "😀", "👩‍👩‍👧", "é", "ñ",
    "Ω", "٣", "𝟘", "\U0010fffd",
)  # fmt: skip


def texts(
    chars: st.SearchStrategy[str],
    pieces: tuple[str, ...] = (),
    max_size: int = 40,
) -> st.SearchStrategy[str]:
    """Return texts of runs of ``chars`` mixed with ``pieces`` (characters or fragments).

    Runs are drawn as whole strings (fast); the pieces are mixed in often, so nearly
    every other example holds one of them. At most about ``max_size`` characters.
    """
    run = st.text(chars, max_size=min(8, max_size))
    part = st.one_of(run, st.sampled_from(pieces)) if pieces else run
    return (
        st.lists(part, max_size=max(1, min(6, max_size // 6)))
        .map("".join)
        .map(lambda text: text[:max_size])
    )


any_char = st.characters(exclude_categories=())  # surrogates and controls included
hostile_text = texts(any_char, POISON + TRICKY)


def unstorable(char: str, *, multiline: bool = False) -> bool:
    """Return True when ``char`` cannot be stored (the oracle, by Unicode category)."""
    category = unicodedata.category(char)
    if category == "Cs" or char in "\ufffe\uffff":
        return True
    allowed = "\t\n\r" if multiline else "\t"
    return category == "Cc" and char not in allowed


def is_storable(text: str, *, multiline: bool = False) -> bool:
    """Return True when every character of ``text`` can be stored and sent."""
    return not any(unstorable(char, multiline=multiline) for char in text)


storable_char = st.characters(
    exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"
)
storable_text = texts(storable_char, TRICKY)
storable_multiline = texts(storable_char, (*TRICKY, "\n", "\r", "\r\n"))


@PROPERTY
@given(hostile_text, st.booleans())
def test_checked_text_returns_its_input_or_refuses(text: str, multiline: bool) -> None:
    """Storable text comes back unchanged; anything else is an InvalidInputError."""
    checked = outcome(
        lambda: checked_text(text, "note", multiline=multiline), InvalidInputError
    )
    if isinstance(checked, InvalidInputError):
        assert not is_storable(text, multiline=multiline)
        assert checked.field == "note"
        assert checked.problem == text_problem(text, multiline=multiline)
        assert checked.problem in {"surrogate", "control"}
        return
    assert checked is text
    assert is_storable(text, multiline=multiline)
    checked.encode("utf-8")  # never raises for what is returned
    if not multiline:
        assert "\n" not in checked and "\r" not in checked


@PROPERTY
@given(
    st.one_of(st.none(), st.integers(), st.floats(), st.binary(), st.lists(st.text()))
)
def test_checked_text_refuses_what_is_not_text(value: object) -> None:
    """Only ``str`` is text: bytes, numbers, None and lists are ``not_text``."""
    with pytest.raises(InvalidInputError) as err:
        checked_text(value, "unit")
    assert err.value.problem == "not_text"


@PROPERTY
@given(storable_text, st.integers(0, 70))
def test_checked_text_length_limit(text: str, limit: int) -> None:
    """``max_length`` is a limit on characters (not bytes): longer text is ``too_long``."""
    if len(text) <= limit:
        assert checked_text(text, "unit", max_length=limit) == text
    else:
        with pytest.raises(InvalidInputError, match="too_long"):
            checked_text(text, "unit", max_length=limit)


@PROPERTY
@given(st.one_of(hostile_text, st.integers(), st.floats(), st.none(), st.binary()))
def test_safe_text_always_returns_storable_text(value: object) -> None:
    """Whatever it gets, safe_text returns one-line storable text and never raises."""
    text = safe_text(value)
    assert isinstance(text, str)
    assert is_storable(text)
    assert "\n" not in text and "\r" not in text
    text.encode("utf-8")
    assert checked_text(text, "name") == text
    if isinstance(value, str) and text_problem(value) is None:
        assert text is value  # nothing to clean: nothing changes
    assert safe_text(text) == text  # idempotent


NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**1000), 2**1000),  # float() of these is defined (< 2**1024)
    st.booleans(),
    st.none(),
    st.text(max_size=5),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
)


@PROPERTY
@given(
    NUMBERS,
    st.floats(-1e6, 1e6) | st.just(-math.inf),
    st.floats(-1e6, 1e6) | st.just(math.inf),
)
def test_finite_number_accepts_exactly_finite_numbers_in_range(
    value: object, low: float, high: float
) -> None:
    """A finite int/float in [low, high] comes back as that float; the rest is refused."""
    expected_ok = (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
        and low <= float(value) <= high
    )
    number = outcome(
        lambda: finite_number(value, "lat", low=low, high=high), InvalidInputError
    )
    if isinstance(number, InvalidInputError):
        assert not expected_ok
        assert number.field == "lat"
        assert number.problem in {"not_a_number", "not_finite", "out_of_range"}
        return
    assert expected_ok
    assert isinstance(value, int | float)
    assert type(number) is float and math.isfinite(number)
    assert number == float(value)


def test_finite_number_refuses_huge_ints() -> None:
    """An integer too large for a float (valid JSON: 10**400) is ``not_finite``."""
    with pytest.raises(InvalidInputError):
        finite_number(10**400, "eta")


def json_trees(
    leaves: st.SearchStrategy[Any], keys: st.SearchStrategy[str]
) -> st.SearchStrategy[Any]:
    """Return JSON-like trees (dicts and lists) over ``leaves``, with ``keys``."""
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)
        ),
        max_leaves=12,
    )


hostile_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text,
)
hostile_json_text = st.one_of(
    st.builds(
        lambda tree, ascii_only: json.dumps(tree, ensure_ascii=ascii_only),
        json_trees(hostile_leaves, st.one_of(hostile_text, st.just("\ud800"))),
        st.booleans(),
    ),
    st.sampled_from(
        [
            '{"a": NaN}',
            "[Infinity]",
            "-Infinity",
            "1e999",
            "[-1e999]",
            '"\\ud800"',
            '{"\\udfff": 1}',
            '["ok", {"deep": "\\ud83d"}]',
            "[" * 40 + "]" * 40,
            "{" * 5,
            "",
            "nul",
            '"\\u0000"',
            "1" * 4000,
        ]
    ),
    hostile_text,
)


def assert_clean_tree(value: Any) -> None:
    """Fail if ``value`` holds NaN, an infinity, or a surrogate in any string or key."""
    if isinstance(value, str):
        assert not any(unicodedata.category(char) == "Cs" for char in value), value
        value.encode("utf-8")
    elif isinstance(value, float):
        assert math.isfinite(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            assert_clean_tree(key)
            assert_clean_tree(item)
    elif isinstance(value, list):
        for item in value:
            assert_clean_tree(item)
    else:
        assert value is None or isinstance(value, bool | int)


@settings(PROPERTY, max_examples=150)
@given(hostile_json_text)
def test_strict_json_never_returns_nan_inf_or_surrogates(text: str) -> None:
    """Decoded trees are clean; everything else is a ValueError (InvalidInputError or not)."""
    value = outcome(lambda: strict_json(text), ValueError)
    if isinstance(value, ValueError):
        return
    assert_clean_tree(value)
    # What it returns can be stored: strict JSON encoding, then UTF-8, succeeds.
    json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")


@PROPERTY
@given(
    json_trees(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.floats(-1e300, 1e300),
            storable_text,
        ),
        storable_text,
    )
)
def test_strict_json_round_trips_clean_documents(tree: Any) -> None:
    """A clean document (no NaN, no surrogate, shallow) decodes to exactly what was encoded."""
    assert strict_json(json.dumps(tree)) == tree
