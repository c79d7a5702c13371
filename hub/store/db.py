"""Opening the hub database: WAL, foreign keys, durability, and migrations applied."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import sqlite_utils

from hub.store.migrations import migrate

Synchronous = Literal["NORMAL", "FULL"]

#: How long a command-line tool (an import, a purge) waits for the hub's write lock, ms.
TOOL_BUSY_TIMEOUT_MS = 5000


def open_database(
    path: str | Path, *, synchronous: Synchronous = "NORMAL", busy_timeout_ms: int = TOOL_BUSY_TIMEOUT_MS
) -> sqlite_utils.Database:
    """Open (or create) the hub database and bring its schema up to date.

    WAL lets the web server read while ingest writes. ``synchronous=NORMAL``
    keeps every committed batch through a killed process, not through a power
    cut: the last batches committed before the cut may be gone although the
    hub acknowledged them to the broker. ``FULL`` syncs the WAL at every
    commit, so an acknowledged batch survives a power cut too
    (docs/operations.md weighs the cost).

    ``busy_timeout_ms`` is how long one statement waits, blocking its thread,
    for a write lock held by another process. Migrations wait the tools' 5 s;
    the running hub then asks for a short wait (its single thread is the event
    loop, which must keep answering) and backs off asynchronously instead.
    """
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(str(path))
    db.enable_wal()
    db.execute(f"PRAGMA synchronous={'FULL' if synchronous == 'FULL' else 'NORMAL'}")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute(f"PRAGMA busy_timeout={TOOL_BUSY_TIMEOUT_MS}")
    migrate(db)
    db.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    return db
