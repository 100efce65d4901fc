"""docs/sia.md: its tables are the code's table and its examples what the code sends."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
import re

from custom_components.mi_frente_seguro.frente.dispatch.sia.codes import (
    CODES,
    SOURCE_ZONES,
    SiaEvent,
)
from custom_components.mi_frente_seguro.frente.dispatch.sia.content import (
    ContentFormat,
    null_data,
    report_data,
)
from custom_components.mi_frente_seguro.frente.dispatch.sia.framing import (
    Block,
    Data,
    Token,
    format_data,
)
from custom_components.mi_frente_seguro.frente.dispatch.sia.report import Report
from custom_components.mi_frente_seguro.frente.incident import IncidentSource

ROOT = Path(__file__).parents[4]
DOC = (ROOT / "docs" / "sia.md").read_text(encoding="utf-8")
ENGLISH, _, SPANISH = DOC.partition("## En español")
WHEN = datetime(2026, 11, 26, 20, 0, 5, tzinfo=UTC)
PANIC = Report(SiaEvent.PANIC, 2, 10.4142, -75.5361)


def test_codes_table_is_the_code() -> None:
    """Each row of the Codes table is CODES's entry, and every entry has a row."""
    rows = re.findall(
        r"^\| `(\w+)` \| ([A-Z]{2}) \| ([136]) (\d{3}) \| ([^|]+) \|$",
        ENGLISH,
        re.MULTILINE,
    )
    table = {
        event: (sia, int(q), int(cid), meaning.strip())
        for event, sia, q, cid, meaning in rows
    }
    assert table == {
        str(event): (codes.sia, int(codes.qualifier), codes.cid, codes.meaning)
        for event, codes in CODES.items()
    }


def test_spanish_table_has_every_code() -> None:
    """The Spanish section names every SIA-DCS code and Contact ID pair."""
    assert SPANISH
    for codes in CODES.values():
        assert codes.sia in SPANISH
        assert f"{int(codes.qualifier)} {codes.cid}" in SPANISH


def test_zones_are_documented() -> None:
    """The zone numbers of the sources, in both languages."""
    assert SOURCE_ZONES[IncidentSource.PHYSICAL_BUTTON] == 1
    for zone in SOURCE_ZONES.values():
        assert f"{zone:03d}" in ENGLISH and f"{zone:03d}" in SPANISH


def examples() -> list[str]:
    """Return the text blocks of the page."""
    return re.findall(r"```text\n(.*?)\n```", DOC, flags=re.DOTALL)


def message(token: Token, sequence: int, data: Data) -> str:
    """Return a message as the page shows it (no CRC, length, LF or CR)."""
    stamped = format_data(Data(data.content, data.extended, WHEN))
    return Block(token, sequence, "R0L0#1A2B3C", stamped).text


def test_examples_are_what_the_code_sends() -> None:
    """The SIA-DCS, Contact ID and NULL examples, byte for byte."""
    assert examples() == [
        message(
            Token.SIA_DCS, 1, report_data(PANIC, ContentFormat.SIA_DCS, "1A2B3C", 1)
        ),
        message(
            Token.ADM_CID, 1, report_data(PANIC, ContentFormat.ADM_CID, "1A2B3C", 1)
        ),
        message(Token.NULL, 2, null_data()),
    ]
    assert f"`{PANIC.encode().decode()}`" in DOC


def test_receiver_tested_is_the_pinned_one() -> None:
    """The page names the pysiaalarm version the tests pin."""
    pins = (ROOT / "requirements_test.txt").read_text(encoding="utf-8")
    version = re.search(r"^pysiaalarm==([\d.]+)$", pins, re.MULTILINE)
    assert version is not None
    assert f"pysiaalarm {version[1]}" in ENGLISH
    assert f"pysiaalarm {version[1]}" in SPANISH
