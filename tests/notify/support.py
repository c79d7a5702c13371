"""An in-process hub core on a manual clock (ingest writes alerts, the notification worker sends them) and its
channels, pointed at real local servers."""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from comptoir.clock import ManualClock
from hub.config import FusionSettings
from hub.ingest import Ingest
from hub.notify import NotifySettings, NotifyWorker
from hub.notify.records import channel_rows, deliveries_of
from hub.timeutil import ts
from tests.hub.support import NUTELLA, STORE, epc, reference_database, wait_for

PARIS = ZoneInfo("Europe/Paris")
#: A Wednesday, 15:00 in Paris: shop hours.
T0 = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
SECRET = "s3cret-shared-with-the-receiver"


@dataclass
class Core:
    """Ingest (writing alerts in the hub database) and the worker (its own thread and connection)."""

    path: Path
    clock: ManualClock
    ingest: Ingest
    worker: NotifyWorker

    def theft(self, n: int) -> int:
        """An unpaid item through the exit gate, as ingest raises it; returns the alert's id."""
        now = ts(self.clock.now())
        with self.ingest.db.conn:
            self.ingest.alerts.unpaid_exit(epc(n), NUTELLA, now)
        self.ingest.alerts.outgoing.clear()
        self.worker.wake()
        return self.ingest.alerts.open[f"unpaid_item_exit:{epc(n)}"].id

    def acknowledge(self, alert_id: int) -> None:
        assert self.ingest.acknowledge(alert_id, "marie") is not None
        self.worker.wake()

    def later(self, seconds: float) -> None:
        """Move the hub's clock, then wait for two whole worker rounds on it."""
        self.clock.advance(seconds)
        self.settle()

    def settle(self) -> None:
        start = self.worker.rounds
        self.worker.wake()
        wait_for(lambda: self.worker.rounds >= start + 2, 15, "two notification rounds")

    def deliveries(self, alert_id: int | None = None) -> list[dict[str, Any]]:
        with sqlite3.connect(self.path) as conn:
            return deliveries_of(conn, 1000, alert_id)

    def channels(self) -> dict[str, dict[str, Any]]:
        with sqlite3.connect(self.path) as conn:
            return channel_rows(conn)


def make_core(tmp_path: Path, notify: dict[str, Any], start: datetime = T0) -> Core:
    db = reference_database(tmp_path)
    clock = ManualClock(start)
    ingest = Ingest(db, clock, FusionSettings(), store=STORE)
    settings = NotifySettings.model_validate({"poll_s": 0.05, "retry_min_s": 30, "retry_max_s": 120, **notify})
    worker = NotifyWorker(tmp_path / "hub.sqlite", settings, clock, PARIS)
    worker.start()
    return Core(tmp_path / "hub.sqlite", clock, ingest, worker)


def verified(secret: str, request_headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does (docs/integrations.md): HMAC-SHA256 over '<timestamp>.<body>', compared in constant
    time, and a timestamp close to its own clock."""
    stamp = request_headers["X-Comptoir-Timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(stamp)) < 300
    return hmac.compare_digest(expected, request_headers["X-Comptoir-Signature"]) and fresh
