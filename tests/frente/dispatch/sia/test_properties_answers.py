"""Property tests of the answer parser: only our own well-formed ACK is a delivery."""

from __future__ import annotations

from datetime import datetime

from Crypto.Cipher import AES
from hypothesis import given, strategies as st
import pytest

from custom_components.mi_frente_seguro.frente.dispatch.sia.answers import (
    AnswerError,
    ReceiverAnswer,
    acknowledges,
    is_ours,
    parse_answer,
)
from custom_components.mi_frente_seguro.frente.dispatch.sia.crypto import SiaKey, seal
from custom_components.mi_frente_seguro.frente.dispatch.sia.framing import (
    Block,
    Token,
    crc16,
    encode_block,
    parse_stamp,
    stamp,
)
from tests.frente.test_properties_text import PROPERTY, outcome

from .strategies import accounts, hostile_bytes, keys, moments

KEY = SiaKey.from_text("0123456789ABCDEF")
ANSWER_TOKENS = [Token.ACK, Token.NAK, Token.DUH, Token.RSP]


def framed(
    token: Token,
    sequence: int,
    account: str,
    data: str = "]",
    key: SiaKey | None = None,
) -> bytes:
    """Return an answer as a receiver frames it (encrypted when ``key``)."""
    if key is not None:
        data = seal(key, data)
    return encode_block(
        Block(token, sequence, f"R0L0#{account}", data, key is not None)
    )


@PROPERTY
@given(
    st.sampled_from(ANSWER_TOKENS),
    st.integers(0, 9999),
    accounts,
    st.none() | keys,
    st.none() | moments,
)
def test_answer_round_trip(
    token: Token, sequence: int, account: str, key: SiaKey | None, when: datetime | None
) -> None:
    """An answer reads back with its token, sequence, account, encryption and time."""
    data = "]" + (stamp(when) if when else "")
    answer = parse_answer(framed(token, sequence, account, data, key), key)
    assert answer == ReceiverAnswer(token, sequence, account, key is not None, when)
    ours = acknowledges(answer, sequence, account, encrypted=key is not None)
    assert ours is (token in (Token.ACK, Token.RSP))


@PROPERTY
@given(
    st.integers(1, 9999),
    st.integers(1, 9999),
    accounts,
    accounts,
    st.booleans(),
    st.booleans(),
)
def test_an_ack_of_another_message_is_not_ours(
    sequence: int, sent: int, account: str, ours: str, encrypted: bool, expected: bool
) -> None:
    """An ACK takes our message only with our sequence, account and encryption."""
    key = KEY if encrypted else None
    answer = parse_answer(framed(Token.ACK, sequence, account, key=key), KEY)
    taken = acknowledges(answer, sent, ours, encrypted=expected)
    assert taken is (sequence == sent and account == ours and encrypted == expected)


@PROPERTY
@given(hostile_bytes, st.none() | keys)
def test_any_bytes_are_an_answer_or_an_answer_error(
    raw: bytes, key: SiaKey | None
) -> None:
    """Whatever comes back is a ReceiverAnswer or an AnswerError, never a crash."""
    result = outcome(lambda: parse_answer(raw, key), AnswerError)
    if isinstance(result, ReceiverAnswer):
        assert result.token in ANSWER_TOKENS


@PROPERTY
@given(st.integers(1, 9999), accounts, st.data())
def test_a_corrupted_ack_is_never_an_ack(
    sequence: int, account: str, data: st.DataObject
) -> None:
    """One changed byte in an (encrypted) ACK: an AnswerError, or still exactly that ACK."""
    raw = bytearray(framed(Token.ACK, sequence, account, key=KEY))
    where = data.draw(st.integers(0, len(raw) - 1))
    raw[where] = data.draw(st.integers(0, 255).filter(lambda b: b != raw[where]))
    result = outcome(lambda: parse_answer(bytes(raw), KEY), AnswerError)
    if isinstance(result, ReceiverAnswer):  # only a hex digit's case changed
        assert acknowledges(result, sequence, account, encrypted=True)


def test_pysiaalarm_answers() -> None:
    """The answers pysiaalarm 3.2.2 sends, as it writes them."""
    nak = b'"NAK"0000L0R0A0[]_12:00:00,01-01-2026'  # its NAK to an unreadable line
    raw = b"\n%04X%04X%s\r" % (crc16(nak), len(nak), nak)
    answer = parse_answer(raw, None)
    assert (answer.token, answer.account, answer.timestamp) == (
        Token.NAK,
        None,
        parse_stamp("12:00:00,01-01-2026"),
    )
    assert is_ours(answer, 7, "1A2B", encrypted=False)  # a NAK names no sequence
    # Its encrypted ACK: "0" padding, no '|', and [K<key>] echoed in extended data.
    plain = "][K0123456789ABCDEF]_12:00:00,01-01-2026".zfill(48).encode()
    hex_text = (
        AES.new(b"0123456789ABCDEF", AES.MODE_CBC, bytes(16))
        .encrypt(plain)
        .hex()
        .upper()
    )
    body = f'"*ACK"0042R0L0#1A2B[{hex_text}'.encode()
    answer = parse_answer(b"\n%04X%04X%s\r" % (crc16(body), len(body), body), KEY)
    assert acknowledges(answer, 42, "1A2B", encrypted=True)
    assert "K0123" not in repr(answer)
    assert parse_answer(framed(Token.DUH, 3, "1A2B", "]"), None).token is Token.DUH


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        (b"\n\r", None),  # pysiaalarm's answer to a CRC mismatch
        (framed(Token.ACK, 1, "1A2B", key=KEY), None),  # encrypted, and we hold no key
        (framed(Token.ACK, 1, "1A2B", key=KEY), SiaKey.from_text("FEDCBA9876543210")),
        (
            encode_block(Block(Token.SIA_DCS, 1, "R0L0#1A2B", "]")),
            None,
        ),  # not an answer
        (encode_block(Block(Token.ACK, 1, "R0L0#1A2BX", "]")), None),  # bad address
        (encode_block(Block(Token.ACK, 1, "R0L0#1A2B", "no bracket")), None),
    ],
)
def test_not_answers(raw: bytes, key: SiaKey | None) -> None:
    """Each of these is an AnswerError."""
    with pytest.raises(AnswerError):
        parse_answer(raw, key)
