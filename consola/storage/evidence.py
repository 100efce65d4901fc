"""Evidence files the fronts uploaded, kept in the database beside their incident.

A file is kept once per (incident, file name), bounded in size by ingest
(``consola/ingest/evidence.py``); its SHA-256 is the one the incident's messages list.
The evidence an incident shows is the union of what its messages list (a later message
about presses lists none), newest entry per file.
"""

from __future__ import annotations

from datetime import datetime
import json
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from ..tiempo import to_db
from .db import Row, Tx

if TYPE_CHECKING:
    from ..ingest.evidence import Upload

MAX_THUMBNAILS: Final = 4


def file_of(item: dict[str, Any]) -> str:
    """Return the file name an evidence entry of a message names (its URL's last part)."""
    url = item.get("url")
    if not isinstance(url, str):
        return ""
    return urlsplit(url).path.rsplit("/", 1)[-1]


def listed_evidence(tx: Tx, incident_pk: int) -> dict[str, dict[str, Any]]:
    """Return the evidence entries the incident's messages list, by file name."""
    found: dict[str, dict[str, Any]] = {}
    rows = tx.all(
        "SELECT body FROM messages WHERE incident_pk = ? ORDER BY sent_at, message_id",
        incident_pk,
    )
    for row in rows:
        body = json.loads(row["body"])
        for item in body.get("evidence") or []:
            if isinstance(item, dict) and (name := file_of(item)):
                found[name] = item
    return found


def listed_sha256(
    tx: Tx, front_id: str, incident_id: str, file: str
) -> tuple[int, str] | None:
    """Return (incident pk, listed SHA-256) of a file, or None when it is not listed yet."""
    row = tx.one(
        "SELECT id FROM incidents WHERE front_id = ? AND incident_id = ?",
        front_id, incident_id,
    )  # fmt: skip
    if row is None:
        return None
    item = listed_evidence(tx, int(row["id"])).get(file)
    if item is None or not isinstance(item.get("sha256"), str):
        return None
    return int(row["id"]), str(item["sha256"])


def store_evidence(tx: Tx, incident_pk: int, upload: Upload, now: datetime) -> bool:
    """Keep an uploaded file; return False when it was kept before."""
    inserted = tx.run(
        "INSERT INTO evidence (incident_pk, file, sha256, mime_type, kind, camera,"
        " size_bytes, content, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (incident_pk, file) DO NOTHING",
        incident_pk, upload.file, upload.sha256, upload.mime_type, upload.kind,
        upload.camera[:80], len(upload.content), upload.content, to_db(now),
    )  # fmt: skip
    return inserted == 1


def stored_files(tx: Tx, incident_pk: int) -> dict[str, Row]:
    """Return the kept files of an incident (without their bytes), by file name."""
    rows = tx.all(
        "SELECT file, sha256, mime_type, kind, size_bytes FROM evidence"
        " WHERE incident_pk = ? ORDER BY file",
        incident_pk,
    )
    return {str(row["file"]): row for row in rows}


def kept_stills(tx: Tx, incident_pk: int) -> tuple[str, ...]:
    """Return the names of an incident's kept stills (the live screen's thumbnails)."""
    rows = tx.all(
        "SELECT file FROM evidence WHERE incident_pk = ? AND kind <> 'clip'"
        " ORDER BY file LIMIT ?",
        incident_pk, MAX_THUMBNAILS,
    )  # fmt: skip
    return tuple(str(row["file"]) for row in rows)


def evidence_file(tx: Tx, incident_pk: int, file: str) -> Row | None:
    """Return one kept file with its bytes, or None."""
    return tx.one(
        "SELECT file, sha256, mime_type, content FROM evidence"
        " WHERE incident_pk = ? AND file = ?",
        incident_pk, file,
    )  # fmt: skip


def evidence_rows(tx: Tx, incident_pk: int) -> list[dict[str, Any]]:
    """Return what the incident page shows: each listed file, and whether it is kept."""
    kept = stored_files(tx, incident_pk)
    return [
        {
            "file": name,
            "camera": str(item.get("camera", "")),
            "kind": "clip" if item.get("kind") == "clip" else "snapshot",
            "captured_at": item.get("captured_at"),
            "sha256": str(item.get("sha256", "")),
            "kept": name in kept,
        }
        for name, item in sorted(listed_evidence(tx, incident_pk).items())
    ]
