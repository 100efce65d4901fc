"""Every parser and validator of the console, driven by hypothesis with hostile input.

Each must either return a value that keeps its promise or refuse in its one documented way;
none may raise anything else.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import string
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

from consola import texto
from consola.answers.form import AnswerForm, InvalidAnswerError, parse_answer, parse_eta
from consola.fronts import (
    FrontForm,
    InvalidFrontError,
    parse_front_form,
    valid_front_id,
    valid_secret,
    valid_url,
)
from consola.ingest.message import BodyError, check_message, claimed_front, read_json
from consola.ingest.signature import headers_too_long, verify
from consola.mapa import tiles_source
from consola.tiempo import moment_of, show
from consola.web.admin_views import valid_username

from .helpers import alert, new_secret, signed

# Any code point, lone surrogates and C0/C1 controls mixed in on purpose.
HOSTILE_CHARS = st.one_of(st.characters(), st.characters(categories=["Cs"]),
                          st.characters(max_codepoint=0x9F), st.sampled_from("\ufffe\uffff\n\t"))  # fmt: skip
hostile_text = st.text(HOSTILE_CHARS, max_size=300)
json_leaf = st.none() | st.booleans() | st.integers() | st.floats() | hostile_text
json_value = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=4)
                          | st.dictionaries(hostile_text, inner, max_size=4), max_leaves=20)  # fmt: skip
relaxed = settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])


@given(hostile_text, st.integers(0, 50), st.integers(0, 300))
def test_line_and_text(value: str, min_len: int, max_len: int) -> None:
    """A line holds no control character; text only line breaks and tabs; both bounded."""
    line = texto.line(value, min_len=min_len, max_len=max_len)
    if line is not None:
        assert min_len <= len(line) <= max_len and texto.is_line(line)
        assert not any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in line)
        line.encode("utf-8")  # storable
    free = texto.text(value, max_len=max_len)
    if free is not None:
        assert len(free) <= max_len and all(c in "\n\t\r" or ord(c) >= 32 for c in free)
        free.encode("utf-8")


@given(st.one_of(hostile_text, st.none(), st.integers()))
def test_front_id_secret_url(value: object) -> None:
    """Front ids, secrets and URLs are what they claim or None."""
    front_id = valid_front_id(value)
    if front_id is not None:
        assert set(front_id) <= set(string.ascii_lowercase + string.digits + "_-")
    secret = valid_secret(value)
    if secret is not None:
        assert secret.startswith("whsec_")
    url = valid_url(value)
    if url:
        assert url.startswith(("http://", "https://")) and "@" not in url.split("/")[2]


@given(st.binary(min_size=32, max_size=64))
def test_real_secrets_accepted(raw: bytes) -> None:
    """Every secret a front makes (whsec_ + base64 of 32 bytes or more) is accepted."""
    text = "whsec_" + base64.b64encode(raw).decode()
    assert valid_secret(text) == text


@given(st.dictionaries(st.sampled_from(["front_id", "name", "cuadrante_code", "cuadrante_name",
                                        "status_webhook_url", "secret", "other"]),
                       st.one_of(hostile_text, st.none(), st.integers())))  # fmt: skip
def test_front_form(fields: dict[str, object]) -> None:
    """The registry form returns a checked front or one catalog reason."""
    try:
        form = parse_front_form(fields)
    except InvalidFrontError as err:
        assert err.reason.startswith("fronts.reason.")  # noqa: PT017
        return
    assert isinstance(form, FrontForm) and texto.is_line(form.name)


@given(st.one_of(hostile_text, st.none(), st.integers(), st.floats()))
def test_eta(value: object) -> None:
    """ETAs are ASCII minutes 0-240 or None."""
    eta = parse_eta(value)
    assert eta is None or (0 <= eta <= 240 and isinstance(value, str))


@given(
    st.dictionaries(
        st.sampled_from(["status", "unit", "eta_minutes", "note", "csrf"]),
        st.one_of(
            hostile_text,
            st.sampled_from(
                [
                    "received",
                    "dispatched",
                    "on_scene",
                    "closed",
                    "6",
                    "240",
                    "241",
                    "-1",
                    "٣",
                ]
            ),
        ),
    ),  # fmt: skip
    st.sampled_from(["", "received", "dispatched", "on_scene", "closed", "bogus"]),
)
def test_answer_form(fields: dict[str, object], state: str) -> None:
    """Answers keep the contract's limits and never go back."""
    try:
        answer = parse_answer(fields, state)
    except InvalidAnswerError as err:
        assert err.reason.startswith("answer.reason.")  # noqa: PT017
        return
    assert isinstance(answer, AnswerForm)
    assert (
        len(answer.unit) <= 40
        and texto.is_line(answer.unit)
        and len(answer.note) <= 500
    )
    order = ["received", "dispatched", "on_scene", "closed"]
    if state in order:
        assert order.index(answer.status) > order.index(state)
    if answer.status == "dispatched":
        assert answer.unit and answer.eta_minutes is not None


