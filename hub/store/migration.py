"""One schema migration: its version, what it is for, and its SQL (run by hub/store/migrations.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str
