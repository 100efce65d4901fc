"""Property tests of the DC-09 framing: round trips, corruption caught, no crash on input."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, strategies as st
from pysiaalarm.event import SIAEvent
import pytest

from custom_components.mi_frente_seguro.frente.dispatch.sia.framing import (
    Block,
    Data,
    FrameError,
    crc16,
    decode_block,
    encode_block,
    format_data,
    next_sequence,
    parse_address,
    parse_data,
    parse_stamp,
    stamp,
)
from tests.frente.test_properties_text import PROPERTY, hostile_text, outcome

from .strategies import (
    PRINTABLE,
    addresses,
    blocks,
    data_blocks,
    hostile_bytes,
    moments,
)


def test_crc_is_crc16_arc() -> None:
    """The check value of CRC-16/ARC."""
    assert crc16(b"123456789") == 0xBB3D


@PROPERTY
@given(st.text(PRINTABLE, max_size=80))
def test_crc_agrees_with_pysiaalarm(text: str) -> None:
    """Our CRC is the one pysiaalarm's receiver computes, for any message text."""
    assert SIAEvent._crc_calc(text) == f"{crc16(text.encode('ascii')):04X}"


KNOWN = b'\nCF730028"SIA-DCS"0001R0L0#1A2B[#1A2B|Nri1/PA002]\r'


def test_known_frame_fields() -> None:
    """A frame read field by field."""
    block = decode_block(KNOWN)
    assert block == Block(block.token, 1, "R0L0#1A2B", "#1A2B|Nri1/PA002]")
    assert parse_address(block.address).account == "1A2B"


@PROPERTY
@given(blocks)
def test_block_round_trip(block: Block) -> None:
    """Any block we encode decodes to itself; CRC and length are 4 hex digits."""
    raw = encode_block(block)
    assert decode_block(raw) == block
    assert raw[:1] == b"\n" and raw[-1:] == b"\r"
    assert int(raw[5:9], 16) == len(raw) - 10
    assert int(raw[1:5], 16) == crc16(raw[9:-1])


@PROPERTY
@given(blocks, st.data())
def test_any_changed_byte_is_caught(block: Block, data: st.DataObject) -> None:
    """Changing one byte of a frame (CRC, length or message) is always a FrameError.

    CRC-16 catches every burst of up to 16 bits, so a changed message byte never passes;
    a changed CRC or length digit never matches.
    """
    raw = bytearray(encode_block(block))
    where = data.draw(st.integers(1, len(raw) - 2), label="where")
    byte = data.draw(
        st.integers(0, 255).filter(lambda b: b != raw[where]), label="byte"
    )
    raw[where] = byte
    try:
        changed = decode_block(bytes(raw))
    except FrameError:
        return
    # Only a hex digit's case may change without changing its value.
    assert chr(byte).upper() == chr(encode_block(block)[where]).upper()
    assert changed == block


@PROPERTY
@given(blocks, st.integers(1, 5), st.booleans())
def test_wrong_length_is_caught(block: Block, cut: int, grow: bool) -> None:
    """A frame with bytes missing or added (CR moved) fails its length check."""
    raw = encode_block(block)
    body = raw[:-1] + b"0" * cut if grow else raw[: max(len(raw) - 1 - cut, 1)]
    with pytest.raises(FrameError):
        decode_block(body + b"\r")


@PROPERTY
@given(hostile_bytes)
def test_any_bytes_decode_or_raise_frame_error(raw: bytes) -> None:
    """Whatever arrives is a Block or a FrameError, never another exception."""
    result = outcome(lambda: decode_block(raw), FrameError)
    if isinstance(result, Block):
        assert result.text == raw[9:-1].decode("ascii")


@PROPERTY
@given(data_blocks)
def test_data_round_trip(data: Data) -> None:
    """A data block formats and parses back to itself."""
    assert parse_data(format_data(data)) == data


