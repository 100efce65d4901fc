"""One SIA DC-09 destination's settings: where, which account and key, how to write.

Every field is checked when the settings are made (:class:`InvalidSiaSettingsError`
names the field): an account is 3-16 hex digits (stored upper case, as receivers look it
up), the receiver number and line prefix 1-6 hex digits, the area 0-99, timeouts finite
and positive. The key is a :class:`~.crypto.SiaKey` (its repr hides it), so the repr of
the settings is safe to log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
import math
import re

from ...text import InvalidFieldError
from .content import MAX_AREA, ContentFormat
from .crypto import SiaKey
from .supervision import DEFAULT_INTERVAL, MIN_INTERVAL, LinkTestMessage

DEFAULT_PORT = 12128  # a common DC-09 receiver port; receivers choose their own
CONNECT_TIMEOUT = 5.0  # seconds
ANSWER_TIMEOUT = 10.0  # seconds from sending to the receiver's answer
MAX_RESTAMPS = 2  # re-stamped resends after NAKs, per attempt
_ACCOUNT = re.compile(r"[0-9A-Fa-f]{3,16}")
_HEX_NUMBER = re.compile(r"[0-9A-Fa-f]{1,6}")
_HOST = re.compile(r"[0-9A-Za-z.:\-\[\]_%]{1,253}")


class InvalidSiaSettingsError(InvalidFieldError):
    """Raised for a setting that is not valid; ``field`` names it."""


class SiaProtocol(StrEnum):
    """How messages travel to the receiver."""

    TCP = "tcp"
    UDP = "udp"


def parse_account(text: str) -> str:
    """Return the account (3-16 hex digits) in upper case; raises the settings error."""
    if not isinstance(text, str) or _ACCOUNT.fullmatch(text.strip()) is None:
        raise InvalidSiaSettingsError("account", "must be 3-16 hex digits")
    return text.strip().upper()


@dataclass(frozen=True, slots=True)
class SiaSettings:
    """A DC-09 receiver and how this front talks to it."""

    host: str
    port: int
    account: str
    key: SiaKey | None = None  # None: messages in the clear
    protocol: SiaProtocol = SiaProtocol.TCP
    content: ContentFormat = ContentFormat.SIA_DCS
    receiver: str = "0"  # the header's R field (hex)
    line: str = "0"  # the header's L field (hex): pysiaalarm requires one
    area: int = 1  # partition: SIA-DCS "ri", Contact ID's two digits
    location: bool = True  # coordinates as [X..][Y..] in SIA-DCS reports
    connect_timeout: float = CONNECT_TIMEOUT
    answer_timeout: float = ANSWER_TIMEOUT
    max_restamps: int = MAX_RESTAMPS
    link_test: LinkTestMessage = LinkTestMessage.AUTO
    link_test_interval: timedelta = field(default=DEFAULT_INTERVAL)

    def __post_init__(self) -> None:
        """Check every field (and normalise the account and hex numbers to upper case)."""
        if not isinstance(self.host, str) or _HOST.fullmatch(self.host) is None:
            raise InvalidSiaSettingsError("host", "not a host name or address")
        if (
            isinstance(self.port, bool)
            or not isinstance(self.port, int)
            or not 1 <= self.port <= 65535
        ):
            raise InvalidSiaSettingsError("port", "must be 1-65535")
        object.__setattr__(self, "account", parse_account(self.account))
        if self.key is not None and not isinstance(self.key, SiaKey):
            raise InvalidSiaSettingsError("key", "not a SiaKey")
        for name in ("receiver", "line"):
            value = getattr(self, name)
            if not isinstance(value, str) or _HEX_NUMBER.fullmatch(value) is None:
                raise InvalidSiaSettingsError(name, "must be 1-6 hex digits")
            object.__setattr__(self, name, value.upper())
        object.__setattr__(self, "protocol", SiaProtocol(self.protocol))
        object.__setattr__(self, "content", ContentFormat(self.content))
        object.__setattr__(self, "link_test", LinkTestMessage(self.link_test))
        if isinstance(self.area, bool) or not isinstance(self.area, int):
            raise InvalidSiaSettingsError("area", "must be 0-99")
        if not 0 <= self.area <= MAX_AREA:
            raise InvalidSiaSettingsError("area", "must be 0-99")
        for name in ("connect_timeout", "answer_timeout"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise InvalidSiaSettingsError(name, "must be a number of seconds")
            if value <= 0:
                raise InvalidSiaSettingsError(name, "must be positive")
        if not isinstance(self.max_restamps, int) or not 0 <= self.max_restamps <= 5:
            raise InvalidSiaSettingsError("max_restamps", "must be 0-5")
        if (
            not isinstance(self.link_test_interval, timedelta)
            or self.link_test_interval < MIN_INTERVAL
        ):
            raise InvalidSiaSettingsError(
                "link_test_interval", f"must be at least {MIN_INTERVAL}"
            )

    @property
    def encrypted(self) -> bool:
        """Return True when messages are encrypted."""
        return self.key is not None

    @property
    def endpoint(self) -> str:
        """Return ``tcp://host:port`` (or udp), safe to log."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.protocol}://{host}:{self.port}"
