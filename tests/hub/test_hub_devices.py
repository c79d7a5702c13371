"""The hub's device model (hub/devices.py): state, since and reason come from the retained statuses alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils

from comptoir.clock import ManualClock
from comptoir.contract import DeviceStatus, ScaleWeight, ZoneSnapshot, gtin14
from hub.config import FusionSettings
from hub.ingest import Ingest
from hub.timeutil import ts
from tests.hub.support import FLOUR, NUTELLA, reference_database

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
LOST = "LLRP reader 127.0.0.1:5084: no report nor keepalive for 30 s (silence_s)"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def ingest(tmp_path: Path, clock: ManualClock) -> Ingest:
    return Ingest(reference_database(tmp_path), clock, FusionSettings(), store="test")


def status(device: str, connection: int, at: datetime, state: str, reason: str | None = None,
           kind: str = "rfid-reader") -> DeviceStatus:
    return DeviceStatus.create(device=device, seq=connection, time=at, state=state, kind=kind, software="t",
                               reason=reason)


def test_data_from_a_reader_said_offline_does_not_bring_it_back(ingest: Ingest, clock: ManualClock) -> None:
    ingest.handle_batch([status("reader-1", 1, T0, "online")])
    lost_at = T0 + timedelta(minutes=1)
    ingest.handle_batch([status("reader-1", 1, lost_at, "offline", LOST)])
    dev = ingest.devices["reader-1"]
    assert (dev.state, dev.reason, dev.state_since) == ("offline", LOST, ts(lost_at))
    assert "device_offline:reader-1" in ingest.alerts.open

    # the agent lives on: its snapshot is data, not a sign that the reader is back
    clock.advance(60)
    snapshot = ZoneSnapshot.create(device="reader-1", seq=1, time=clock.now(), zones={"backroom": {NUTELLA: 2}})
    ingest.handle_batch([snapshot])
    dev = ingest.devices["reader-1"]
    assert (dev.state, dev.reason, dev.state_since) == ("offline", LOST, ts(lost_at))
    assert dev.last_seen == ts(clock.now()) and "device_offline:reader-1" in ingest.alerts.open

    ingest.handle_batch([status("reader-1", 1, clock.now(), "online")])
    dev = ingest.devices["reader-1"]
    assert (dev.state, dev.reason, dev.state_since) == ("online", None, ts(clock.now()))
    assert "device_offline:reader-1" not in ingest.alerts.open


def test_state_and_reason_survive_a_restart_of_the_hub(tmp_path: Path, ingest: Ingest, clock: ManualClock) -> None:
    ingest.handle_batch([status("reader-1", 4, T0, "offline", LOST)])
    again = Ingest(sqlite_utils.Database(tmp_path / "hub.sqlite"), clock, FusionSettings(), store="test")
    dev = again.devices["reader-1"]
    assert (dev.state, dev.reason, dev.connection) == ("offline", LOST, 4)


def test_a_scale_said_offline_has_no_count_until_it_weighs_again(ingest: Ingest, clock: ManualClock) -> None:
    def scale_units() -> int | None:
        return ingest.fusion.sku(gtin14(FLOUR), ts(clock.now())).as_json()["shelf"]["scale_units"]

    weigh = {"status": "ok", "grams": 3010.0, "stable": True, "slot": "A3-B1-S2-02", "unit_grams": 1000.0}
    ingest.handle_batch([status("scale-7", 1, T0, "online", kind="scale"),
                         ScaleWeight.create(device="scale-7", seq=1, time=T0, **weigh)])
    assert scale_units() == 3
    # unplugged: the bridge says so on its status, and sends no weight at all
    clock.advance(5)
    ingest.handle_batch([status("scale-7", 1, clock.now(), "offline", "serial port lost", kind="scale")])
    assert scale_units() is None
    assert ingest.fusion.sku(gtin14(FLOUR), ts(clock.now())).as_json()["shelf"]["source"] != "scale"
    clock.advance(5)
    ingest.handle_batch([status("scale-7", 1, clock.now(), "online", kind="scale"),
                         ScaleWeight.create(device="scale-7", seq=2, time=clock.now(), **weigh)])
    assert scale_units() == 3
