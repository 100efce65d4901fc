"""The kit protocol: topics, payload parsing and siren commands."""

from __future__ import annotations

import json
import random

import pytest

from custom_components.mi_frente_seguro.frente.kit.protocol import (
    MAX_PAYLOAD,
    KitTopics,
    MalformedPayloadError,
    parse_availability,
    parse_on_off,
    parse_press,
    parse_telemetry,
    siren_command,
)
from custom_components.mi_frente_seguro.frente.text import strict_json, text_problem


def fuzz_payloads(count: int, seed: int = 1581) -> list[bytes]:
    """Return ``count`` hostile payloads: junk bytes, wrong JSON types, odd kinds, huge."""
    rng = random.Random(seed)
    values: list[object] = [
        None, True, 1.5, -1, 2**40, "", "x" * 50, [], {}, [1, 2], {"a": 1}, "panic",
    ]  # fmt: skip
    payloads: list[bytes] = [b"", b"\xff\xfe\x00", b"x" * (MAX_PAYLOAD + 1), b"null"]
    while len(payloads) < count:
        choice = rng.randrange(5)
        if choice == 0:
            payloads.append(rng.randbytes(rng.randrange(1, 64)))
        elif choice == 1:
            obj = {
                key: rng.choice(values)
                for key in rng.sample(
                    ["button", "seq", "kind", "extra"], rng.randrange(1, 4)
                )
            }
            if obj.get("kind") == "panic" and rng.random() < 0.5:
                obj["kind"] = rng.choice(["flood", "PANIC", "", "silent!"])
            payloads.append(json.dumps(obj).encode())
        elif choice == 2:
            payloads.append(json.dumps(rng.choice(values)).encode())
        elif choice == 3:
            payloads.append(rng.choice([b"{", b'{"seq":', b"[1,", b"PRES", b"on!"]))
        else:
            payloads.append(("é" * rng.randrange(1, 3000)).encode())
    return payloads


def is_valid_press(payload: bytes) -> bool:
    """Return True for the payloads the protocol accepts (the oracle for the fuzz)."""
    try:
        text = payload.decode().strip()
    except UnicodeDecodeError:
        return False
    if len(payload) > MAX_PAYLOAD:
        return False
    if text.upper() in {"PRESS", "ON", "1", "TRUE", "SINGLE", "PANIC"}:
        return True
    try:
        data = strict_json(text)  # NaN, 1e999 and lone surrogates are bad JSON
    except ValueError:
        return False
    if not isinstance(data, dict):
        return False
    button, seq, kind = (
        data.get("button", "b1"),
        data.get("seq"),
        data.get("kind", "panic"),
    )
    return (
        isinstance(button, str)
        and text_problem(button) is None  # no control characters, no line breaks
        and 0 < len(button) <= 32
        and (seq is None or (type(seq) is int and 0 <= seq < 2**32))
        and isinstance(kind, str)
        and kind in {"panic", "silent"}
    )


def test_default_and_adopted_topics() -> None:
    """Defaults hang under base/front_id; each can be replaced (e.g. a Tasmota topic)."""
    topics = KitTopics.build("manga_calle_real")
    assert topics.panic == "mfs/manga_calle_real/panic"
    assert topics.siren_set == "mfs/manga_calle_real/siren/set"
    assert topics.subscriptions() == [
        "mfs/manga_calle_real/panic",
        "mfs/manga_calle_real/siren/state",
        "mfs/manga_calle_real/availability",
        "mfs/manga_calle_real/telemetry",
    ]
    adopted = KitTopics.build(
        "f",
        base="cartagena/",
        overrides={"siren_set": "cmnd/sirena/POWER", "panic": ""},
    )
    assert adopted.siren_set == "cmnd/sirena/POWER"
    assert adopted.panic == "cartagena/f/panic"
    with pytest.raises(ValueError, match="unknown topic"):
        KitTopics.build("f", overrides={"doorbell": "x"})


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b'{"button": "b1", "seq": 17, "kind": "panic"}', ("b1", 17, "panic", "b1:17")),
        (b'{"button": "b2", "kind": "silent"}', ("b2", None, "silent", None)),
        (b"PRESS", ("b1", None, "panic", None)),
        (b" on\n", ("b1", None, "panic", None)),
        (b"1", ("b1", None, "panic", None)),
    ],
)
def test_press_payloads(payload: bytes, expected: tuple[object, ...]) -> None:
    """JSON presses and the bare words of simple firmware."""
    press = parse_press(payload)
    assert (press.button, press.seq, press.kind, press.key) == expected


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (b"{oops", "bad_json"),
        (b"[1]", "not_an_object"),
        (b'{"kind": "flood"}', "unknown_kind"),
        (b'{"seq": -1}', "bad_seq"),
        (b'{"seq": true}', "bad_seq"),
        (b'{"button": ""}', "bad_button"),
        (b'{"button": "b1\\u0000"}', "bad_button"),
        (b'{"button": "b1\\n"}', "bad_button"),
        (b'{"button": "\\ud800"}', "bad_json"),
        (b'{"seq": NaN}', "bad_json"),
        (b"OFF", "unknown_command"),
        (b"\xff", "not_utf8"),
        (b"1" * (MAX_PAYLOAD + 1), "too_large"),
    ],
)
def test_bad_presses(payload: bytes, problem: str) -> None:
    """Each kind of bad press has its own stable problem name."""
    with pytest.raises(MalformedPayloadError) as err:
        parse_press(payload)
    assert err.value.problem == problem


def test_fuzzed_presses_never_crash() -> None:
    """500 generated payloads: each parses or raises MalformedPayloadError, as the oracle says."""
    payloads = fuzz_payloads(500)
    accepted = 0
    for payload in payloads:
        try:
            parse_press(payload)
        except MalformedPayloadError:
            assert not is_valid_press(payload), payload
        else:
            assert is_valid_press(payload), payload
            accepted += 1
    assert 0 < accepted < len(payloads) // 2


def test_state_availability_and_telemetry() -> None:
    """Siren state, availability and telemetry parsing, including their errors."""
    assert parse_on_off(b"ON") is True
    assert parse_on_off(b'{"state": "off"}') is False
    assert parse_availability(b"online") is True
    assert parse_availability(b"Offline") is False
    telemetry = parse_telemetry(
        b'{"battery": 87.4, "tamper": true, "rssi": -61, "fw": "1.2"}'
    )
    assert (telemetry.battery, telemetry.tamper, telemetry.rssi) == (87, True, -61)
    assert telemetry.extra == {"fw": "1.2"}
    assert parse_telemetry(b"{}").battery is None
    for bad, problem in [
        (b'{"battery": 101}', "bad_battery"),
        (b'{"battery": true}', "bad_battery"),
        (b'{"tamper": "yes"}', "bad_tamper"),
        (b'{"rssi": 5}', "bad_rssi"),
    ]:
        with pytest.raises(MalformedPayloadError) as err:
            parse_telemetry(bad)
        assert err.value.problem == problem
    with pytest.raises(MalformedPayloadError):
        parse_on_off(b"MAYBE")
    with pytest.raises(MalformedPayloadError):
        parse_availability(b"away")


def test_siren_commands() -> None:
    """JSON with duration and tone by default; bare ON/OFF for simple firmware."""
    assert json.loads(siren_command(True, duration=180, tone="alarm")) == {
        "state": "ON",
        "duration": 180,
        "tone": "alarm",
    }
    assert json.loads(siren_command(False, duration=180)) == {"state": "OFF"}
    assert siren_command(True, plain=True) == b"ON"
    assert siren_command(False, plain=True) == b"OFF"
