"""Times in the database are UNIX seconds (REAL); the API shows ISO 8601 UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def ts(moment: datetime) -> float:
    return moment.timestamp()


def iso(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")
