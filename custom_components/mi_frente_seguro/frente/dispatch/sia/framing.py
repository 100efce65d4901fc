"""SIA DC-09 framing: CRC, length, header, data block and timestamp of one message.

A message on the wire (ANSI/SIA DC-09)::

    <LF> CRC 0LLL "id" seq [Rrcvr] Lpref [#acct] [ data ] [xdata]... _HH:MM:SS,MM-DD-YYYY <CR>

- ``CRC``: 4 uppercase hex digits, CRC-16/ARC (polynomial 0x8005 reflected, initial value
  0) over the bytes from the first quote up to, not including, the ``<CR>``;
- ``0LLL``: the length of those same bytes, 4 hex digits (so at most 0x0FFF);
- ``"id"``: ``SIA-DCS``, ``ADM-CID`` or ``NULL`` from a sender, ``ACK``, ``NAK``, ``DUH``
  or ``RSP`` from a receiver; a leading ``*`` (``"*SIA-DCS"``) says that everything after
  the ``[`` is AES-encrypted, as hex (``crypto.py``);
- ``seq``: 4 decimal digits, 0001-9999 (a NAK carries 0000);
- the address: ``R`` receiver number and ``L`` line prefix (1-6 hex digits each), then
  ``#`` and the account (3-16 hex digits);
- the data block: the content up to ``]``, then extended data fields ``[X...]`` (one
  letter names each), then the timestamp ``_HH:MM:SS,MM-DD-YYYY`` (UTC).

Everything here is pure text work. Parsing never raises anything but :class:`FrameError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
import re

MAX_LENGTH = 0x0FFF  # "0LLL": the length field's first digit is always 0
FIRST_SEQUENCE = 1
LAST_SEQUENCE = 9999


class FrameError(ValueError):
    """Raised for bytes that are not a well-formed DC-09 message; says what is wrong."""


class Token(StrEnum):
    """The ``"id"`` of a message: what a sender sends, or what a receiver answers."""

    SIA_DCS = "SIA-DCS"
    ADM_CID = "ADM-CID"
    NULL = "NULL"  # no event: a link test (supervision) message
    ACK = "ACK"
    NAK = "NAK"
    DUH = "DUH"
    RSP = "RSP"


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_TABLE = _crc_table()


def crc16(data: bytes) -> int:
    """Return the CRC-16/ARC of ``data`` (the DC-09 message CRC)."""
    crc = 0
    for byte in data:
        crc = (crc >> 8) ^ _TABLE[(crc ^ byte) & 0xFF]
    return crc


def next_sequence(sequence: int) -> int:
    """Return the sequence number after ``sequence``: 0001..9999, then 0001 again."""
    return FIRST_SEQUENCE if sequence >= LAST_SEQUENCE else sequence + 1


_STAMP = re.compile(
    r"([0-9]{2}):([0-9]{2}):([0-9]{2}),([0-9]{2})-([0-9]{2})-([0-9]{4})"
)


def stamp(moment: datetime) -> str:
    """Return the DC-09 timestamp of ``moment`` (aware): ``_HH:MM:SS,MM-DD-YYYY`` in UTC."""
    if moment.tzinfo is None:
        raise ValueError("DC-09 timestamps need an aware datetime")
    return moment.astimezone(UTC).strftime("_%H:%M:%S,%m-%d-%Y")


def parse_stamp(text: str) -> datetime:
    """Return the UTC time of a timestamp ``HH:MM:SS,MM-DD-YYYY`` (without the ``_``)."""
    match = _STAMP.fullmatch(text)
    if match is None:
        raise FrameError("timestamp is not HH:MM:SS,MM-DD-YYYY")
    hour, minute, second, month, day, year = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError as err:
        raise FrameError(f"timestamp is not a real time: {err}") from None


@dataclass(frozen=True, slots=True)
class Address:
    """The receiver number, line prefix and account of a message's header (hex text)."""

    receiver: str | None = None
    line: str | None = None
    account: str | None = None

    def __str__(self) -> str:
        """Return the header text: ``R0L0#1234``."""
        return (
            (f"R{self.receiver}" if self.receiver is not None else "")
            + (f"L{self.line}" if self.line is not None else "")
            + (f"#{self.account}" if self.account is not None else "")
        )


_ADDRESS = re.compile(
    r"(?:R(?P<r>[0-9A-F]{1,6}))?(?:L(?P<l>[0-9A-F]{1,6}))?(?:#(?P<a>[0-9A-F]{3,16}))?"
)


def parse_address(text: str) -> Address:
    """Return the address of a header's ``R..L..#..`` part (each part optional)."""
    match = _ADDRESS.fullmatch(text)
    if match is None:
        raise FrameError("address is not [R<hex>][L<hex>][#<account>]")
    return Address(match["r"], match["l"], match["a"])


