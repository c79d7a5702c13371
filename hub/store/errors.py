"""Telling an unavailable store from a bad message.

A message that breaks a rule is the sender's fault: it becomes a dead letter
and is acknowledged. A store that cannot write (disk full, database locked
by another process, I/O error, read-only file, out of memory) is nobody's
message's fault: dead-lettering would throw away good data and
acknowledging would lose it, so ingest raises
:class:`comptoir.link.StoreUnavailable` and the link holds the messages back.
"""

from __future__ import annotations

import sqlite3

from comptoir.link import StoreUnavailable

# primary result codes (https://sqlite.org/rescode.html) that say the store, not the data, is at fault
_UNAVAILABLE = {
    5: "SQLITE_BUSY",
    6: "SQLITE_LOCKED",
    7: "SQLITE_NOMEM",
    8: "SQLITE_READONLY",
    10: "SQLITE_IOERR",
    11: "SQLITE_CORRUPT",
    13: "SQLITE_FULL",
    14: "SQLITE_CANTOPEN",
    15: "SQLITE_PROTOCOL",
    26: "SQLITE_NOTADB",
}


def unavailable_reason(exc: BaseException) -> str | None:
    """A short reason when ``exc`` means the store cannot work now; ``None`` when the data is at fault."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None and code & 0xFF in _UNAVAILABLE:
            return f"{getattr(exc, 'sqlite_errorname', None) or _UNAVAILABLE[code & 0xFF]}: {exc}"[:300]
        if code is None and isinstance(exc, sqlite3.OperationalError):
            return f"database: {exc}"[:300]  # no code to judge by: holding back is the safe side
        return None
    if isinstance(exc, OSError | MemoryError):
        return f"{type(exc).__name__}: {exc}"[:300]
    return None


def raise_if_unavailable(exc: BaseException) -> None:
    """Raise :class:`StoreUnavailable` (chained) when ``exc`` means the store cannot work now."""
    if isinstance(exc, StoreUnavailable):
        raise exc
    reason = unavailable_reason(exc)
    if reason is not None:
        raise StoreUnavailable(reason) from exc


def storable_text(value: str | None, limit: int) -> str | None:
    """Text SQLite can store: no lone surrogate (a topic or reason may carry one), bounded."""
    if value is None:
        return None
    return value.encode("utf-8", "replace").decode("utf-8")[:limit]
