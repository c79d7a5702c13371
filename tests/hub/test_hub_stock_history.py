"""Stock history keeps every change the inventory applied, however far behind the live stream's listeners fall.

Real SQLite, real ingest and fusion, the hub's real event bus and the
dashboard's recorder running as the hub service runs it; messages go
straight to ingest (no MQTT: the bus, not the broker, is what is under test).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from comptoir.clock import ManualClock
from comptoir.contract import ZoneEvent, gtin14
from hub.config import FusionSettings
from hub.events import EventBus
from hub.ingest import Ingest
from hub.timeutil import ts
from hub.web.recorder import DashboardRecorder
from tests.hub.support import OIL, Devices, epc, reference_database

#: Events the live bus keeps per listener: far fewer than the burst publishes.
BUS_SIZE = 4
#: Stock changes in the burst, each past the history step (its own row).
CHANGES = 40


@dataclass
class LocalHub:
    """What the recorder reads of a running hub."""

    db: sqlite_utils.Database
    ingest: Ingest
    bus: EventBus
    clock: ManualClock


async def test_a_burst_that_overflows_the_live_bus_keeps_one_history_row_per_change(tmp_path: Path) -> None:
    db = reference_database(tmp_path)
    clock = ManualClock()
    bus = EventBus(queue_size=BUS_SIZE)
    ingest = Ingest(db, clock, FusionSettings(), store="test", bus=bus)  # history step: 60 s
    local = LocalHub(db, ingest, bus, clock)
    recorder = DashboardRecorder(local, sample_every_s=0.05)
    stream = bus.listen()  # a dashboard page's live stream that is not read during the burst
    task = asyncio.create_task(recorder.run())
    await asyncio.sleep(0.1)  # the recorder is running, as beside ingest in the hub service
    devices = Devices()
    start = ts(clock.now())
    for n in range(CHANGES):  # one tag more in the backroom per batch, a minute apart: no yielding between them
        ingest.handle_batch([devices.make(ZoneEvent, "reader-1", time=clock.now(), event="arrived", epc=epc(n),
                                          gtin=OIL, location="backroom")])
        clock.advance(61)
    assert bus.dropped > 0 and stream.qsize() == BUS_SIZE, "the burst overflowed the live bus"
    expected = [(61 * n, n + 1, n + 1) for n in range(CHANGES)]  # (seconds from start, on hand, backroom)

    def history() -> list[tuple[int, int, int]]:
        rows = db.execute("SELECT time, on_hand, backroom FROM stock_history WHERE gtin = ? ORDER BY time",
                          (gtin14(OIL),))
        return [(round(t - start), on_hand, backroom) for t, on_hand, backroom in rows]

    deadline = time.monotonic() + 5
    while history() != expected and time.monotonic() < deadline:
        await asyncio.sleep(0.05)  # whatever records history from the bus gets its chance to catch up
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert history() == expected


def test_a_batch_that_fails_leaves_neither_its_change_nor_its_history_row(tmp_path: Path) -> None:
    """The history row is part of the batch's transaction: rolled back with the change it records."""
    db = reference_database(tmp_path)
    clock = ManualClock()
    ingest = Ingest(db, clock, FusionSettings(), store="test")
    devices = Devices()

    def arrive(n: int) -> ZoneEvent:
        return devices.make(ZoneEvent, "reader-1", time=clock.now(), event="arrived", epc=epc(n), gtin=OIL,
                            location="backroom")

    def history() -> list[tuple[int, int]]:
        rows = db.execute("SELECT on_hand, backroom FROM stock_history WHERE gtin = ? ORDER BY time", (gtin14(OIL),))
        return [tuple(row) for row in rows]

    ingest.handle_batch([arrive(1)])
    assert history() == [(1, 1)]
    # the devices row is written after the history row, in the same transaction: make it fail there
    db.execute("CREATE TRIGGER refuse_devices BEFORE INSERT ON devices BEGIN SELECT RAISE(ABORT, 'refused'); END")
    clock.advance(61)
    ingest.handle_batch([arrive(2)])
    assert ingest.stats.dead_letters == 1 and epc(2) not in ingest.fusion.items
    assert history() == [(1, 1)], "no history row for a change that was not stored"
    db.execute("DROP TRIGGER refuse_devices")
    clock.advance(61)
    ingest.handle_batch([arrive(3)])
    assert history() == [(1, 1), (2, 2)], "the next stored change is recorded from what was stored"
