"""SIA DC-09 (ANSI/SIA DC-09): alarms to the receivers police and monitoring centres run.

A front's reports go, as SIA-DCS or Contact ID (ADM-CID) content, over TCP or UDP to a
receiver's host and port, for the front's account, optionally AES-encrypted; the
receiver's ACK, NAK or DUH decides what happens next. ``docs/sia.md`` is the contract:
the mapping of every incident kind and change to its codes, the key format, the answers,
the link tests and the receivers tested.

- ``framing``: CRC, length, header, data block and timestamp (:class:`Block`, :class:`Data`);
- ``crypto``: :class:`SiaKey`, the pad and AES-CBC (``seal`` / ``open_sealed``);
- ``codes``: :class:`SiaEvent` and its SIA-DCS / Contact ID codes (:data:`CODES`);
- ``report``: :func:`report_for_message` and the stored :class:`Report`;
- ``content``: a report as SIA-DCS or ADM-CID text (:class:`ContentFormat`);
- ``answers``: reading and matching a receiver's answer;
- ``settings``: :class:`SiaSettings` (host, port, account, key, format, timeouts...);
- ``wire``: the TCP and UDP conversations;
- ``client``: :class:`SiaTransport`, the attempt a destination's queue drives;
- ``supervision``: link tests (:class:`LinkSupervision`, :func:`next_link_test_due`).
"""

from __future__ import annotations

from .client import SiaTransport
from .codes import CODES, SiaEvent
from .content import ContentFormat
from .crypto import InvalidKeyError, SiaKey
from .framing import Block, Data, FrameError, Token
from .report import Report, report_for_message
from .settings import InvalidSiaSettingsError, SiaProtocol, SiaSettings, parse_account
from .supervision import LinkSupervision, LinkTestMessage, next_link_test_due

__all__ = [
    "CODES",
    "Block",
    "ContentFormat",
    "Data",
    "FrameError",
    "InvalidKeyError",
    "InvalidSiaSettingsError",
    "LinkSupervision",
    "LinkTestMessage",
    "Report",
    "SiaEvent",
    "SiaKey",
    "SiaProtocol",
    "SiaSettings",
    "SiaTransport",
    "Token",
    "next_link_test_due",
    "parse_account",
    "report_for_message",
]
