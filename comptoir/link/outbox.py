"""The store-and-forward outbox: messages wait on disk until the broker acknowledges them.

A message is written here before it is handed to MQTT and deleted only when
the broker's PUBACK arrives, so a broker outage or a killed process loses
nothing. The file is bounded: past ``max_messages`` the oldest are dropped,
and the drop count is kept in the file so it survives restarts and can be
reported.

Durability: WAL with ``synchronous=NORMAL`` survives a killed process (the
case the tests prove); ``durable=True`` (``synchronous=FULL``) also survives
a power cut, at the cost of an fsync per batch.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    payload BLOB NOT NULL,
    retain INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Pending:
    """One message waiting for the broker."""

    id: int
    topic: str
    payload: bytes
    retain: bool


class Outbox:
    """A bounded FIFO of messages in a SQLite file.

    Safe to call from several threads (one connection behind a lock): the MQTT
    network thread acknowledges while the application thread appends.
    """

    def __init__(self, path: str | Path, max_messages: int = 100_000, durable: bool = False) -> None:
        if max_messages < 1:
            raise ValueError(f"max_messages must be >= 1, got {max_messages}")
        self.path = Path(path)
        self.max_messages = max_messages
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        self._db.executescript(_SCHEMA)
        self._count = self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]

    # -- counters -------------------------------------------------------
    def counter(self, name: str) -> int:
        with self._lock:
            row = self._db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        return row[0] if row else 0

    def _bump(self, name: str, by: int) -> None:
        self._db.execute(
            "INSERT INTO counters(name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
            (name, by),
        )

    def next_value(self, name: str, count: int = 1) -> int:
        """Reserve ``count`` consecutive values of a persistent counter; return the first."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._bump(name, count)
                value = self._db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()[0]
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return value - count + 1

    @property
    def dropped(self) -> int:
        """Messages dropped because the outbox was full, over the file's whole life."""
        return self.counter("dropped")

    def __len__(self) -> int:
        return self._count

    # -- queue ----------------------------------------------------------
    def put(self, topic: str, payload: bytes, retain: bool = False) -> int:
        """Append one message; return how many old messages were dropped to make room."""
        return self.put_many([(topic, payload, retain)])

    def put_many(self, items: Iterable[tuple[str, bytes, bool]], counters: dict[str, int] | None = None) -> int:
        """Append messages in one transaction; return how many old ones were dropped.

        ``counters`` are set to the given values in the same transaction, so a
        sequence number is saved if and only if its message is.
        """
        rows = [(t, p, int(r)) for t, p, r in items]
        if not rows:
            return 0
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany("INSERT INTO outbox(topic, payload, retain) VALUES (?, ?, ?)", rows)
                excess = self._count + len(rows) - self.max_messages
                if excess > 0:
                    self._db.execute(
                        "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT ?)", (excess,)
                    )
                    self._bump("dropped", excess)
                for name, value in (counters or {}).items():
                    self._db.execute(
                        "INSERT INTO counters(name, value) VALUES (?, ?) "
                        "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                        (name, value),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._count += len(rows) - max(excess, 0)
        return max(excess, 0)

    def peek(self, after_id: int = 0, limit: int = 1000) -> list[Pending]:
        """The oldest waiting messages with an id above ``after_id``."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, topic, payload, retain FROM outbox WHERE id > ? ORDER BY id LIMIT ?",
                (after_id, limit),
            ).fetchall()
        return [Pending(i, t, bytes(p), bool(r)) for i, t, p, r in rows]

    def ack(self, ids: Sequence[int]) -> None:
        """Delete messages the broker has acknowledged."""
        if not ids:
            return
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                deleted = 0
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
                    cur = self._db.execute(
                        f"DELETE FROM outbox WHERE id IN ({','.join('?' * len(chunk))})", tuple(chunk)
                    )
                    deleted += cur.rowcount
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._count -= deleted

    def close(self) -> None:
        with self._lock:
            self._db.close()