@dataclass(frozen=True, slots=True)
class Block:
    """One DC-09 message between the framing and the data's meaning.

    ``address`` is kept as sent: receivers answer with forms the strict grammar does not
    allow (pysiaalarm's NAK says ``L0R0A0``); :func:`parse_address` reads the strict one.
    ``data`` is everything after the first ``[``: a data block (:class:`Data`) in the
    clear, or its encryption as hex when ``encrypted``.
    """

    token: Token
    sequence: int
    address: str
    data: str
    encrypted: bool = False

    @property
    def text(self) -> str:
        """Return the message from the first quote on (what the CRC and length cover)."""
        star = "*" if self.encrypted else ""
        return f'"{star}{self.token}"{self.sequence:04d}{self.address}[{self.data}'


_PRINTABLE = re.compile(r"[\x20-\x7e]*")
_PRINTABLE_BYTES = re.compile(rb"[\x20-\x7e]*")
_HEX8 = re.compile(rb"[0-9A-Fa-f]{8}")
_HEADER = re.compile(
    r'"(?P<star>\*?)(?P<token>[A-Z][A-Z-]{2,6})"(?P<seq>[0-9]{4})(?P<address>[^\[]*)\[(?P<data>.*)',
    re.DOTALL,
)


def encode_block(block: Block) -> bytes:
    """Return the framed bytes of ``block``: ``<LF>`` CRC length message ``<CR>``."""
    if not 0 <= block.sequence <= LAST_SEQUENCE:
        raise ValueError("sequence numbers are 0000-9999")
    text = block.text
    if _PRINTABLE.fullmatch(text) is None:
        raise ValueError("DC-09 messages are printable ASCII")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"message too long for DC-09 ({len(text)} > {MAX_LENGTH})")
    body = text.encode("ascii")
    return b"\n%04X%04X%s\r" % (crc16(body), len(body), body)


def decode_block(raw: bytes) -> Block:
    """Return the message framed in ``raw`` after checking its CRC and length."""
    if len(raw) < 11 or raw[:1] != b"\n" or raw[-1:] != b"\r":
        raise FrameError("not framed by <LF> ... <CR>")
    head, body = raw[1:9], raw[9:-1]
    if _HEX8.fullmatch(head) is None:
        raise FrameError("CRC or length is not hex")
    crc, length = int(head[:4], 16), int(head[4:], 16)
    if length != len(body):
        raise FrameError(f"length says {length}, message has {len(body)}")
    if crc != crc16(body):
        raise FrameError("CRC mismatch")
    if _PRINTABLE_BYTES.fullmatch(body) is None:
        raise FrameError("message is not printable ASCII")
    text = body.decode("ascii")
    match = _HEADER.fullmatch(text)
    if match is None:
        raise FrameError('header is not "id"seq<address>[')
    try:
        token = Token(match["token"])
    except ValueError:
        raise FrameError(f"unknown id {match['token']!r}") from None
    return Block(
        token, int(match["seq"]), match["address"], match["data"], bool(match["star"])
    )


@dataclass(frozen=True, slots=True)
class Data:
    """A data block: content, extended data fields and the timestamp.

    On the wire: ``content]`` then ``[field]`` for each extended data field (its first
    letter names it: ``X`` longitude, ``Y`` latitude...), then ``_`` and the timestamp.
    """

    content: str
    extended: tuple[str, ...] = ()
    timestamp: datetime | None = None

    @property
    def text(self) -> str:
        """Return the block as sent after the header's ``[``."""
        fields = "".join(f"[{field}]" for field in self.extended)
        when = stamp(self.timestamp) if self.timestamp is not None else ""
        return f"{self.content}]{fields}{when}"


_BRACKETS = frozenset("[]")


def format_data(data: Data) -> str:
    """Return ``data`` as text; raises ``ValueError`` for brackets inside a field."""
    for part in (data.content, *data.extended):
        if _BRACKETS & set(part):
            raise ValueError("DC-09 fields cannot hold [ or ]")
    if any(not field for field in data.extended):
        raise ValueError("an extended data field needs at least its letter")
    return data.text


def parse_data(text: str) -> Data:
    """Return the data block ``text`` (what follows the header's ``[``, in the clear)."""
    content, bracket, rest = text.partition("]")
    if not bracket:
        raise FrameError("data block has no closing ]")
    if "[" in content:
        raise FrameError("data content holds a [")
    extended = []
    while rest.startswith("["):
        field, bracket, rest = rest[1:].partition("]")
        if not bracket or "[" in field or not field:
            raise FrameError("extended data field is not [<letter>...]")
        extended.append(field)
    timestamp = None
    if rest:
        if not rest.startswith("_"):
            raise FrameError("data block ends with something other than _timestamp")
        timestamp = parse_stamp(rest[1:])
    return Data(content, tuple(extended), timestamp)