@relaxed
@given(
    st.one_of(st.binary(max_size=400), json_value.map(lambda v: json.dumps(v).encode()))
)
def test_read_json_and_check(body: bytes) -> None:
    """Hostile bodies are an object of storable text, or BodyError; never anything else."""
    try:
        value = read_json(body)
    except BodyError:
        assert claimed_front(body) is None
        return
    assert isinstance(value, dict)
    json.dumps(value, ensure_ascii=False).encode("utf-8")  # storable, finite
    with contextlib.suppress(BodyError):
        check_message(value, "id")


@relaxed
@given(st.dictionaries(st.sampled_from(["kind", "state", "presses_total", "sent_at", "front",
                                        "presses", "version", "exercise", "id"]), json_value))  # fmt: skip
def test_check_message_mutations(changes: dict[str, Any]) -> None:
    """A contract message with any field replaced is checked or refused, never crashes."""
    body = alert(**changes)
    try:
        message = check_message(body, str(body.get("id")))
    except BodyError:
        return
    assert (
        message.kind in ("panic", "silent", "drill")
        and message.sent_at.tzinfo is not None
    )


@relaxed
@given(st.dictionaries(st.sampled_from(["webhook-id", "webhook-timestamp", "webhook-signature"]),
                       hostile_text.filter(lambda s: "\x00" not in s)), st.binary(max_size=200))  # fmt: skip
def test_verify_hostile_headers(headers: dict[str, str], body: bytes) -> None:
    """Forged or broken signature headers are simply not verified."""
    assert verify(body, headers, [new_secret()]) is False
    headers_too_long(headers)


@settings(max_examples=30)
@given(json_value)
def test_verify_good_signature(value: object) -> None:
    """What the reference library signs with the front's secret verifies."""
    secret = new_secret()
    data, headers = signed(json.dumps(value).encode(), secret, msg_id="msg_1")
    assert verify(data, headers, [new_secret(), secret])


@given(hostile_text)
def test_times_and_usernames(value: str) -> None:
    """Any text shows as a Bogotá time or "—"; usernames are lowercase ASCII."""
    shown = show(value)
    assert shown == "—" or moment_of(value) is not None
    if valid_username(value):
        assert value.isascii() and value == value.lower()


@given(hostile_text)
def test_tiles_source(value: str) -> None:
    """A tile URL becomes one CSP source with nothing that could end or widen the policy."""
    source = tiles_source(value)
    if source is not None:
        assert source.startswith(("http://", "https://"))
        assert not set(source) & set(" ;'\"\n,") and source.count("/") == 2


def test_tiles_source_examples() -> None:
    """Usual tile servers pass; scripts and broken templates do not."""
    assert tiles_source("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png") == (
        "https://*.tile.openstreetmap.org"
    )
    assert (
        tiles_source("http://127.0.0.1:8088/{z}/{x}/{y}.png") == "http://127.0.0.1:8088"
    )
    for bad in ("javascript:alert(1)/{z}/{x}/{y}", "https://a.b/{z}/{x}.png",
                "https://a.b; script-src *'/{z}/{x}/{y}", ""):  # fmt: skip
        assert tiles_source(bad) is None


@given(json_value, json_value)
def test_live_map_place(lat: object, lon: object) -> None:
    """The live map's point of a front is finite and on Earth, or there is none."""
    from consola.incidents import summary  # noqa: PLC0415

    row = {"id": 1, "front_id": "f", "front_name": "F", "cuadrante_code": "C1",
           "kind": "panic", "exercise": 0, "front_state": "open", "police_state": "",
           "received_at": "2026-11-26T20:00:00-05:00",
           "snapshot": json.dumps({"front": {"lat": lat, "lon": lon}})}  # fmt: skip
    line = summary(row)
    for value, limit in ((line.lat, 90), (line.lon, 180)):
        assert value is None or (math.isfinite(value) and abs(value) <= limit)
    if line.lat is not None:
        assert line.lat == lat


def test_live_map_place_examples() -> None:
    """Cartagena is kept; NaN, infinity, booleans, text and off-Earth values are not."""
    from consola.incidents import _degrees  # noqa: PLC0415

    assert (_degrees(10.414, 90), _degrees(-75.5366, 180)) == (10.414, -75.5366)
    for bad, limit in ((float("nan"), 90), (float("inf"), 180), (True, 90), ("10.4", 90),
                       (90.5, 90), (-180.01, 180), (None, 90)):  # fmt: skip
        assert _degrees(bad, limit) is None
