"""CAP 1.2 with evidence: signed links as <uri>, small stills in <derefUri>, SHA-1 <digest>."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from custom_components.mi_frente_seguro.frente.dispatch.cap import to_cap
from custom_components.mi_frente_seguro.frente.dispatch.messages import (
    MessageType,
    UpdateChange,
    build_message,
)

from .conftest import EVIDENCE, FRONT, T0, make_incident
from .contract import cap_schema, validator

STILL = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8 + b"\xff\xd9"
LINK = (
    "https://front.example.org/api/mi_frente_seguro/evidence/f/i/cam1.jpg?authSig=x.y.z"
)


def evidence_update() -> dict[str, Any]:
    """Return an evidence update whose still has a link, inline bytes and its digests."""
    message = build_message(
        MessageType.UPDATED,
        make_incident(),
        FRONT,
        T0,
        EVIDENCE,
        changes=[UpdateChange.EVIDENCE],
    )
    still, clip = message["evidence"]
    still.update(
        sha256=hashlib.sha256(STILL).hexdigest(),
        sha1=hashlib.sha1(STILL).hexdigest(),  # noqa: S324  (CAP 1.2's digest)
        size_bytes=len(STILL),
        download_url=LINK,
        download_expires_at="2026-11-27T20:00:00-05:00",
    )
    clip.update(download_url=None, download_expires_at=None)
    return message


def test_cap_with_evidence_validates_against_the_oasis_xsd() -> None:
    """Links, inline still and SHA-1 digest: still a valid CAP 1.2 alert."""
    message = evidence_update()
    message["evidence"][0]["deref_base64"] = base64.b64encode(STILL).decode()
    document = to_cap(message).decode()
    cap_schema().validate(document)
    alert = cap_schema().to_dict(document)
    still, clip = alert["info"][0]["resource"]
    assert still["uri"] == LINK  # the signed link the police can open
    assert base64.b64decode(still["derefUri"]) == STILL
    assert still["digest"] == hashlib.sha1(STILL).hexdigest()  # noqa: S324
    assert still["size"] == len(STILL)
    assert clip["uri"] == EVIDENCE[1].url  # no link: the front's own reference
    assert "derefUri" not in clip
    assert "digest" not in clip  # unknown SHA-1: left out, never a SHA-256


def test_json_with_links_still_fits_the_schema() -> None:
    """The JSON keeps SHA-256 and gains the optional link fields (schema-valid)."""
    message = evidence_update()
    errors = list(validator(strict=True).iter_errors(message))
    assert errors == []
    assert message["evidence"][0]["sha256"] == hashlib.sha256(STILL).hexdigest()
