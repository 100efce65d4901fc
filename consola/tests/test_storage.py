"""Storage on real SQLite and PostgreSQL: one schema, migrations, durability, dedupe."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consola.ingest.message import check_message
from consola.storage.accounts import (
    ACCOUNT_LIMIT,
    THROTTLE_WINDOW,
    clear_failures,
    create_operator,
    credentials,
    record_failure,
    throttle_wait,
)
from consola.storage.db import Database, StorageError, Tx, open_database
from consola.storage.fronts import get_front, list_fronts, remove_secret, set_active
from consola.storage.incidents import (
    DuplicateMessageError,
    recent_incidents,
    store_message,
)
from consola.storage.schema import SCHEMA_VERSION, current_version
from consola.tiempo import utc_now

from .conftest import seed
from .helpers import FRONT_ID, alert, new_secret


def test_migrations_once_and_versioned(db_url: str) -> None:
    """Opening twice migrates once; the version is recorded."""
    for _ in range(2):
        database = open_database(db_url)
        assert database.tx_sync(current_version) == SCHEMA_VERSION
        database.close()


def test_newer_schema_is_refused(db_url: str) -> None:
    """A database written by a newer console is not touched."""
    database = open_database(db_url)
    database.tx_sync(
        lambda tx: tx.run("INSERT INTO schema_version (version) VALUES (?)", 99)
    )
    database.close()
    with pytest.raises(StorageError, match="newer"):
        open_database(db_url)


def test_commit_survives_reopen_and_failure_rolls_back(db_url: str) -> None:
    """What a transaction committed is there after reopening; a failed one left nothing."""
    database = open_database(db_url)
    now = utc_now()
    database.tx_sync(
        lambda tx: create_operator(tx, "ana", "Ana", "supervisor", "h", now=now)
    )

    def half(tx: Tx) -> None:
        create_operator(tx, "luis", "Luis", "operator", "h", now=now)
        raise RuntimeError

    with pytest.raises(RuntimeError):
        database.tx_sync(half)
    with pytest.raises(StorageError):  # the backend's own error leaves as StorageError
        database.tx_sync(lambda tx: tx.run("INSERT INTO nowhere VALUES (1)"))
    database.close()
    again = open_database(db_url)
    assert again.tx_sync(lambda tx: credentials(tx, "ana")) is not None
    assert again.tx_sync(lambda tx: credentials(tx, "luis")) is None
    again.close()


async def test_async_transactions_share_the_pool(db: Database) -> None:
    """Transactions from the event loop run in the pool's threads."""
    assert (await db.tx(lambda tx: tx.one("SELECT 1 AS one"))) == {"one": 1}


def test_messages_dedupe_and_newest_snapshot(db: Database) -> None:
    """The same message twice is a duplicate; an older message never replaces the newer."""
    seed(db, secret=new_secret(), webhook_url="")
    now = utc_now()
    first = check_message(alert(), "01JDR6Q7ZMB1H2J3K4N5P6Q7R8")
    later = check_message(
        alert(
            id="01JDR6Q7ZMB1H2J3K4N5P6Q7R9",
            type="incident.updated",
            changes=["kind"],
            kind="silent",
            sent_at="2026-11-26T20:00:05-05:00",
        ),  # fmt: skip
        "01JDR6Q7ZMB1H2J3K4N5P6Q7R9",
    )
    older = check_message(
        alert(id="01JDR6Q7ZMB1H2J3K4N5P6Q7RA", sent_at="2026-11-26T19:59:59-05:00"),
        "01JDR6Q7ZMB1H2J3K4N5P6Q7RA",
    )
    row, new, _ = db.tx_sync(lambda tx: store_message(tx, first, "http", now))
    assert new
    with pytest.raises(DuplicateMessageError):
        db.tx_sync(lambda tx: store_message(tx, first, "http", now))
    row2, new2, previous = db.tx_sync(lambda tx: store_message(tx, later, "http", now))
    assert (row2["id"], new2, previous, row2["kind"]) == (
        row["id"],
        False,
        "panic",
        "silent",
    )
    row3, _, _ = db.tx_sync(lambda tx: store_message(tx, older, "http", now))
    assert row3["kind"] == "silent"
    listed = db.tx_sync(lambda tx: recent_incidents(tx, None, now - timedelta(hours=1)))
    assert [item["id"] for item in listed] == [row["id"]]
    assert (
        db.tx_sync(lambda tx: recent_incidents(tx, "OTHER", now - timedelta(hours=1)))
        == []
    )
    count = db.tx_sync(lambda tx: tx.one("SELECT COUNT(*) AS n FROM messages"))
    assert count == {"n": 3}


def test_throttle_per_account_and_address(db: Database) -> None:
    """After the limit the account waits out the window; a good login clears the account."""
    now = utc_now()
    for _ in range(ACCOUNT_LIMIT):
        assert db.tx_sync(lambda tx: throttle_wait(tx, "ana", "10.0.0.1", now)) is None
        db.tx_sync(lambda tx: record_failure(tx, "ana", "127.0.0.2", now))
    wait = db.tx_sync(lambda tx: throttle_wait(tx, "ana", "127.0.0.3", now))
    assert wait == THROTTLE_WINDOW
    later = now + THROTTLE_WINDOW
    assert db.tx_sync(lambda tx: throttle_wait(tx, "ana", "127.0.0.3", later)) is None
    db.tx_sync(lambda tx: clear_failures(tx, "ana"))
    assert db.tx_sync(lambda tx: throttle_wait(tx, "ana", "127.0.0.3", now)) is None


def test_front_registry_secrets(db: Database) -> None:
    """A front keeps its secrets; its last secret cannot be removed; it can be deactivated."""
    secret = new_secret()
    seed(db, secret=secret, webhook_url="http://127.0.0.1:1/api/webhook/x")
    front = db.tx_sync(lambda tx: get_front(tx, FRONT_ID))
    assert front is not None and [s for _, s in front.secrets] == [secret]
    assert not db.tx_sync(lambda tx: remove_secret(tx, FRONT_ID, front.secrets[0][0]))
    assert db.tx_sync(lambda tx: set_active(tx, FRONT_ID, False, utc_now()))
    assert not db.tx_sync(list_fronts)[0].active
