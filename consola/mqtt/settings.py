"""The console's city-broker settings: ``--mqtt`` URL, TLS files and the instance's id.

``mqtt://`` or ``mqtts://``, ``[user[:password]@]host[:port]/prefix``; the prefix is the
city's topic prefix (``A-Z a-z 0-9 _ -`` levels joined by ``/``, no wildcards). The
password never appears in a repr or in :meth:`MqttSettings.shown`. Anything else is a
:class:`ValueError` with a message safe to print.
"""

from __future__ import annotations

from dataclasses import dataclass
import re
import ssl
from typing import Final
from urllib.parse import unquote, urlsplit

PREFIX: Final = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*")
CLIENT_ID: Final = re.compile(r"[A-Za-z0-9_.-]{1,64}")
FRONT_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,100}")
GROUP: Final = "consola"
MAX_URL: Final = 2048


@dataclass(frozen=True, slots=True)
class MqttSettings:
    """Where the city broker is, how this instance logs in, and the city's prefix."""

    host: str
    port: int
    tls: bool
    prefix: str
    client_id: str
    username: str | None = None
    password: str | None = None
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None

    def __repr__(self) -> str:
        """Describe the broker without the password."""
        return f"MqttSettings({self.shown()}, client_id={self.client_id!r})"

    def shown(self) -> str:
        """Return the URL without the password (for logs and the console's banner)."""
        user = f"{self.username}@" if self.username else ""
        scheme = "mqtts" if self.tls else "mqtt"
        return f"{scheme}://{user}{self.host}:{self.port}/{self.prefix}"

    @property
    def subscription(self) -> str:
        """Return the shared subscription every instance joins."""
        return f"$share/{GROUP}/{self.prefix}/fronts/+/alerts"

    def answers_topic(self, front_id: str) -> str:
        """Return the answers topic of ``front_id`` (a registered, checked id)."""
        if not FRONT_ID.fullmatch(front_id):
            raise ValueError("front id cannot be a topic level")
        return f"{self.prefix}/fronts/{front_id}/answers"

    def front_of(self, topic: str) -> str | None:
        """Return the front id of an alerts topic, or None for any other topic."""
        head = f"{self.prefix}/fronts/"
        if not topic.startswith(head) or not topic.endswith("/alerts"):
            return None
        front_id = topic[len(head) : -len("/alerts")]
        return front_id if FRONT_ID.fullmatch(front_id) else None

    def tls_context(self) -> ssl.SSLContext | None:
        """Return the TLS context (reads the files: call it before serving)."""
        if not self.tls:
            return None
        context = ssl.create_default_context(cafile=self.ca_file)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.cert_file and self.key_file:
            context.load_cert_chain(self.cert_file, self.key_file)
        return context


def parse_mqtt(  # noqa: PLR0913  (the URL and the options that go with it)
    url: str,
    client_id: str,
    *,
    ca_file: str | None = None,
    cert_file: str | None = None,
    key_file: str | None = None,
) -> MqttSettings:
    """Return the checked settings, or raise ValueError (its message has no password)."""
    if len(url) > MAX_URL or not url.isprintable() or "#" in url or "?" in url:
        raise ValueError("--mqtt: not a URL")
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts"):
        raise ValueError("--mqtt: mqtt:// or mqtts://")
    try:
        port = parts.port
        if port is None:
            port = 8883 if parts.scheme == "mqtts" else 1883
    except ValueError as err:
        raise ValueError("--mqtt: the port is 1-65535") from err
    host = parts.hostname or ""
    if not host or port < 1:
        raise ValueError("--mqtt: a host is needed")
    prefix = parts.path.strip("/")
    if (
        not PREFIX.fullmatch(prefix)
        or len(prefix) > 64
        or parts.query
        or parts.fragment
    ):  # noqa: PLR2004
        raise ValueError("--mqtt: the city's topic prefix, e.g. mqtts://host/cartagena")
    if not CLIENT_ID.fullmatch(client_id):
        raise ValueError("--mqtt-id: 1-64 characters A-Z a-z 0-9 _ . -")
    tls = parts.scheme == "mqtts"
    if (cert_file is None) != (key_file is None):
        raise ValueError("--mqtt-cert and --mqtt-key go together")
    if not tls and (ca_file or cert_file):
        raise ValueError("TLS files need mqtts://")
    return MqttSettings(
        host=host, port=port, tls=tls, prefix=prefix, client_id=client_id,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        ca_file=ca_file, cert_file=cert_file, key_file=key_file,
    )  # fmt: skip
