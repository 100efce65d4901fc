"""Which report each police message makes, how reports are stored and written as content."""

from __future__ import annotations

from hypothesis import given, strategies as st
import pytest

from custom_components.mi_frente_seguro.frente.dispatch.sia.codes import (
    ALARM,
    CODES,
    SOURCE_ZONES,
    Qualifier,
    SiaEvent,
)
from custom_components.mi_frente_seguro.frente.dispatch.sia.content import (
    Content,
    ContentFormat,
    is_null,
    null_data,
    parse_content,
    report_data,
)
from custom_components.mi_frente_seguro.frente.dispatch.sia.framing import (
    Data,
    FrameError,
    format_data,
    parse_data,
)
from custom_components.mi_frente_seguro.frente.dispatch.sia.report import (
    InvalidReportError,
    Report,
    report_for_message,
)
from custom_components.mi_frente_seguro.frente.incident import (
    IncidentKind,
    IncidentSource,
)
from tests.frente.test_properties_text import PROPERTY, outcome

from .police import Case, cases
from .strategies import FIELD_CHARS, accounts, hostile_bytes, reports


@pytest.mark.parametrize("case", cases(), ids=lambda case: case.name)
def test_report_for_every_kind_and_change(case: Case) -> None:
    """Every kind and change maps as docs/sia.md says (None: nothing is sent)."""
    report = report_for_message(case.message)
    if case.event is None:
        assert report is None
        return
    assert report is not None
    assert (report.event, report.zone) == (case.event, case.zone)
    where = (report.latitude, report.longitude) if report.located else None
    assert where == case.place


def test_a_kind_without_mapping_is_an_error() -> None:
    """A new incident kind must get a SIA mapping before it can reach a receiver."""
    message = {**cases()[0].message, "kind": "medical"}
    with pytest.raises(ValueError):
        report_for_message(message)


def test_codes_are_consistent() -> None:
    """Every event has two letters and a CID code; alarms are new, restores restores."""
    assert set(CODES) == set(SiaEvent)
    assert len({codes.sia for codes in CODES.values()}) == len(CODES)
    for event, codes in CODES.items():
        assert len(codes.sia) == 2 and codes.sia.isupper()
        assert 100 <= codes.cid <= 999
        restore = event.endswith("_restore")
        assert (codes.qualifier is Qualifier.RESTORE) is restore
    assert set(SOURCE_ZONES) == set(IncidentSource)
    assert len(set(SOURCE_ZONES.values())) == len(SOURCE_ZONES)


def test_content_examples() -> None:
    """The examples docs/sia.md shows."""
    report = Report(SiaEvent.PANIC, 2, 10.4142, -75.5361)
    sia = report_data(report, ContentFormat.SIA_DCS, "1A2B", 1)
    assert format_data(sia) == "#1A2B|Nri1/PA002][X-75.536100][Y10.414200]"
    assert (
        format_data(
            report_data(report, ContentFormat.SIA_DCS, "1A2B", 1, location=False)
        )
        == "#1A2B|Nri1/PA002]"
    )
    cid = report_data(report, ContentFormat.ADM_CID, "1A2B", 1)
    assert format_data(cid) == "#1A2B|1120 01 002]"
    assert format_data(null_data()) == "]" and is_null(null_data())
    with pytest.raises(ValueError):
        report_data(report, ContentFormat.ADM_CID, "1A2B", 100)


@PROPERTY
@given(reports, st.sampled_from(list(ContentFormat)), accounts, st.integers(0, 99))
def test_content_round_trip(
    report: Report, content: ContentFormat, account: str, area: int
) -> None:
    """A report written as either content reads back (location: SIA-DCS, 6 decimals)."""
    data = parse_data(format_data(report_data(report, content, account, area)))
    read = parse_content(data, content)
    assert (read.account, read.area, read.report.event, read.report.zone) == (
        account,
        area,
        report.event,
        report.zone,
    )
    if content is ContentFormat.SIA_DCS and report.located:
        assert read.report.latitude == pytest.approx(report.latitude, abs=1e-6)
        assert read.report.longitude == pytest.approx(report.longitude, abs=1e-6)
    else:
        assert not read.report.located


