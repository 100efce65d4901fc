"""The uplink over TLS with a client certificate, on a real Mosquitto that requires one.

Certificates are made by ``openssl`` for the test (a CA, the broker on 127.0.0.1, a front
whose certificate CN is its front id and, with ``use_identity_as_username``, its username,
so the broker's ACL can key on it). An ACL lets the front write only its alerts topic.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from pathlib import Path
import subprocess

import pytest

from custom_components.mi_frente_seguro.frente.dispatch.outcome import Verdict
from custom_components.mi_frente_seguro.frente.dispatch.signing import WebhookSecret
from custom_components.mi_frente_seguro.frente.uplink.link import (
    UplinkLink,
    tls_context,
)
from custom_components.mi_frente_seguro.frente.uplink.settings import (
    UplinkSettings,
    parse_uplink,
)
from custom_components.mi_frente_seguro.frente.uplink.transport import MqttTransport
from scripts.harness.mosquitto import Mosquitto

FRONT = "manga_calle_real"


def openssl(*args: str) -> None:
    """Run one openssl command."""
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_certificates(folder: Path) -> None:
    """Write ca, broker and front keys and certificates into ``folder``."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            "/CN=Test city CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", str(folder / "ca.key"), "-out", str(folder / "ca.pem"))  # fmt: skip
    for name, cn, extension in (("broker", "127.0.0.1", "subjectAltName=IP:127.0.0.1"),
                                ("front", FRONT, "extendedKeyUsage=clientAuth")):  # fmt: skip
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={cn}",
                "-keyout", str(folder / f"{name}.key"), "-out", str(folder / f"{name}.csr"))  # fmt: skip
        ids = "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n"
        (folder / f"{name}.ext").write_text(f"{extension}\n{ids}", encoding="utf-8")
        openssl("x509", "-req", "-in", str(folder / f"{name}.csr"), "-CA", str(folder / "ca.pem"),
                "-CAkey", str(folder / "ca.key"), "-CAcreateserial", "-days", "2",
                "-extfile", str(folder / f"{name}.ext"), "-out", str(folder / f"{name}.pem"))  # fmt: skip
        (folder / f"{name}.key").chmod(0o644)  # Mosquitto drops to its own user


class TlsMosquitto(Mosquitto):
    """Mosquitto with a TLS listener that requires a client certificate, and an ACL."""

    def _write_config(self) -> Path:
        config = super()._write_config()
        folder = self.folder
        (folder / "acl").write_text(
            "pattern write city/fronts/%u/alerts\npattern read city/fronts/%u/answers\n",
            encoding="utf-8",
        )
        text = config.read_text(encoding="utf-8").replace("allow_anonymous true\n", "")
        text += (
            f"cafile {folder}/ca.pem\ncertfile {folder}/broker.pem\nkeyfile {folder}/broker.key\n"
            "require_certificate true\nuse_identity_as_username true\n"
            f"acl_file {folder}/acl\nallow_anonymous false\n"
        )
        config.write_text(text, encoding="utf-8")
        return config


@pytest.fixture
async def tls_broker(
    socket_enabled: None, tmp_path: Path
) -> AsyncGenerator[TlsMosquitto]:
    """Run the TLS broker."""
    folder = tmp_path / "tls"
    folder.mkdir()
    make_certificates(folder)
    async with TlsMosquitto(folder) as broker:
        yield broker


def settings(broker: TlsMosquitto, **changes: object) -> UplinkSettings:
    """Return uplink settings for the TLS broker with the front's certificate."""
    folder = broker.folder
    found = parse_uplink({
        "host": "127.0.0.1", "port": broker.port, "topic_prefix": "city",
        "ca_file": str(folder / "ca.pem"), "cert_file": str(folder / "front.pem"),
        "key_file": str(folder / "front.key"), **changes,
    })  # fmt: skip
    assert found is not None
    return found


async def test_a_front_with_its_certificate_connects_and_publishes(
    tls_broker: TlsMosquitto,
) -> None:
    """TLS and a client certificate: connected; the ACL refuses another front's topic."""
    config = settings(tls_broker)
    link = UplinkLink(config, f"mfs-{FRONT}", context=tls_context(config))
    task = asyncio.get_running_loop().create_task(link.run())
    try:
        assert await link.wait_connected(15)
        secret = [WebhookSecret.generate()]
        # No console subscribed: the broker says so (0x10) and the front keeps it.
        own = MqttTransport(link, config.topics(FRONT), secret)
        assert (await own.attempt("m1", b"{}")).verdict is Verdict.RETRY
        other = MqttTransport(link, config.topics("another_front"), secret)
        refused = await other.attempt("m2", b"{}")
        assert refused.verdict is Verdict.RETRY, refused
        assert refused.error == "PUBACK reason 0x87", refused  # not authorised
    finally:
        link.stop()
        async with asyncio.timeout(10):
            await task
