"""The retention job: conversation logs (when enabled) and old loyalty links are deleted past their period.

``comptoir hub purge-expired`` runs it (cron or a systemd timer); the kiosk
API also runs it at most once an hour as a safety net.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

DAY = 86400.0


@dataclass(frozen=True)
class Purged:
    conversations: int
    loyalty_links: int
    intent_days: int


def purge_expired(db: sqlite_utils.Database, now: float, log_days: float, loyalty_days: float,
                  counts_days: float = 400.0) -> Purged:
    with db.conn:
        conversations = db.conn.execute("DELETE FROM kiosk_log WHERE time < ?", [now - log_days * DAY]).rowcount
        links = db.conn.execute("DELETE FROM loyalty_receipts WHERE time < ?", [now - loyalty_days * DAY]).rowcount
        cutoff = datetime.fromtimestamp(now - counts_days * DAY, UTC).date().isoformat()
        days = db.conn.execute("DELETE FROM kiosk_intent_counts WHERE day < ?", [cutoff]).rowcount
    return Purged(conversations, links, days)