@PROPERTY
@given(st.text(PRINTABLE, max_size=60) | hostile_text)
def test_any_data_text_parses_or_raises(text: str) -> None:
    """Any text after the '[' is a Data or a FrameError."""
    result = outcome(lambda: parse_data(text), FrameError)
    if isinstance(result, Data):
        assert "[" not in result.content


@PROPERTY
@given(moments)
def test_stamp_round_trip(moment: datetime) -> None:
    """A timestamp is _HH:MM:SS,MM-DD-YYYY in UTC and reads back to the same second."""
    text = stamp(moment)
    assert len(text) == 20 and text[0] == "_"
    assert parse_stamp(text[1:]) == moment


@PROPERTY
@given(hostile_text)
def test_any_stamp_text_parses_or_raises(text: str) -> None:
    """Any text is a time or a FrameError (no Unicode digits, no 31 February)."""
    result = outcome(lambda: parse_stamp(text), FrameError)
    if isinstance(result, datetime):
        assert text.isascii()


@PROPERTY
@given(addresses)
def test_address_round_trip(address: str) -> None:
    """The address header reads back to the text it was made from."""
    assert str(parse_address(address)) == address


def test_sequence_wraps() -> None:
    """0001..9999, then 0001 again."""
    assert next_sequence(0) == 1
    assert next_sequence(41) == 42
    assert next_sequence(9999) == 1


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\n\r",
        KNOWN[:-1],
        KNOWN[1:],
        KNOWN.replace(b"CF73", b"CF74"),
        KNOWN.replace(b"0028", b"0027"),
        KNOWN.replace(b"CF73", b"+F73"),
        b'\n24F40008"ACK"01\r',
        KNOWN.replace(b"SIA-DCS", b"SIA-DCX"),
    ],
)
def test_bad_frames(raw: bytes) -> None:
    """Frames that are wrong in one way each are refused."""
    with pytest.raises(FrameError):
        decode_block(raw)


def test_encoding_refuses_what_dc09_cannot_carry() -> None:
    """Non-ASCII, a too long message, a bad sequence number, brackets in fields."""
    token = decode_block(KNOWN).token
    for bad in (
        Block(token, 1, "", "é]"),
        Block(token, 1, "", "x" * 4096),
        Block(token, 10000, "", "]"),
    ):
        with pytest.raises(ValueError):
            encode_block(bad)
    for data in (Data("a]b"), Data("", ("",)), Data("", ("X[1",))):
        with pytest.raises(ValueError):
            format_data(data)
    with pytest.raises(ValueError):
        stamp(datetime(2026, 1, 1))  # noqa: DTZ001  (naive on purpose)


def frame(text: bytes) -> bytes:
    """Return ``text`` framed with a right CRC and length (whatever it says)."""
    return b"\n%04X%04X%s\r" % (crc16(text), len(text), text)


@pytest.mark.parametrize(
    "text",
    [
        b'"SIA-DCS"0001R0L0#1A2B[\x01]',  # a control character
        b'"SIA-DCS"01R0L0#1A2B[]',  # sequence of two digits
        b'"SIA-DCS"0001R0L0#1A2B',  # no [
        b'"XYZ"0001R0L0#1A2B[]',  # unknown id
    ],
)
def test_well_framed_but_wrong(text: bytes) -> None:
    """A right CRC and length do not make a message of a wrong one."""
    with pytest.raises(FrameError):
        decode_block(frame(text))


@pytest.mark.parametrize(
    "text",
    [
        "no closing bracket",
        "a[b]",
        "a][]",
        "a][X",
        "a][X[1]",
        "a]junk",
        "a]_25:00:00,01-01-2026",
        "a]_12:00:00,02-30-2026",
        "a]_12:00:00,01-01-0000",
    ],
)
def test_bad_data_blocks(text: str) -> None:
    """Each is refused with a FrameError."""
    with pytest.raises(FrameError):
        parse_data(text)
