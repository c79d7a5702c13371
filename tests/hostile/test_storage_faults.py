"""Hostile part ``storage_faults``: a full disk and a locked database during ingest, through the real broker and hub.

Issue 16: with the disk full the hub dead-lettered each message, could not
write the dead letters either, swallowed that and acknowledged: 341 of 400
messages lost. A write lock held by another process blocked the event loop
(and so the API) for the whole busy timeout. Now: nothing acknowledged until
stored, health says ``storage_failing`` with a 503, the API keeps answering,
and when the store comes back every message is stored once.

The full disk is real: a small tmpfs mounted for the test and filled to the
last byte, so SQLite meets ENOSPC (SQLITE_FULL) exactly as on a full SD card.
``PRAGMA max_page_count`` was not an option: it is a setting of one
connection, and another process cannot impose it on the hub's.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from comptoir.contract import ZoneEvent
from tests.conftest import BrokerHandle
from tests.hostile.scale import hostile_scale
from tests.hub.support import NUTELLA, Devices, HubProcess, Publisher, epc, wait_for


@dataclass
class HubOnDisk(HubProcess):
    """A hub process whose database (and outbox) live in ``data_dir``, apart from its config and log."""

    data_dir: Path = field(default_factory=Path)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "hub.sqlite"


@contextlib.contextmanager
def small_filesystem(path: Path, size: str) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("a real full disk needs a small tmpfs, and mounting one needs root (CI runs the suite as root)")
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(directory: Path) -> Path:
    """Write a file until the file system has not one byte left; return it (delete it to give the space back)."""
    filler = directory / "filler"
    chunk = b"\0" * 65536
    with open(filler, "wb", buffering=0) as out:
        while True:
            try:
                out.write(chunk)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
                break
        for size in (4096, 512, 1):  # and the last scraps
            with contextlib.suppress(OSError):
                while out.write(b"\0" * size):
                    pass
    return filler


def stored(db_path: Path, ids: list[str]) -> int:
    with contextlib.closing(sqlite3.connect(db_path, timeout=10)) as db:
        total = 0
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            total += db.execute(f"SELECT COUNT(*) FROM messages WHERE msg_id IN ({','.join('?' * len(chunk))})",
                                chunk).fetchone()[0]
        return total


def events(devices: Devices, count: int, first_epc: int) -> list[ZoneEvent]:
    return [devices.make(ZoneEvent, "reader-1", event="arrived", epc=epc(first_epc + i), gtin=NUTELLA,
                         location="floor-a2") for i in range(count)]


def health(hub: HubProcess) -> httpx.Response:
    return httpx.get(f"{hub.url}/api/health", timeout=10)


def test_a_full_disk_during_ingest_holds_messages_back_and_loses_none(
    broker: BrokerHandle, tmp_path: Path
) -> None:
    count = 400 * hostile_scale()
    with small_filesystem(tmp_path / "data", "6m") as data:
        hub = HubOnDisk(tmp_path / "hub", broker.url, hub_id="hub-disk-full", data_dir=data)
        hub.prepare()
        hub.start()
        try:
            before = health(hub).json()
            filler = fill(data)
            sent = events(Devices(), count, 700_000)
            publisher = Publisher(broker.host, broker.port, client_id="storage-faults-full")
            publisher.send(*sent)  # the broker has them all (PUBACK); the hub must not lose one
            failing = wait_for(lambda: (r := health(hub)).status_code == 503 and r.json(), 60, "storage_failing")
            assert failing["status"] == "storage_failing" and "SQLITE_FULL" in failing["reason"], failing
            assert failing["held_back"] > 0 and failing["queued"] >= failing["held_back"]
            stored_during = stored(hub.db_path, [m.msg_id for m in sent])
            assert stored_during < count, "the disk never filled: the test proves nothing"
            filler.unlink()  # the space comes back
            ids = [m.msg_id for m in sent]
            wait_for(lambda: stored(hub.db_path, ids) == count, 90, f"all {count} messages stored")
            after = wait_for(lambda: (r := health(hub)).status_code == 200 and r.json(), 30, "health ok again")
            assert after["status"] == "ok" and after["held_back"] == 0 and after["reason"] is None
            assert after["dead_letters"] == before["dead_letters"], "a full disk is no reason to reject a message"
            with contextlib.closing(sqlite3.connect(hub.db_path)) as db:
                items = db.execute("SELECT COUNT(*) FROM items WHERE epc >= ? AND epc <= ? AND zone = 'floor-a2'",
                                   (epc(700_000), epc(700_000 + count - 1))).fetchone()[0]
            assert items == count
            log = (hub.workdir / "hub.log").read_text()
            warnings = log.count("store unavailable: messages held back")
            assert 1 <= warnings <= 20, f"the operator sees it, without a line per retry ({warnings} lines)"
            publisher.close()
        finally:
            hub.stop()
    print(f"HOSTILE part=storage_faults tried={count} rejected=0 accepted={count} alive=yes lost={count - items} "
          f"fault=disk_full stored_during_fault={stored_during} held_back={failing['held_back']}")


LOCKER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("COMMIT")
print("released", flush=True)
"""


def test_a_database_locked_by_another_process_keeps_the_api_answering_and_loses_nothing(
    broker: BrokerHandle, tmp_path: Path
) -> None:
    count, hold_s = 50 * hostile_scale(), 5.0
    hub = HubProcess(tmp_path / "hub", broker.url, hub_id="hub-locked")
    hub.prepare()
    hub.start()
    publisher = Publisher(broker.host, broker.port, client_id="storage-faults-lock")
    try:
        staff = hub.client()
        locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(hub.db_path), str(hold_s)],
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
            locked_at = time.monotonic()
            # a staff write that meets the lock is told to retry, quickly, rather than hanging or failing with a 500
            start = time.monotonic()
            write = staff.put(f"/api/products/{NUTELLA}/reorder-point", json={"reorder_point": 7})
            assert write.status_code == 503 and write.headers.get("retry-after") == "1", write.text
            assert "database is unavailable" in write.json()["detail"]
            slowest = time.monotonic() - start
            sent = events(Devices(), count, 800_000)
            publisher.send(*sent)
            statuses: set[tuple[int, str]] = set()
            while locker.poll() is None and time.monotonic() - locked_at < hold_s - 0.5:
                for path in ("/api/health", "/api/inventory"):
                    start = time.monotonic()
                    response = staff.get(path)
                    slowest = max(slowest, time.monotonic() - start)
                    if path == "/api/health":
                        statuses.add((response.status_code, response.json()["status"]))
                time.sleep(0.05)
            assert slowest < 1.0, f"a request took {slowest:.2f} s while another process held the lock"
            assert (503, "storage_failing") in statuses, statuses
        finally:
            locker.wait(30)
        ids = [m.msg_id for m in sent]
        wait_for(lambda: stored(hub.db_path, ids) == count, 60, f"all {count} messages stored after the lock")
        after = wait_for(lambda: (r := health(hub)).status_code == 200 and r.json(), 30, "health ok again")
        assert after["status"] == "ok"
    finally:
        publisher.close()
        hub.stop()
    print(f"HOSTILE part=storage_faults tried={count} rejected=0 accepted={count} alive=yes lost=0 fault=db_locked "
          f"lock_s={hold_s:.0f} api_slowest_ms={slowest * 1000:.0f}")
