"""Hypothesis strategies for DC-09: blocks, data blocks, keys, reports, hostile bytes."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import strategies as st

from custom_components.mi_frente_seguro.frente.dispatch.sia.codes import SiaEvent
from custom_components.mi_frente_seguro.frente.dispatch.sia.crypto import SiaKey
from custom_components.mi_frente_seguro.frente.dispatch.sia.framing import (
    Address,
    Block,
    Data,
    Token,
)
from custom_components.mi_frente_seguro.frente.dispatch.sia.report import Report

PRINTABLE = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
FIELD_CHARS = st.characters(
    min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="[]"
)
HEX = "0123456789ABCDEF"

hex_text = st.text(HEX, min_size=1, max_size=6)
accounts = st.text(HEX, min_size=3, max_size=16)
addresses = st.builds(
    lambda receiver, line, account: str(Address(receiver, line, account)),
    st.none() | hex_text,
    st.none() | hex_text,
    st.none() | accounts,
)
# Whole seconds, years with four digits: what a DC-09 timestamp can say.
moments = st.datetimes(
    min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)
).map(lambda moment: moment.replace(microsecond=0, tzinfo=UTC))
data_blocks = st.builds(
    Data,
    st.text(FIELD_CHARS, max_size=40),
    st.lists(st.text(FIELD_CHARS, min_size=1, max_size=20), max_size=3).map(tuple),
    st.none() | moments,
)
blocks = st.builds(
    Block,
    st.sampled_from(list(Token)),
    st.integers(0, 9999),
    addresses,
    st.text(PRINTABLE, max_size=80),
    st.booleans(),
)
keys = (
    st.sampled_from([16, 24, 32])
    .flatmap(lambda size: st.binary(min_size=size, max_size=size))
    .map(SiaKey)
)
reports = st.builds(
    Report,
    st.sampled_from(list(SiaEvent)),
    st.integers(0, 999),
).flatmap(
    lambda report: st.one_of(
        st.just(report),
        st.builds(
            lambda lat, lon: Report(report.event, report.zone, lat, lon),
            st.floats(-90, 90),
            st.floats(-180, 180),
        ),
    )
)
# Bytes that look like DC-09 often enough to reach every check.
PIECES = (
    b"\n", b"\r", b'"', b"*", b"SIA-DCS", b"ADM-CID", b"NULL", b"ACK", b"NAK", b"DUH",
    b"RSP", b"0001", b"0000", b"R0", b"L0", b"#1A2B3C", b"[", b"]", b"|", b"_",
    b"12:00:00,01-01-2026", b"99:99:99,13-32-0000", b"0042", b"FFFF", b"\xff", b"\x00",
    b"\xc3\xa9", b"+1F", b" 1F", b"1_F",
)  # fmt: skip
hostile_bytes = st.lists(
    st.one_of(st.binary(max_size=8), st.sampled_from(PIECES)), max_size=12
).map(b"".join)
