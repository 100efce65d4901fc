r"""Property tests of the kit protocol: any payload parses or is a MalformedPayloadError.

Payloads are arbitrary bytes, and JSON objects whose values are hostile: lone surrogates
written as JSON escapes (``"\ud800"``), control characters, ``NaN`` and ``Infinity``,
``1e999``, huge integers, nested structures and wrong types.
"""

from __future__ import annotations

from collections.abc import Callable
import contextlib
from functools import partial
import json
import math
from typing import Any

from hypothesis import given, strategies as st

from custom_components.mi_frente_seguro.frente.kit.protocol import (
    MAX_BUTTON,
    MAX_PAYLOAD,
    PRESS_KINDS,
    SIMPLE_PRESS,
    MalformedPayloadError,
    parse_availability,
    parse_on_off,
    parse_press,
    parse_telemetry,
)
from custom_components.mi_frente_seguro.frente.text import checked_text

from .test_properties_text import (
    PROPERTY,
    hostile_text,
    is_storable,
    json_trees,
    outcome,
    storable_char,
    texts,
)

PARSERS: list[Callable[[bytes], object]] = [
    parse_press,
    parse_on_off,
    parse_availability,
    parse_telemetry,
]
KEYS = ("button", "seq", "kind", "state", "battery", "tamper", "rssi", "fw", "extra")

hostile_value = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**80), 2**80),
        st.sampled_from([0, 1, 17, 2**32 - 1, 2**32, -1, 50, 100, -61, -150]),
        st.floats(allow_nan=True, allow_infinity=True),
        hostile_text,
        st.sampled_from(["panic", "silent", "b1", "ON", "off", "\ud800", "a\x00", ""]),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(hostile_text, children, max_size=3),
    ),
    max_leaves=8,
)
hostile_object = st.dictionaries(
    st.one_of(st.sampled_from(KEYS), hostile_text), hostile_value, max_size=6
)


def encoded(document: Any, ascii_only: bool) -> bytes:
    r"""Return ``document`` as JSON bytes the way a sloppy kit would write it.

    ``ensure_ascii`` writes lone surrogates as ``\udxxx`` escapes (valid UTF-8 bytes that
    decode back to the surrogate); without it they are written raw, which is not UTF-8.
    ``allow_nan`` (the default) writes ``NaN`` and ``Infinity``.
    """
    text = json.dumps(document, ensure_ascii=ascii_only)
    return text.encode("utf-8", "surrogatepass")


hostile_payload = st.one_of(
    st.binary(max_size=MAX_PAYLOAD + 8),
    st.builds(encoded, hostile_object, st.booleans()),
    st.builds(encoded, json_trees(hostile_value, hostile_text), st.booleans()),
    st.sampled_from(
        [
            b'{"button": "\\ud800"}',
            b'{"button": "b1", "x": NaN}',
            b'{"seq": 1e999}',
            b'{"battery": Infinity}',
            b'{"button": "a\\u0000b"}',
            b'{"kind": "panic"',
            b'{"fw": "\\udfff"}',
            b'{"seq": ' + b"9" * 4000 + b"}",
            b"[" * 2000,
            b"[" * 1000 + b"]" * 1000,
            b'{"a":' * 600 + b"1" + b"}" * 600,
            b"\xed\xa0\x80",
            b"PRESS\x00",
            b"\xef\xbb\xbfPRESS",
            b" online ",
        ]
    ),
)


@PROPERTY
@given(hostile_payload)
def test_any_payload_parses_or_is_malformed(payload: bytes) -> None:
    """Every parser returns a value or raises MalformedPayloadError with a problem name."""
    for parse in PARSERS:
        result = outcome(partial(parse, payload), MalformedPayloadError)
        if isinstance(result, MalformedPayloadError):
            assert result.problem.isidentifier(), result.problem


def assert_valid_press(button: str, seq: int | None, kind: str) -> None:
    """Fail unless a parsed press is what the protocol promises."""
    assert checked_text(button, "button", max_length=MAX_BUTTON) == button
    assert 0 < len(button) <= MAX_BUTTON
    assert seq is None or (type(seq) is int and 0 <= seq < 2**32)
    assert kind in PRESS_KINDS


