"""Which database errors hold messages back (the store's fault) and which dead-letter them (the data's fault)."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest

from comptoir.link import StoreUnavailable
from hub.store import unavailable_reason
from hub.store.errors import raise_if_unavailable


def _error(run) -> sqlite3.Error:  # type: ignore[no-untyped-def]
    with pytest.raises(sqlite3.Error) as caught:
        run()
    return caught.value


def test_a_read_only_or_locked_database_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE t (x INTEGER)")
        db.commit()
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as ro:
        reason = unavailable_reason(_error(lambda: ro.execute("INSERT INTO t VALUES (1)")))
    assert reason is not None and reason.startswith("SQLITE_READONLY")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    with contextlib.closing(sqlite3.connect(path, timeout=0.01)) as other:
        error = _error(lambda: other.execute("INSERT INTO t VALUES (1)"))
    holder.execute("ROLLBACK")
    holder.close()
    assert (unavailable_reason(error) or "").startswith("SQLITE_BUSY")
    with pytest.raises(StoreUnavailable, match="SQLITE_BUSY"):
        raise_if_unavailable(error)


def test_errors_caused_by_the_data_are_not_store_failures(tmp_path: Path) -> None:
    with contextlib.closing(sqlite3.connect(tmp_path / "db.sqlite")) as db:
        db.execute("CREATE TABLE t (x INTEGER PRIMARY KEY CHECK (x > 0))")
        db.execute("INSERT INTO t VALUES (1)")
        for bad in ("INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (-1)", "INSERT INTO nowhere VALUES (1)"):
            error = _error(lambda bad=bad: db.execute(bad))
            assert unavailable_reason(error) is None, (bad, error)
            raise_if_unavailable(error)  # does not raise: the caller dead-letters the message
    assert unavailable_reason(ValueError("bad")) is None
    assert (unavailable_reason(OSError(28, "No space left on device")) or "").startswith("OSError")
