"""Operators, their server-side sessions and the login throttle, as queries of a Tx."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import hashlib
import secrets
from typing import Final, Literal

from ..tiempo import from_db, to_db
from .db import Row, Tx

type Role = Literal["operator", "supervisor"]
ROLES: Final[tuple[Role, ...]] = ("operator", "supervisor")

SESSION_IDLE: Final = timedelta(hours=8)
SESSION_MAX: Final = timedelta(hours=12)  # one shift
SEEN_EVERY: Final = timedelta(minutes=1)  # seen_at is written at most this often

THROTTLE_WINDOW: Final = timedelta(minutes=15)
ACCOUNT_LIMIT: Final = 5  # failures per account in the window
ADDRESS_LIMIT: Final = 20  # failures per address in the window


@dataclass(frozen=True, slots=True)
class Operator:
    """A police operator or supervisor."""

    id: int
    username: str
    display_name: str
    role: Role
    active: bool

    @property
    def supervisor(self) -> bool:
        """Return True for supervisors."""
        return self.role == "supervisor"


@dataclass(frozen=True, slots=True)
class Session:
    """A logged-in operator and the CSRF token of the session."""

    operator: Operator
    csrf: str
    token_hash: str


def _operator(row: Row) -> Operator:
    role: Role = "supervisor" if row["role"] == "supervisor" else "operator"
    return Operator(
        int(row["id"]), row["username"], row["display_name"], role, bool(row["active"])
    )


def token_hash(token: str) -> str:
    """Return what the database keeps of a session token (never the token itself)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_operator(
    tx: Tx,
    username: str,
    display_name: str,
    role: Role,
    password_hash: str,
    *,
    now: datetime,
) -> Operator | None:
    """Add an operator; return None when the username is taken."""
    if tx.one("SELECT id FROM operators WHERE username = ?", username):
        return None
    row = tx.one(
        "INSERT INTO operators (username, display_name, role, password_hash, active,"
        " created_at) VALUES (?, ?, ?, ?, 1, ?) RETURNING *",
        username, display_name, role, password_hash, to_db(now),
    )  # fmt: skip
    assert row is not None
    return _operator(row)


def credentials(tx: Tx, username: str) -> tuple[Operator, str] | None:
    """Return an active operator and their password hash, or None."""
    row = tx.one("SELECT * FROM operators WHERE username = ? AND active = 1", username)
    return (_operator(row), str(row["password_hash"])) if row else None


def list_operators(tx: Tx) -> list[Operator]:
    """Return every operator, by username."""
    return [
        _operator(row) for row in tx.all("SELECT * FROM operators ORDER BY username")
    ]


def count_supervisors(tx: Tx) -> int:
    """Return how many active supervisors exist."""
    row = tx.one(
        "SELECT COUNT(*) AS n FROM operators WHERE role = 'supervisor' AND active = 1"
    )
    return int(row["n"]) if row else 0


def create_session(
    tx: Tx, operator: Operator, remote: str, now: datetime
) -> tuple[str, str]:
    """Start a session; return its token (for the cookie only) and its CSRF token."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    tx.run(
        "INSERT INTO sessions (token_hash, operator_id, csrf, created_at, seen_at, remote)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        token_hash(token), operator.id, csrf, to_db(now), to_db(now), remote[:64],
    )  # fmt: skip
    return token, csrf


def load_session(tx: Tx, token: str, now: datetime) -> Session | None:
    """Return the live session of ``token`` (and note the visit), else None."""
    hashed = token_hash(token)
    row = tx.one(
        "SELECT s.csrf, s.created_at, s.seen_at, o.* FROM sessions s"
        " JOIN operators o ON o.id = s.operator_id WHERE s.token_hash = ?",
        hashed,
    )
    if row is None:
        return None
    seen = from_db(row["seen_at"])
    if (
        not row["active"]
        or now - from_db(row["created_at"]) > SESSION_MAX
        or now - seen > SESSION_IDLE
    ):
        tx.run("DELETE FROM sessions WHERE token_hash = ?", hashed)
        return None
    if now - seen > SEEN_EVERY:
        tx.run(
            "UPDATE sessions SET seen_at = ? WHERE token_hash = ?", to_db(now), hashed
        )
    return Session(_operator(row), str(row["csrf"]), hashed)


def end_session(tx: Tx, hashed: str) -> None:
    """End a session (logout)."""
    tx.run("DELETE FROM sessions WHERE token_hash = ?", hashed)


def end_expired_sessions(tx: Tx, now: datetime) -> int:
    """Delete sessions past their idle or absolute limit; return how many."""
    return tx.run(
        "DELETE FROM sessions WHERE seen_at < ? OR created_at < ?",
        to_db(now - SESSION_IDLE), to_db(now - SESSION_MAX),
    )  # fmt: skip


def _failures(tx: Tx, scope: str, subject: str, now: datetime) -> int:
    row = tx.one(
        "SELECT failures, first_at FROM login_failures WHERE scope = ? AND subject = ?",
        scope, subject,
    )  # fmt: skip
    if row is None or now - from_db(row["first_at"]) >= THROTTLE_WINDOW:
        return 0
    return int(row["failures"])


def throttle_wait(
    tx: Tx, username: str, remote: str, now: datetime
) -> timedelta | None:
    """Return how long logins for ``username`` or from ``remote`` must wait, or None."""
    waits = []
    for scope, subject, limit in (
        ("account", username, ACCOUNT_LIMIT),
        ("address", remote, ADDRESS_LIMIT),
    ):
        if _failures(tx, scope, subject, now) >= limit:
            row = tx.one(
                "SELECT first_at FROM login_failures WHERE scope = ? AND subject = ?",
                scope, subject,
            )  # fmt: skip
            assert row is not None
            waits.append(from_db(row["first_at"]) + THROTTLE_WINDOW - now)
    return max(waits) if waits else None


def record_failure(tx: Tx, username: str, remote: str, now: datetime) -> None:
    """Count one failed login against the account and the address."""
    tx.run(
        "DELETE FROM login_failures WHERE first_at < ?", to_db(now - THROTTLE_WINDOW)
    )
    for scope, subject in (("account", username), ("address", remote)):
        tx.run(
            "INSERT INTO login_failures (scope, subject, failures, first_at) VALUES (?, ?, 1, ?)"
            " ON CONFLICT (scope, subject) DO UPDATE SET failures = login_failures.failures + 1",
            scope, subject, to_db(now),
        )  # fmt: skip


def clear_failures(tx: Tx, username: str) -> None:
    """Forget the account's failures after a good login (the address keeps its count)."""
    tx.run(
        "DELETE FROM login_failures WHERE scope = 'account' AND subject = ?", username
    )