def assert_storable_scalar(value: object) -> None:
    """Fail unless ``value`` is a JSON scalar that can be stored."""
    if isinstance(value, str):
        assert is_storable(value)
        assert "\n" not in value and "\r" not in value
    elif isinstance(value, float):
        assert math.isfinite(value)
    else:
        assert value is None or isinstance(value, bool | int)


@PROPERTY
@given(hostile_object, st.booleans())
def test_hostile_objects_give_valid_values_or_malformed(
    document: dict[str, Any], ascii_only: bool
) -> None:
    """What a parser accepts from a hostile object is valid, storable and JSON-safe."""
    payload = encoded(document, ascii_only)
    press = outcome(lambda: parse_press(payload), MalformedPayloadError)
    if not isinstance(press, MalformedPayloadError):
        assert_valid_press(press.button, press.seq, press.kind)
    telemetry = outcome(lambda: parse_telemetry(payload), MalformedPayloadError)
    if not isinstance(telemetry, MalformedPayloadError):
        assert telemetry.battery is None or 0 <= telemetry.battery <= 100
        assert telemetry.rssi is None or -150 <= telemetry.rssi <= 0
        assert telemetry.tamper in (None, True, False)
        for key, value in telemetry.extra.items():
            assert is_storable(key) and "\n" not in key and "\r" not in key
            assert_storable_scalar(value)
        # Diagnostics store it: strict JSON, then UTF-8, must work.
        json.dumps(telemetry.extra, allow_nan=False, ensure_ascii=False).encode()
    state = outcome(lambda: parse_on_off(payload), MalformedPayloadError)
    assert isinstance(state, bool | MalformedPayloadError)


POISONS: list[Any] = [
    math.nan, math.inf, -math.inf, "\ud800", "\udfff", "ok\ud83d", {"\udc00": 1},
    ["\ud800"], {"deep": [{"deeper": math.nan}]},
]  # fmt: skip


@PROPERTY
@given(
    st.sampled_from(POISONS),
    st.sampled_from(["button", "seq", "kind", "battery", "fw", "nested"]),
    st.sampled_from([parse_press, parse_telemetry, parse_on_off]),
)
def test_nan_and_surrogates_anywhere_are_bad_json(
    poison: Any, key: str, parse: Callable[[bytes], object]
) -> None:
    """NaN, infinities and lone surrogates, anywhere in a document, refuse it whole."""
    document: dict[str, Any] = {"button": "b1", "kind": "panic", "state": "ON"}
    document[key] = {"inner": [poison]} if key == "nested" else poison
    payload = encoded(document, ascii_only=True)  # escapes: valid UTF-8 on the wire
    refused = outcome(lambda: parse(payload), MalformedPayloadError)
    assert isinstance(refused, MalformedPayloadError), f"accepted {payload!r}"
    assert refused.problem == "bad_json", refused


@PROPERTY
@given(
    st.text(st.sampled_from('{}[]",:0123456789eE+-.nulltrufalsNIiy \t'), max_size=80)
)
def test_json_like_junk_is_malformed(text: str) -> None:
    """Text that looks like JSON but is not is a MalformedPayloadError, never a crash."""
    for parse in PARSERS:
        with contextlib.suppress(MalformedPayloadError):
            parse(text.encode())


button_text = texts(storable_char, max_size=MAX_BUTTON).filter(
    lambda text: 0 < len(text) <= MAX_BUTTON
)


@PROPERTY
@given(
    button_text,
    st.none() | st.integers(0, 2**32 - 1),
    st.sampled_from(sorted(PRESS_KINDS)),
    st.booleans(),
    st.dictionaries(
        st.sampled_from(["fw", "rssi_hint", "v"]), st.integers(), max_size=2
    ),
)
def test_a_valid_press_round_trips(
    button: str, seq: int | None, kind: str, ascii_only: bool, more: dict[str, int]
) -> None:
    """Button, seq and kind come back exactly as sent; the key is button:seq."""
    document: dict[str, Any] = {**more, "button": button, "kind": kind}
    if seq is not None:
        document["seq"] = seq
    press = parse_press(encoded(document, ascii_only))
    assert (press.button, press.seq, press.kind) == (button, seq, kind)
    assert press.key == (None if seq is None else f"{button}:{seq}")