@PROPERTY
@given(
    st.text(FIELD_CHARS, max_size=40)
    | st.sampled_from(
        [
            "#1A2B|Nri1/PA002",
            "#1A2B|1120 01 002",
            "#1A2B|Nri1/ZZ002",
            "#1A2B|6120 01 002",
        ]
    ),
    st.lists(
        st.sampled_from(["X1.5", "Y2.5", "X", "Y-91.0", "Xabc", "Q1", "X1.5"]),
        max_size=3,
    ),
    st.sampled_from(list(ContentFormat)),
)
def test_any_content_reads_or_raises(
    text: str, extended: list[str], content: ContentFormat
) -> None:
    """Any data block is our Content or a FrameError (codes we never send included)."""
    result = outcome(
        lambda: parse_content(Data(text, tuple(extended)), content), FrameError
    )
    assert isinstance(result, (Content, FrameError))


@PROPERTY
@given(reports)
def test_stored_report_round_trip(report: Report) -> None:
    """What the outbox stores reads back to the same report."""
    assert Report.decode(report.encode()) == report


@PROPERTY
@given(
    hostile_bytes
    | st.sampled_from(
        [
            b'{"v":1,"event":"panic","zone":1000}',
            b'{"v":1,"event":"panic","zone":true}',
            b'{"v":1,"event":"panic","zone":1,"lat":1e999,"lon":0}',
            b'{"v":1,"event":"panic","zone":1,"lat":' + b"9" * 400 + b',"lon":0}',
            b'{"v":1,"event":"panic","zone":1,"lat":1}',
            b'{"v":1,"event":"panic","zone":1,"lat":"1","lon":2}',
            b'{"v":1,"event":"nope","zone":1}',
            b'{"v":2,"event":"panic","zone":1}',
            b"[" * 10000,
        ]
    )
)
def test_any_stored_bytes_are_a_report_or_invalid(body: bytes) -> None:
    """Whatever the outbox row holds is a report or an InvalidReportError."""
    result = outcome(lambda: Report.decode(body), InvalidReportError)
    assert isinstance(result, (Report, InvalidReportError))


def test_report_checks() -> None:
    """Zones are 0-999; coordinates come in pairs, finite and in range."""
    for bad in (
        {"zone": 1000},
        {"zone": -1},
        {"latitude": 1.0},
        {"latitude": 91.0, "longitude": 0.0},
        {"latitude": float("nan"), "longitude": 0.0},
    ):
        with pytest.raises(InvalidReportError):
            Report(SiaEvent.PANIC, **bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "data",
    [
        Data("#1A2B|Nri1/PA002", ("X1.0", "X2.0")),  # repeated
        Data("#1A2B|Nri1/PA002", ("X1.0",)),  # half a location
        Data("#1A2B|Nri1/PA002", ("X1.0", "Y-91.0")),  # out of range
        Data("#1A2B|Nri1/PA002", ("Q1",)),  # a field we never send
        Data("#1A2B|Nri1/ZZ002"),  # a code we never send
    ],
)
def test_contents_we_never_write(data: Data) -> None:
    """Extended data and codes other than ours are FrameErrors."""
    with pytest.raises(FrameError):
        parse_content(data, ContentFormat.SIA_DCS)


def test_unknown_source_and_no_place() -> None:
    """A source without a zone is zone 0; no phone fix and no front place: no location."""
    message = cases()[0].message
    message = {
        **message,
        "source": "carrier_pigeon",
        "presses": [
            {**message["presses"][0], "source": "carrier_pigeon", "location": None}
        ],
        "front": {**message["front"], "lat": None, "lon": None},
    }
    report = report_for_message(message)
    assert report == Report(SiaEvent.PANIC, 0)


def test_a_kind_left_out_of_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """A kind the tables do not map is an error when its message is rendered."""
    monkeypatch.delitem(ALARM, IncidentKind.SILENT)
    silent = next(case for case in cases() if case.name == "silent")
    with pytest.raises(ValueError, match="no SIA report"):
        report_for_message(silent.message)
