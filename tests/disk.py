"""A front's file made full for real: SQLite's page limit, with every page filled.

``PRAGMA max_page_count`` stops the file from growing, as a full disk does; the file's free
pages and the free room inside the pages of every table are then filled with rows the
integration never reads (an outbox status, an ``is_open`` value and keys it never asks
for). From then on every write that needs room fails with ``SQLITE_FULL``, exactly as on a
full disk; :func:`make_room` lifts the limit (the filler rows stay, unseen).

Run both on the committer's own connection (``await committer.run(fill_up)``): the page
limit belongs to a connection.
"""

from __future__ import annotations

import sqlite3

SIZES = (4096, 1024, 256, 64, 16, 1)  # filler sizes, largest first, to fill every gap
NO_LIMIT = 1_073_741_823


def fill_up(db: sqlite3.Connection) -> None:
    """Fill the file to a page limit at its current size."""
    (pages,) = db.execute("PRAGMA page_count").fetchone()
    db.execute(f"PRAGMA max_page_count = {pages}")
    (last,) = db.execute(
        "SELECT coalesce(max(incident_id), '') FROM incidents"
    ).fetchone()
    fillers = [
        # What the integration never reads: an outbox status, an incident state, presses
        # and replay ids of no incident or update, sorted next to where new rows go.
        ("INSERT INTO outbox (message_id, incident_id, type, exercise, body, enqueued_at, "
         "status) VALUES ('filler-' || :n, 'filler', 'filler', 0, zeroblob(:size), 0, 'filler')"),
        ("INSERT INTO incidents (incident_id, is_open, body) "
         "VALUES (:last || '~' || :n, 2, zeroblob(:size))"),
        ("INSERT INTO presses (incident_id, n, body) VALUES (:last || '~', :n, zeroblob(:size))"),
        ("INSERT INTO seen_webhooks (webhook_id, expires_at) VALUES "
         "(char(33 + (:n % 94)) || printf('%08d', :n) || substr(hex(zeroblob(:size)), 1, :size), "
         "1e18)"),
    ]  # fmt: skip
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    fillers = [
        sql for sql in fillers if sql.split()[2] in tables
    ]  # INSERT INTO <table>
    n = 0
    db.execute("PRAGMA synchronous = OFF")  # one small transaction a row: no fsync each
    try:
        for size in SIZES:
            for sql in fillers:
                while True:
                    n += 1
                    try:
                        db.execute(sql, {"n": n, "size": size, "last": last})
                    except sqlite3.OperationalError as err:
                        if err.sqlite_errorname != "SQLITE_FULL":
                            raise
                        break
    finally:
        db.execute("PRAGMA synchronous = FULL")


def make_room(db: sqlite3.Connection) -> None:
    """Let the file grow again (space came back)."""
    db.execute(f"PRAGMA max_page_count = {NO_LIMIT}")
