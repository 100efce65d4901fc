"""Evidence uploads: each still and clip pushed, signed, to a JSON or CAP destination.

An evidence change (``Change.EVIDENCE``) queues, in the same commit as the incident change
and its ``incident.updated``, one upload per new file in the destination's *upload outbox*
(a second durable queue of the destination, id ``<destination>.evidence``, on the same
file): alarms never wait behind an upload, and an upload the receiver refuses for good is
set aside as a dead letter without holding the next one back.

The queued row holds the file's reference (:func:`upload_descriptor`), never its bytes:
the file stays in the private evidence folder. Each attempt reads it (in the executor),
checks it against the SHA-256 the manifest recorded, and POSTs to the destination's URL
followed by ``/evidence`` (:func:`upload_url`) a JSON body signed as every alert is
(Standard Webhooks; ``webhook-id`` = :func:`upload_id`, the same on every retry), which
the unmodified ``standardwebhooks`` library verifies: its fields are the reference plus
``size_bytes`` and ``content_base64`` (the file). docs/police-api.md, section 7.

Answers: 2xx delivered; 408, 409 (the receiver has not had the alert listing the file
yet), 425 and 429 retried like 5xx and network errors; any other 4xx refused for good.
A file gone (retention), changed, or larger than :data:`MAX_UPLOAD_BYTES` is set aside
without a request.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime
import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from ..change import Change, IncidentChange
from ..evidence import EvidencePath, bundle_file, mime_type
from .attempt import OutboxFormat
from .messages import encode_json
from .outcome import DELIVERED, Outcome, Verdict
from .signing import WebhookSecret
from .webhook import SignedEndpoint

UPLOAD_TYPE = "evidence.upload"
UPLOAD_VERSION = "1"
UPLOAD_SUFFIX = (
    ".evidence"  # an upload outbox's destination id: "<destination>.evidence"
)
MAX_UPLOAD_BYTES = 32 * 1024 * 1024  # a 20 s clip is a few MiB
UPLOAD_TIMEOUT = aiohttp.ClientTimeout(total=120, sock_connect=3)
RETRIED_4XX = frozenset({408, 409, 425, 429})

type Executor = Callable[[Callable[[], bytes]], Awaitable[bytes]]


def upload_id(incident_id: str, file: str) -> str:
    """Return an upload's ``webhook-id``: ``evidence/<incident>/<file>`` (signed)."""
    return f"evidence/{incident_id}/{file}"


def upload_url(url: str) -> str:
    """Return where uploads go: the destination's URL with ``/evidence`` on its path."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/evidence"))


def upload_descriptor(
    front_id: str,
    incident_id: str,
    exercise: bool,
    item: Mapping[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """Return the queued reference of one evidence file (an incident's evidence entry)."""
    file = str(item["file"])
    return {
        "version": UPLOAD_VERSION,
        "type": UPLOAD_TYPE,
        "id": upload_id(incident_id, file),
        "sent_at": now.isoformat(),
        "incident_id": incident_id,
        "front_id": front_id,
        "exercise": exercise,
        "file": file,
        "camera": str(item["camera"]),
        "kind": "clip" if item["kind"] == "clip" else "snapshot",
        "mime_type": mime_type(file) or "application/octet-stream",
        "captured_at": str(item["captured_at"]),
        "sha256": str(item["sha256"]),
    }


def uploads_for_change(
    change: IncidentChange, front_id: str, now: datetime
) -> list[dict[str, Any]]:
    """Return the uploads an evidence change queues (one per file it added)."""
    if change.change is not Change.EVIDENCE or not change.evidence:
        return []
    incident = change.incident
    return [
        upload_descriptor(front_id, incident.incident_id, incident.exercise, item, now)
        for item in change.evidence
        if "file" in item and "sha256" in item
    ]


def read_checked(base: Path, descriptor: Mapping[str, Any]) -> bytes:
    """Return the file's bytes if it is the file the manifest lists (blocking).

    Raises ``FileNotFoundError`` when it is gone or not listed, ``ValueError`` when its
    SHA-256 is not the recorded one or it is too large to upload.
    """
    path = EvidencePath.of(
        str(descriptor["front_id"]),
        str(descriptor["incident_id"]),
        str(descriptor["file"]),
    )
    file = bundle_file(base, path)
    if file.stat().st_size > MAX_UPLOAD_BYTES:
        raise ValueError("file too large to upload")
    data = file.read_bytes()
    if hashlib.sha256(data).hexdigest() != descriptor["sha256"]:
        raise ValueError("file does not match its SHA-256")
    return data


def upload_body(descriptor: Mapping[str, Any], data: bytes) -> bytes:
    """Return the signed body of an upload: the reference, its size and the file."""
    body = dict(descriptor)
    body["size_bytes"] = len(data)
    body["content_base64"] = base64.b64encode(data).decode("ascii")
    return encode_json(body)


class EvidenceUploadTransport(SignedEndpoint):
    """Signed uploads of evidence files to one destination's ``/evidence`` URL."""

    message_format = "evidence"

    def __init__(  # noqa: PLR0913  (one endpoint's whole description)
        self,
        session: aiohttp.ClientSession,
        url: str,
        secrets: Iterable[WebhookSecret],
        base: Path,
        executor: Executor,
        *,
        timeout: aiohttp.ClientTimeout = UPLOAD_TIMEOUT,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Upload files under ``base`` to ``url`` + ``/evidence``, read with ``executor``."""
        super().__init__(
            session, upload_url(url), secrets, timeout=timeout, clock=clock
        )
        self._base = base
        self._executor = executor

    def __repr__(self) -> str:
        """Show the endpoint without credentials, path or query."""
        return f"EvidenceUploadTransport({self.endpoint})"

    def render(self, message: Mapping[str, Any]) -> bytes | None:
        """Return the stored reference of an upload (None for anything else)."""
        if message.get("type") != UPLOAD_TYPE:
            return None
        return encode_json(message)

    async def attempt(self, message_id: str, body: bytes) -> Outcome:
        """Read, check and POST the file once, signed; never raises."""
        try:
            descriptor = json.loads(body)
            data = await self._executor(lambda: read_checked(self._base, descriptor))
        except FileNotFoundError, NotADirectoryError:
            return Outcome(Verdict.REFUSED, "evidence file gone")
        except (ValueError, KeyError, TypeError, OSError) as err:
            return Outcome(Verdict.REFUSED, f"evidence file not sent: {err}")
        answer = await self._post(
            message_id, upload_body(descriptor, data), OutboxFormat.JSON
        )
        status = answer.status
        if status is not None and 200 <= status < 300:
            return DELIVERED
        if status is not None and 400 <= status < 500 and status not in RETRIED_4XX:
            return Outcome(Verdict.REFUSED, answer.error)
        return Outcome(Verdict.RETRY, answer.error, answer.retry_after)
