"""A front's city-broker settings (the options' ``city_uplink``), checked at the door.

:func:`parse_uplink` reads a mapping anyone could have written (a hand-edited entry, a
restored backup): unknown keys, wrong types, control characters, ports out of range, a
topic prefix with MQTT wildcards or a client key without its certificate are refused with
an :class:`InvalidUplinkError` naming the field and the reason; nothing half-checked is
returned. The password never appears in a repr.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import re
from typing import Any, Final

from ..front import InvalidFrontError
from ..text import text_problem

SETTINGS_KEY: Final = "city_uplink"
DEFAULT_PORT: Final = 8883
MAX_HOST: Final = 253
MAX_PATH: Final = 4096
MAX_CREDENTIAL: Final = 256
KEEPALIVE_RANGE: Final = (10, 3600)
DEFAULT_KEEPALIVE: Final = 60
PREFIX: Final = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*")
MAX_PREFIX: Final = 64
TOPIC_FRONT_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,100}")
KEYS: Final = frozenset(
    {"host", "port", "tls", "ca_file", "cert_file", "key_file", "username",
     "password", "topic_prefix", "keepalive"}
)  # fmt: skip


class InvalidUplinkError(InvalidFrontError):
    """The ``city_uplink`` settings are not valid; ``field`` names the culprit."""


@dataclass(frozen=True, slots=True)
class UplinkTopics:
    """The two topics of one front (docs/city-uplink.md)."""

    alerts: str
    answers: str

    @classmethod
    def build(cls, prefix: str, front_id: str) -> UplinkTopics:
        """Return the topics of ``front_id`` under ``prefix`` (both already checked)."""
        base = f"{prefix}/fronts/{front_id}"
        return cls(alerts=f"{base}/alerts", answers=f"{base}/answers")


@dataclass(frozen=True, slots=True)
class UplinkSettings:
    """Where the city broker is and how to log in. ``password`` never shows in a repr."""

    host: str
    port: int
    tls: bool
    topic_prefix: str
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    username: str | None = None
    password: str | None = None
    keepalive: int = DEFAULT_KEEPALIVE

    def __repr__(self) -> str:
        """Describe the link without the password."""
        return (
            f"UplinkSettings(host={self.host!r}, port={self.port}, tls={self.tls}, "
            f"prefix={self.topic_prefix!r}, username={self.username!r}, "
            f"client_cert={self.cert_file is not None})"
        )

    @property
    def endpoint(self) -> str:
        """Return ``mqtt(s)://host:port/prefix``, safe to log."""
        scheme = "mqtts" if self.tls else "mqtt"
        return f"{scheme}://{self.host}:{self.port}/{self.topic_prefix}"

    def topics(self, front_id: str) -> UplinkTopics:
        """Return the topics of ``front_id``; raise InvalidUplinkError if it cannot be one."""
        if not isinstance(front_id, str) or not TOPIC_FRONT_ID.fullmatch(front_id):
            raise InvalidUplinkError("front_id", "invalid_topic")
        return UplinkTopics.build(self.topic_prefix, front_id)


def _fail(key: str, reason: str) -> InvalidUplinkError:
    return InvalidUplinkError(f"{SETTINGS_KEY}.{key}", reason)


def _text(raw: Mapping[str, Any], key: str, limit: int) -> str | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _fail(key, "not_text")
    if text_problem(value) is not None or value != value.strip():
        raise _fail(key, "invalid_text")
    if len(value) > limit:
        raise _fail(key, "too_long")
    return value


def _int(raw: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(key, "not_integer")
    if not low <= value <= high:
        raise _fail(key, "out_of_range")
    return value


def parse_uplink(raw: object) -> UplinkSettings | None:
    """Return the checked settings in ``raw`` (None when absent or empty)."""
    if raw is None or raw == {}:
        return None
    if not isinstance(raw, Mapping):
        raise InvalidUplinkError(SETTINGS_KEY, "not_mapping")
    for key in raw:
        if not isinstance(key, str) or key not in KEYS:
            raise InvalidUplinkError(SETTINGS_KEY, "unknown_key")
    host = _text(raw, "host", MAX_HOST)
    if host is None or any(char in host for char in " /@?#[]"):
        raise _fail("host", "invalid_host")
    tls = raw.get("tls", True)
    if not isinstance(tls, bool):
        raise _fail("tls", "not_boolean")
    prefix = _text(raw, "topic_prefix", MAX_PREFIX)
    if prefix is None or not PREFIX.fullmatch(prefix):
        raise _fail("topic_prefix", "invalid_topic")
    paths = {
        key: _text(raw, key, MAX_PATH) for key in ("ca_file", "cert_file", "key_file")
    }
    if (paths["cert_file"] is None) != (paths["key_file"] is None):
        raise _fail("key_file", "cert_and_key")
    if not tls and any(paths.values()):
        raise _fail("tls", "files_need_tls")
    username = _text(raw, "username", MAX_CREDENTIAL)
    password = _text(raw, "password", MAX_CREDENTIAL)
    if password is not None and username is None:
        raise _fail("username", "password_needs_username")
    return UplinkSettings(
        host=host,
        port=_int(raw, "port", DEFAULT_PORT, 1, 65535),
        tls=tls,
        topic_prefix=prefix,
        ca_file=paths["ca_file"],
        cert_file=paths["cert_file"],
        key_file=paths["key_file"],
        username=username,
        password=password,
        keepalive=_int(raw, "keepalive", DEFAULT_KEEPALIVE, *KEEPALIVE_RANGE),
    )
