"""Opening the hub database: WAL, foreign keys, and migrations applied."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from hub.store.migrations import migrate


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Open (or create) the hub database and bring its schema up to date.

    WAL lets the web server read while ingest writes; ``synchronous=NORMAL``
    keeps every committed batch through a killed process (not through a power
    cut, which would lose at most the last batches: the broker resends what
    the hub had not acknowledged only if it was not acknowledged, so the
    hub acknowledges after the commit).
    """
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(str(path))
    db.enable_wal()
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=5000")
    migrate(db)
    return db
