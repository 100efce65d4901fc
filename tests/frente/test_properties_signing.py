"""Property tests of Standard Webhooks signing, cross-checked with ``standardwebhooks``.

``verify`` reads headers anyone can send: for any mapping of headers and any body it
returns or raises a :class:`WebhookError` subclass, nothing else. What
``signature_headers`` makes always verifies, here and in the reference implementation, and
never does once a byte of the body, id or signature changes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import time

from hypothesis import given, strategies as st
import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from custom_components.mi_frente_seguro.frente.dispatch.signing import (
    FUTURE_TOLERANCE,
    HEADER_ID,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    PAST_TOLERANCE,
    ForgedError,
    StaleError,
    UnsignedError,
    WebhookError,
    WebhookSecret,
    signature_headers,
    verify,
)

from .test_properties_text import PROPERTY, hostile_text, outcome, storable_char, texts

NOW = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)
NOW_TS = int(NOW.timestamp())

secrets_ = st.lists(
    st.binary(min_size=32, max_size=48), min_size=1, max_size=3, unique=True
).map(lambda keys: [WebhookSecret(key) for key in keys])
# What an honest sender puts in webhook-id: visible text, no padding whitespace.
message_ids = (
    texts(storable_char, max_size=30)
    .map(str.strip)
    .filter(lambda text: text != "" and text == text.strip())
)
header_name = st.one_of(
    st.sampled_from([HEADER_ID, HEADER_TIMESTAMP, HEADER_SIGNATURE]).flatmap(
        lambda name: st.sampled_from([name, name.upper(), name.title()])
    ),
    hostile_text,
)
header_value = st.one_of(
    hostile_text,
    st.sampled_from(
        [
            "",
            " ",
            str(NOW_TS),
            "1" * 5000,
            "1" * 400,
            "-5",
            "12.5",
            "١٧٠٠٠٠٠٠٠٠",
            "v1,",
            "v1,é",
            "v1,\ud800",
            "v1,AAAA",
            "v1,not base64!",
            "v2,abc",
            "v1," + "A" * 43 + "=",
            "v1,a,b",
            "v1," * 10_000,
            " v1,AAAA " * 50,
            "msg\ud83d",
            "id\x00",
            "id\nX-Injected: 1",
            "\udcff\udcfe",
        ]
    ),
)
hostile_headers = st.dictionaries(header_name, header_value, max_size=6)


@PROPERTY
@given(hostile_headers, st.binary(max_size=64), secrets_)
def test_verify_raises_only_webhook_errors(
    headers: dict[str, str], body: bytes, keys: list[WebhookSecret]
) -> None:
    """Arbitrary headers (non-ASCII, huge, surrogates) and bodies: only WebhookError."""
    refused = outcome(lambda: verify(headers, body, keys, NOW), WebhookError)
    assert isinstance(refused, UnsignedError | ForgedError | StaleError), refused
    assert refused.status == 401


@PROPERTY
@given(
    hostile_headers,
    st.binary(max_size=64),
    secrets_,
    st.sampled_from([HEADER_ID, HEADER_TIMESTAMP, HEADER_SIGNATURE]),
)
def test_one_hostile_header_among_good_ones(
    bad: dict[str, str], body: bytes, keys: list[WebhookSecret], replaced: str
) -> None:
    """Good headers with one replaced by a hostile value: a WebhookError or verified."""
    headers = signature_headers("01JDMSG", NOW_TS, body, keys)
    for value in [*bad.values(), "\ud800", "1" * 5000, "9" * 400, "v1,é"]:
        try:
            verify({**headers, replaced: value}, body, keys, NOW)
        except WebhookError:
            continue


@PROPERTY
@given(
    message_ids,
    st.integers(-PAST_TOLERANCE, FUTURE_TOLERANCE),
    st.binary(max_size=200),
    secrets_,
    st.data(),
)
def test_signed_bodies_verify_and_changed_ones_never_do(
    msg_id: str,
    offset: int,
    body: bytes,
    keys: list[WebhookSecret],
    data: st.DataObject,
) -> None:
    """A signed request verifies with each key; flip any byte of the body: forged."""
    timestamp = NOW_TS + offset
    headers = signature_headers(msg_id, timestamp, body, keys)
    for key in keys:
        verified = verify(headers, body, [key], NOW)
        assert (verified.msg_id, verified.timestamp) == (msg_id, timestamp)
    if body:
        index = data.draw(st.integers(0, len(body) - 1), label="index")
        mask = data.draw(st.integers(1, 255), label="mask")
        flipped = bytearray(body)
        flipped[index] ^= mask
        with pytest.raises(ForgedError):
            verify(headers, bytes(flipped), keys, NOW)
    with pytest.raises(ForgedError):
        verify(headers, body + b"\x00", keys, NOW)
    with pytest.raises(ForgedError):  # signed by a key we do not hold
        verify(headers, body, [WebhookSecret(b"\x01" * 32)], NOW)


@PROPERTY
@given(message_ids, st.binary(max_size=64), secrets_, st.data())
def test_a_changed_signature_or_id_never_verifies(
    msg_id: str, body: bytes, keys: list[WebhookSecret], data: st.DataObject
) -> None:
    """Change one character of the signatures, or the id: never verified."""
    headers = signature_headers(msg_id, NOW_TS, body, keys)
    signature = headers[HEADER_SIGNATURE]
    entries = signature.split(" ")
    which = data.draw(st.integers(0, len(entries) - 1), label="entry")
    # Not the last base64 character: its low bits are padding a decoder ignores.
    position = data.draw(st.integers(3, len(entries[which]) - 3), label="position")
    entry = entries[which]
    new_char = data.draw(
        st.sampled_from(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        ),
        label="char",
    )
    if new_char == entry[position]:
        return
    entries[which] = entry[:position] + new_char + entry[position + 1 :]
    tampered = {**headers, HEADER_SIGNATURE: " ".join(entries)}
    with pytest.raises(WebhookError):
        verify(tampered, body, [keys[which]], NOW)
    with pytest.raises(ForgedError):
        verify({**headers, HEADER_ID: msg_id + "x"}, body, keys, NOW)


@PROPERTY
@given(
    message_ids,
    st.integers(-(10**6), 10**6).filter(
        lambda offset: not -PAST_TOLERANCE <= offset <= FUTURE_TOLERANCE
    ),
    st.binary(max_size=32),
    secrets_,
)
def test_signed_but_outside_the_window_is_stale(
    msg_id: str, offset: int, body: bytes, keys: list[WebhookSecret]
) -> None:
    """A good signature with a timestamp outside now-40 s .. now+20 s is stale."""
    headers = signature_headers(msg_id, NOW_TS + offset, body, keys)
    with pytest.raises(StaleError):
        verify(headers, body, keys, NOW)


@PROPERTY
@given(
    st.sampled_from(["\ud800", "\udcff", "\x00", "\x1b", "\n", "\x85"]),
    st.sampled_from([10**20, 10**400]),
    secrets_,
)
def test_unreadable_ids_and_timestamps_are_unsigned(
    poison: str, huge: int, keys: list[WebhookSecret]
) -> None:
    """An id that is not storable text, or a timestamp of too many digits: unsigned."""
    good = signature_headers("m1", NOW_TS, b"{}", keys)
    with pytest.raises(UnsignedError):
        verify({**good, HEADER_ID: f"m{poison}1"}, b"{}", keys, NOW)
    with pytest.raises(UnsignedError):
        verify({**good, HEADER_TIMESTAMP: str(huge)}, b"{}", keys, NOW)


@PROPERTY
@given(message_ids, texts(storable_char, max_size=60), secrets_)
def test_the_reference_library_accepts_what_we_sign(
    msg_id: str, text: str, keys: list[WebhookSecret]
) -> None:
    """``standardwebhooks.Webhook(secret).verify`` accepts our headers, for every key."""
    body = text.encode("utf-8")
    timestamp = int(time.time())  # the reference checks against its own clock (±5 min)
    headers = signature_headers(msg_id, timestamp, body, keys)
    for key in keys:
        Webhook(key.export()).verify(body, headers, json_parse=False)
    with pytest.raises(WebhookVerificationError):
        Webhook(WebhookSecret(b"\x02" * 32).export()).verify(
            body, headers, json_parse=False
        )


@PROPERTY
@given(message_ids, texts(storable_char, max_size=60), secrets_, st.integers(-30, 15))
def test_we_accept_what_the_reference_library_signs(
    msg_id: str, text: str, keys: list[WebhookSecret], offset: int
) -> None:
    """A signature made by the reference library verifies here with any held key."""
    signed_at = NOW + timedelta(seconds=offset)
    signature = Webhook(keys[-1].export()).sign(msg_id, signed_at, text)
    headers = {
        "Webhook-Id": msg_id,
        "Webhook-Timestamp": str(int(signed_at.timestamp())),
        "Webhook-Signature": signature,
    }
    verified = verify(headers, text.encode(), keys, NOW)
    assert verified.msg_id == msg_id