@PROPERTY
@given(
    st.sampled_from(sorted(SIMPLE_PRESS)),
    st.lists(st.booleans(), min_size=8, max_size=8),
    st.sampled_from(["", " ", "\n", "\t", "\r\n "]),
)
def test_bare_words_are_default_presses(word: str, upper: list[bool], pad: str) -> None:
    """A bare PRESS/ON/1/... in any case, padded with whitespace, is a panic press."""
    mixed = "".join(
        char.upper() if up else char.lower()
        for char, up in zip(word, upper, strict=False)
    )
    press = parse_press(f"{pad}{mixed}{pad}".encode(), default_button="b7")
    assert (press.button, press.seq, press.kind) == ("b7", None, "panic")


@PROPERTY
@given(
    st.sampled_from(["ON", "on", "1", "true", "OFF", "off", "0", "False"]),
    st.booleans(),
)
def test_siren_state_round_trips(word: str, as_json: bool) -> None:
    """ON/OFF words, bare or as JSON ``{"state": ...}``, read as the state they name."""
    payload = json.dumps({"state": word}).encode() if as_json else word.encode()
    assert parse_on_off(payload) is (word.upper() in {"ON", "1", "TRUE"})


@PROPERTY
@given(
    st.sampled_from(["online", "ONLINE", "1", "true", "offline", "Offline", "0"]),
    st.sampled_from(["", " ", "\n"]),
)
def test_availability_round_trips(word: str, pad: str) -> None:
    """online/offline (any case, padded) read as the availability they name."""
    payload = f"{pad}{word}{pad}".encode()
    assert parse_availability(payload) is (word.lower() in {"online", "1", "true"})


@PROPERTY
@given(
    st.none() | st.integers(0, 100) | st.floats(0, 100),
    st.none() | st.booleans(),
    st.none() | st.integers(-150, 0),
    st.dictionaries(
        texts(storable_char, max_size=10).filter(lambda key: key not in KEYS),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(-(2**60), 2**60),
            st.floats(allow_nan=False, allow_infinity=False),
            texts(storable_char, max_size=20),
        ),
        max_size=4,
    ),
    st.dictionaries(
        texts(storable_char, max_size=10).filter(lambda key: key not in KEYS),
        st.one_of(
            st.lists(st.integers(), min_size=1, max_size=2),
            st.dictionaries(st.just("ssid"), st.just("x"), min_size=1),
            st.sampled_from(["a\x00b", "line\nbreak", "\x1b[31m", "\x85"]),
        ),
        max_size=3,
    ),
)
def test_telemetry_keeps_storable_extras_and_drops_the_rest(
    battery: float | None,
    tamper: bool | None,
    rssi: int | None,
    kept: dict[str, Any],
    dropped: dict[str, Any],
) -> None:
    """Known keys are read; unknown storable scalars are kept, the rest dropped."""
    dropped = {key: value for key, value in dropped.items() if key not in kept}
    document: dict[str, Any] = {**kept, **dropped}
    known = {"battery": battery, "tamper": tamper, "rssi": rssi}
    document.update({key: value for key, value in known.items() if value is not None})
    telemetry = parse_telemetry(json.dumps(document).encode())
    assert telemetry.battery == (None if battery is None else round(battery))
    assert telemetry.tamper is tamper
    assert telemetry.rssi == rssi
    assert telemetry.extra == kept


@PROPERTY
@given(texts(st.sampled_from(["\x00", "\x1f", "\x7f", "\x9f", "\n", "\r", "x", "é"])))
def test_unstorable_buttons_are_refused(button: str) -> None:
    """A button holding control characters or line breaks is ``bad_button``."""
    payload = json.dumps({"button": button}).encode()
    if (
        button
        and len(button) <= MAX_BUTTON
        and is_storable(button)
        and "\n" not in button
        and "\r" not in button
    ):
        assert parse_press(payload).button == button
        return
    refused = outcome(lambda: parse_press(payload), MalformedPayloadError)
    assert isinstance(refused, MalformedPayloadError), f"accepted {button!r}"
    assert refused.problem == "bad_button"
