"""The audit log: every view of personal data and every answer, with who, when and where."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from ..tiempo import to_db
from .accounts import Operator
from .db import Row, Tx

MAX_DETAIL: Final = 300


def audit(  # noqa: PLR0917
    tx: Tx, now: datetime, who: Operator | None, action: str, target: str, remote: str,
    detail: str = "", *, username: str | None = None,
) -> None:  # fmt: skip
    """Write one audit row (in the caller's transaction: it commits with what it records).

    ``detail`` never holds a secret or a password: callers pass ids and states only.
    """
    tx.run(
        "INSERT INTO audit (at, operator_id, username, action, target, detail, remote)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        to_db(now), who.id if who else None,
        (who.username if who else username or "")[:64], action, target[:200],
        detail[:MAX_DETAIL], remote[:64],
    )  # fmt: skip


def list_audit(tx: Tx, limit: int = 300) -> list[Row]:
    """Return the latest audit rows, newest first."""
    return tx.all("SELECT * FROM audit ORDER BY id DESC LIMIT ?", limit)
