"""The status update an answer is sent as (docs/police-api.md section 4): fields and JSON.

Pure (no storage, no network): :func:`answer_fields` gives the update's fields in the
contract's order, leaving out an empty unit or note and a missing ETA; :func:`answer_body`
is the compact JSON text the delivery worker signs and sends.
"""

from __future__ import annotations

import json


def answer_fields(incident_id: str, *, status: str, unit: str | None, eta: int | None,
                  note: str | None, sent_at: str) -> dict[str, object]:  # fmt: skip
    """Return the status update's fields (``version`` 1, ``sent_at`` last)."""
    body: dict[str, object] = {
        "version": "1",
        "incident_id": incident_id,
        "status": status,
    }
    if unit:
        body["unit"] = unit
    if eta is not None:
        body["eta_minutes"] = eta
    if note:
        body["note"] = note
    body["sent_at"] = sent_at
    return body


def answer_body(incident_id: str, *, status: str, unit: str, eta: int | None, note: str,
                sent_at: str) -> str:  # fmt: skip
    """Return the status update's JSON text."""
    fields = answer_fields(
        incident_id, status=status, unit=unit, eta=eta, note=note, sent_at=sent_at
    )
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
