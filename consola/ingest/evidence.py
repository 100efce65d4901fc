"""Evidence uploads: ``POST /alerts/<front_id>/evidence`` (docs/police-api.md, section 7).

Each upload passes, in order: size (:data:`MAX_UPLOAD_BODY`), the signature headers, a
registered active front, the Standard Webhooks signature verified with the unmodified
``standardwebhooks`` library (the same :func:`~.signature.verify` as alerts), the body
read as hostile JSON and checked against ``$defs/evidenceUpload`` of the schema, the
``webhook-id`` equal to ``evidence/<incident_id>/<file>``, the decoded file no larger than
:data:`MAX_FILE_BYTES`, its SHA-256 equal to the body's, then to the SHA-256 that the
incident's messages list for that file. Only then is it stored (bounded), and 200 is
answered after the commit.

Answers: ``200`` stored or already stored; ``401`` unknown front or bad signature; ``409``
the incident, or the file in its evidence, is not known yet (the front retries: its
evidence update may still be on its way); ``413`` too large; ``422`` outside the
contract or a digest that does not match; ``503`` the database is down.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
import hashlib
from typing import Any, Final

from ..storage.db import Database, StorageError, Tx
from ..storage.evidence import listed_sha256, store_evidence
from ..storage.fronts import get_front
from ..tiempo import Clock
from .envelope import HTTP_STATUS, Verdict
from .message import BodyError, Json, check_schema, read_json
from .signature import HEADER_ID, headers_too_long, lower_headers, verify

MAX_FILE_BYTES: Final = 16 * 1024 * 1024
MAX_UPLOAD_BODY: Final = MAX_FILE_BYTES * 4 // 3 + 64 * 1024  # base64 and the fields


class UploadRefusal(StrEnum):
    """The refusals only an upload has (the others are ingest's :class:`~.envelope.Verdict`)."""

    NOT_YET = "not_yet"  # the incident or its file is not known here yet
    DIGEST_MISMATCH = "digest_mismatch"


type UploadVerdict = Verdict | UploadRefusal  # what became of an upload

# Shared verdicts answer as an alert's do (envelope.HTTP_STATUS); an upload is never
# ``unsupported`` (no content type is read) nor ``wrong_front`` (that is ``malformed``).
UPLOAD_STATUS: Final[dict[UploadVerdict, int]] = dict(
    [
        *HTTP_STATUS.items(),
        (UploadRefusal.NOT_YET, 409),
        (UploadRefusal.DIGEST_MISMATCH, 422),
    ]
)


@dataclass(frozen=True, slots=True)
class Upload:
    """A checked upload: whose file it is, what it is, and its bytes."""

    front_id: str
    incident_id: str
    file: str
    camera: str
    kind: str
    mime_type: str
    sha256: str
    content: bytes


def check_upload(value: Json, webhook_id: str) -> Upload:
    """Return the checked upload; raise :class:`BodyError` (``TooLargeError`` too big)."""
    check_schema(value, "evidenceUpload", "upload")
    expected = f"evidence/{value['incident_id']}/{value['file']}"
    if value["id"] != webhook_id or webhook_id != expected:
        raise BodyError("id differs from webhook-id")
    try:
        content = base64.b64decode(value["content_base64"], validate=True)
    except (binascii.Error, ValueError) as err:
        raise BodyError("content is not base64") from err
    if len(content) > MAX_FILE_BYTES:
        raise TooLargeError
    if len(content) != value["size_bytes"]:
        raise BodyError("size differs from content")
    if hashlib.sha256(content).hexdigest() != value["sha256"]:
        raise BodyError("sha256 differs from content")
    return Upload(
        front_id=value["front_id"],
        incident_id=value["incident_id"],
        file=value["file"],
        camera=value["camera"],
        kind=value["kind"],
        mime_type=_mime(value["file"], value["kind"]),
        sha256=value["sha256"],
        content=content,
    )


class TooLargeError(BodyError):
    """The decoded file is larger than the console keeps."""


def _mime(file: str, kind: str) -> str:
    """Return the type the console serves a file as (never the sender's word)."""
    if kind == "clip" or file.lower().endswith(".mp4"):
        return "video/mp4"
    return "image/jpeg"


class EvidenceIngest:
    """Takes evidence uploads into the database."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        on_stored: Callable[[int], None] | None = None,
    ) -> None:
        """Store in ``db``, stamp with ``clock``; tell ``on_stored`` each new file's incident."""
        self.db = db
        self.clock = clock
        self.on_stored = on_stored

    async def ingest(  # noqa: PLR0911  (one answer per check, in order)
        self, front_id: str | None, headers: dict[str, str], body: bytes, oversize: bool
    ) -> UploadVerdict:
        """Check and store one upload; return what to answer."""
        lowered = lower_headers(headers)
        if headers_too_long(lowered):
            return Verdict.HEADERS_TOO_LONG
        if oversize or len(body) > MAX_UPLOAD_BODY:
            return Verdict.TOO_LARGE
        try:
            value: dict[str, Any] = read_json(body)
        except BodyError:
            value = {}
        front_id = front_id or _claimed(value)
        if not front_id:
            return Verdict.UNKNOWN_FRONT
        try:
            front = await self.db.tx(lambda tx: get_front(tx, front_id))
        except StorageError:
            return Verdict.UNAVAILABLE
        if front is None or not front.active or not front.secrets:
            return Verdict.UNKNOWN_FRONT
        if not verify(body, lowered, (secret for _, secret in front.secrets)):
            return Verdict.BAD_SIGNATURE
        try:
            upload = check_upload(value, lowered[HEADER_ID])
        except TooLargeError:
            return Verdict.TOO_LARGE
        except BodyError:
            return Verdict.MALFORMED
        if upload.front_id != front_id:
            return Verdict.MALFORMED
        try:
            verdict, incident_pk = await self.db.tx(lambda tx: self._store(tx, upload))
        except StorageError:
            return Verdict.UNAVAILABLE
        if verdict is Verdict.STORED and self.on_stored is not None:
            self.on_stored(incident_pk)  # the live screens show its thumbnail
        return verdict

    def _store(self, tx: Tx, upload: Upload) -> tuple[UploadVerdict, int]:
        listed = listed_sha256(tx, upload.front_id, upload.incident_id, upload.file)
        if listed is None:
            return UploadRefusal.NOT_YET, 0
        incident_pk, sha256 = listed
        if sha256 != upload.sha256:
            return UploadRefusal.DIGEST_MISMATCH, incident_pk
        new = store_evidence(tx, incident_pk, upload, self.clock())
        verdict = Verdict.STORED if new else Verdict.DUPLICATE
        return verdict, incident_pk


def _claimed(value: Json) -> str | None:
    front_id = value.get("front_id")
    return front_id if isinstance(front_id, str) else None
