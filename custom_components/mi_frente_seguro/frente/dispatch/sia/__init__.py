"""SIA DC-09 (ANSI/SIA DC-09): alarms to the receivers police and monitoring centres run.

- ``framing``: CRC, length, header, data block and timestamp (:class:`Block`, :class:`Data`);
- ``crypto``: :class:`SiaKey`, the pad and AES-CBC (``seal`` / ``open_sealed``);
- ``codes``: :class:`SiaEvent` and its SIA-DCS / Contact ID codes (:data:`CODES`);
- ``report``: :func:`report_for_message` and the stored :class:`Report`;
- ``content``: a report as SIA-DCS or ADM-CID text (:class:`ContentFormat`).
"""

from __future__ import annotations

from .codes import CODES, SiaEvent
from .content import ContentFormat
from .crypto import InvalidKeyError, SiaKey
from .framing import Block, Data, FrameError, Token
from .report import Report, report_for_message

__all__ = [
    "CODES",
    "Block",
    "ContentFormat",
    "Data",
    "FrameError",
    "InvalidKeyError",
    "Report",
    "SiaEvent",
    "SiaKey",
    "Token",
    "report_for_message",
]
