"""The durability settings reach SQLite: the hub's database and outbox, and the edge's outboxes."""

from __future__ import annotations

from pathlib import Path

from comptoir.clock import RealClock
from edge.cli import make_link
from edge.config import EdgeConfig
from hub.config import HubConfig, StorageSettings
from hub.service import HubService
from tests.hub.support import STORE

FULL, NORMAL = 2, 1  # PRAGMA synchronous values


def test_a_hub_syncs_every_commit_by_default_and_waits_briefly_for_locks(tmp_path: Path) -> None:
    service = HubService(HubConfig(store=STORE, db=tmp_path / "hub.sqlite"))
    try:
        assert service.db.execute("PRAGMA synchronous").fetchone()[0] == FULL
        assert service.db.execute("PRAGMA busy_timeout").fetchone()[0] == 100
        assert service.link.outbox._db.execute("PRAGMA synchronous").fetchone()[0] == FULL
    finally:
        service.link.outbox.close()
        service.db.close()
    service = HubService(HubConfig(store=STORE, db=tmp_path / "other.sqlite",
                                   storage=StorageSettings(synchronous="NORMAL", busy_timeout_ms=20)))
    try:
        assert service.db.execute("PRAGMA synchronous").fetchone()[0] == NORMAL
        assert service.db.execute("PRAGMA busy_timeout").fetchone()[0] == 20
    finally:
        service.link.outbox.close()
        service.db.close()


def test_an_edge_outbox_is_synced_only_when_asked(tmp_path: Path) -> None:
    for durable, expected in ((False, NORMAL), (True, FULL)):
        config = EdgeConfig(store=STORE, state_dir=tmp_path / str(durable), durable_outbox=durable)
        link = make_link(config, "reader-1", "rfid-reader", RealClock())
        try:
            assert link.outbox._db.execute("PRAGMA synchronous").fetchone()[0] == expected
        finally:
            link.outbox.close()
