"""The content of a DC-09 data block: a report as SIA-DCS or as Contact ID (ADM-CID).

SIA-DCS (SIA DC-03 over DC-09)::

    #<account>|Nri<area>/<code><zone>]        e.g. #1A2B|Nri1/PA002]
    [X<longitude>][Y<latitude>]               optional: where it happened (DC-09 fields)

``N`` is a new event, ``ri`` the area (partition) number, the two letters the event code
and the three digits the zone. Longitude and latitude are decimal degrees (WGS 84), six
decimals.

ADM-CID (Contact ID, SIA DC-05, over DC-09)::

    #<account>|<qualifier><event> <area> <zone>]     e.g. #1A2B|1120 01 002]

with a one-digit qualifier, the three-digit event code, a two-digit area and the
three-digit zone. Contact ID messages carry no extended data here: pysiaalarm (Home
Assistant's ``sia``) refuses an ADM-CID message with more than one extended field, and a
location needs two.

A ``NULL`` message (a link test) has an empty data block: ``[]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
import re

from .codes import CODES, Qualifier
from .framing import Data, FrameError, Token
from .report import Report

MAX_AREA = 99  # two digits in Contact ID


class ContentFormat(StrEnum):
    """How a front's reports are written: SIA-DCS or Contact ID."""

    SIA_DCS = "SIA-DCS"
    ADM_CID = "ADM-CID"

    @property
    def token(self) -> Token:
        """Return the message id of this content."""
        return Token(self.value)


def report_data(
    report: Report,
    content: ContentFormat,
    account: str,
    area: int,
    *,
    location: bool = True,
) -> Data:
    """Return the data block (no timestamp yet) of ``report`` for ``account``'s ``area``.

    ``location``: add the report's coordinates (SIA-DCS only) when it has them.
    """
    if not 0 <= area <= MAX_AREA:
        raise ValueError("area must be 0-99")
    codes = CODES[report.event]
    if content is ContentFormat.ADM_CID:
        text = f"#{account}|{codes.qualifier:d}{codes.cid:03d} {area:02d} {report.zone:03d}"
        return Data(text)
    extended: tuple[str, ...] = ()
    if location and report.latitude is not None and report.longitude is not None:
        extended = (f"X{report.longitude:.6f}", f"Y{report.latitude:.6f}")
    return Data(f"#{account}|Nri{area}/{codes.sia}{report.zone:03d}", extended)


def null_data() -> Data:
    """Return the (empty) data block of a NULL message."""
    return Data("")


@dataclass(frozen=True, slots=True)
class Content:
    """What a data block says: the account inside it, the area and the report."""

    account: str
    area: int
    report: Report


_SIA = re.compile(
    r"#(?P<account>[0-9A-F]{3,16})\|Nri(?P<area>[0-9]{1,2})/(?P<code>[A-Z]{2})(?P<zone>[0-9]{3})"
)
_CID = re.compile(
    r"#(?P<account>[0-9A-F]{3,16})\|(?P<q>[136])(?P<event>[0-9]{3}) (?P<area>[0-9]{2}) (?P<zone>[0-9]{3})"
)
_DEGREES = re.compile(r"-?[0-9]{1,3}\.[0-9]{1,9}")
_BY_SIA = {codes.sia: event for event, codes in CODES.items()}
_BY_CID = {(codes.qualifier, codes.cid): event for event, codes in CODES.items()}


def parse_content(data: Data, content: ContentFormat) -> Content:
    """Return what a data block of ours says; raises :class:`FrameError` otherwise.

    The inverse of :func:`report_data`, for tests and for reading one's own messages.
    """
    pattern = _CID if content is ContentFormat.ADM_CID else _SIA
    match = pattern.fullmatch(data.content)
    if match is None:
        raise FrameError(f"content is not {content} as this integration writes it")
    if content is ContentFormat.ADM_CID:
        event = _BY_CID.get((Qualifier(int(match["q"])), int(match["event"])))
    else:
        event = _BY_SIA.get(match["code"])
    if event is None:
        raise FrameError("content holds an event code this integration never sends")
    latitude, longitude = _location(data.extended)
    try:
        report = Report(event, int(match["zone"]), latitude, longitude)
    except ValueError as err:
        raise FrameError(str(err)) from None
    return Content(match["account"], int(match["area"]), report)


def _location(extended: tuple[str, ...]) -> tuple[float | None, float | None]:
    fields = {field[0]: field[1:] for field in extended}
    if len(fields) != len(extended):
        raise FrameError("an extended data field is repeated")
    if set(fields) - {"X", "Y"}:
        raise FrameError("unexpected extended data field")
    if not fields:
        return None, None
    if set(fields) != {"X", "Y"} or not all(
        _DEGREES.fullmatch(value) for value in fields.values()
    ):
        raise FrameError("location needs [X<longitude>][Y<latitude>] in degrees")
    return float(fields["Y"]), float(fields["X"])


def is_null(data: Data) -> bool:
    """Return True for the data block of a NULL message."""
    return data.content == "" and not data.extended
