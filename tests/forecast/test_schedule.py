"""The daily reorder run inside the hub service, on the hub's clock, in the store's time zone; sales days too."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from comptoir.clock import ManualClock
from comptoir.contract import ZoneEvents, gtin14
from comptoir.link import MqttLink
from hub.config import HubConfig
from hub.forecast import planner
from hub.forecast.demand import sales_by_day
from hub.forecast.policy import ReorderPolicy
from hub.forecast.schedule import next_run
from hub.service import HubService
from hub.store import open_database
from tests.conftest import BrokerHandle
from tests.hub.support import FLOUR, NUTELLA, OIL, STORE, epc, reference_database

PARIS = ZoneInfo("Europe/Paris")
# Friday 27 March 2026, 05:30 in Paris (UTC+1); summer time starts on Sunday the 29th
T0 = datetime(2026, 3, 27, 4, 30, tzinfo=UTC)
DAY = 86400.0


def test_next_run_is_the_local_time_of_the_store() -> None:
    at = time(6, 0)
    assert next_run(T0, at, PARIS) == datetime(2026, 3, 27, 5, 0, tzinfo=UTC)  # 06:00 in Paris, winter
    assert next_run(datetime(2026, 3, 27, 5, 0, tzinfo=UTC), at, PARIS) == datetime(2026, 3, 28, 5, 0, tzinfo=UTC)
    # after the change to summer time, 06:00 in Paris is 04:00 UTC
    assert next_run(datetime(2026, 3, 28, 6, 0, tzinfo=UTC), at, PARIS) == datetime(2026, 3, 29, 4, 0, tzinfo=UTC)
    assert next_run(T0, at, UTC) == datetime(2026, 3, 27, 6, 0, tzinfo=UTC)


def test_a_sale_after_midnight_local_counts_on_the_local_day() -> None:
    late = datetime(2026, 3, 26, 23, 30, tzinfo=UTC).timestamp()  # 00:30 on the 27th in Paris
    rows = [("a", late, 2.0), ("a", late - 3600 * 3, 1.0)]  # and 21:30 on the 26th
    assert sales_by_day(rows) == {"a": {date(2026, 3, 26): 3.0}}
    assert sales_by_day(rows, PARIS) == {"a": {date(2026, 3, 26): 1.0, date(2026, 3, 27): 2.0}}


def test_an_unknown_time_zone_is_named() -> None:
    with pytest.raises(ValidationError, match="unknown time zone 'Europe/Pariss'"):
        HubConfig(store="s", timezone="Europe/Pariss")
    assert HubConfig(store="s").zone == ZoneInfo("Europe/Paris")  # unset: the kiosk's zone
    assert HubConfig(store="s", timezone="UTC").zone == ZoneInfo("UTC")


def _sales(db_path: Path, now: datetime, days: int = 150) -> None:
    """Nutella 3 a day, oil 1 a day, flour 2 every 4 days, at 10:00 in Paris each day before today."""
    rows = []
    today = now.astimezone(PARIS).date()
    for back in range(1, days + 1):
        t = datetime.combine(today - timedelta(days=back), time(10), tzinfo=PARIS).timestamp()
        rows += [(t, gtin14(NUTELLA), 3), (t, gtin14(OIL), 1)] + ([(t, gtin14(FLOUR), 2)] if back % 4 == 0 else [])
    with sqlite3.connect(db_path) as conn:
        conn.executemany("INSERT INTO sales (lane, receipt_id, time, gtin, quantity, unit_price_cents, tagged) "
                         "VALUES ('lane-1', 'r' || ?1, ?1, ?2, ?3, 100, 0)", rows)


def _prepared_db(tmp_path: Path) -> Path:
    db_path = tmp_path / "hub.sqlite"
    db = reference_database(tmp_path)
    db.close()
    _sales(db_path, T0)
    return db_path


def test_gather_buckets_the_history_by_local_day(tmp_path: Path) -> None:
    db_path = _prepared_db(tmp_path)
    db = open_database(db_path)
    try:
        now = datetime(2026, 3, 26, 23, 30, tzinfo=UTC).timestamp()  # already the 27th in Paris
        local = planner.gather(db, now, ReorderPolicy(), lambda g: None, PARIS)
        utc = planner.gather(db, now, ReorderPolicy(), lambda g: None, UTC)
    finally:
        db.close()
    assert local.today == date(2026, 3, 27) and utc.today == date(2026, 3, 26)
    nutella = local.series[gtin14(NUTELLA)]
    assert nutella.end == date(2026, 3, 26) and nutella.y[-1] == 3  # yesterday in Paris is complete
    assert (nutella.y == 3).all()  # every local day had its 3 sales, none split across two days


async def _until(check, timeout: float) -> None:  # type: ignore[no-untyped-def]
    async def loop() -> None:
        while not check():
            await asyncio.sleep(0.05)

    await asyncio.wait_for(loop(), timeout)


@pytest.fixture
async def hub(broker: BrokerHandle, tmp_path: Path) -> AsyncIterator[tuple[HubService, ManualClock, MqttLink]]:
    db_path = _prepared_db(tmp_path)
    clock = ManualClock(T0)
    hub_id = f"hub-daily-{tmp_path.name[-12:]}".replace("_", "-")
    config = HubConfig(store=STORE, hub_id=hub_id, db=db_path, broker=broker.settings(), timezone="Europe/Paris",
                       reorder=ReorderPolicy(daily_at=time(6, 0)))
    service = HubService(config, clock=clock)
    reader = MqttLink(broker.settings(), store=STORE, device=f"reader-{hub_id}", kind="test",
                      outbox=tmp_path / "reader.outbox", clock=clock)
    await service.start_ingest()
    await reader.start()
    assert await service.link.wait_subscribed(10)
    try:
        yield service, clock, reader
    finally:
        await reader.stop(drain_timeout=1)
        await service.stop()


def _count(service: HubService, sql: str) -> int:
    return service.db.execute(sql).fetchone()[0]


async def test_the_daily_run_makes_suggestions_when_the_clock_crosses_its_time(hub) -> None:  # type: ignore[no-untyped-def]
    service, clock, reader = hub
    # 2 jars of Nutella in the backroom: far below 3 a day over lead time + review
    stored = service.ingest.stats.stored
    reader.emit(ZoneEvents, time=clock.now(), events=[
        {"time": clock.now(), "event": "arrived", "epc": epc(900 + i), "gtin": NUTELLA, "location": "backroom-daily"}
        for i in range(2)])
    await _until(lambda: service.ingest.stats.stored > stored, 10)

    clock.set(datetime(2026, 3, 27, 4, 59, tzinfo=UTC))  # 05:59 in Paris: not yet
    await asyncio.sleep(0.3)
    assert _count(service, "SELECT COUNT(*) FROM forecast_runs") == 0

    clock.set(datetime(2026, 3, 27, 5, 1, tzinfo=UTC))  # 06:01 in Paris
    await _until(lambda: _count(service, "SELECT COUNT(*) FROM forecast_runs") == 1, 90)
    suggestion = service.db.execute(
        "SELECT gtin, quantity, reason, created FROM reorder_suggestions WHERE state = 'proposed'").fetchall()
    assert [s[0] for s in suggestion] == [gtin14(NUTELLA)]
    assert suggestion[0][1] >= 28 and "sells about 3 a day" in suggestion[0][2] and "2 in stock" in suggestion[0][2]
    # ingest went on while it ran, and a reading after it is still stored
    stored = service.ingest.stats.stored
    reader.emit(ZoneEvents, time=clock.now(), events=[
        {"time": clock.now(), "event": "arrived", "epc": epc(950), "gtin": OIL, "location": "backroom-daily"}])
    await _until(lambda: service.ingest.stats.stored > stored, 10)

    # the next day, once, at 06:00 local again (summer time is not yet in force on the 28th)
    clock.set(datetime(2026, 3, 28, 4, 59, tzinfo=UTC))
    await asyncio.sleep(0.3)
    assert _count(service, "SELECT COUNT(*) FROM forecast_runs") == 1
    clock.set(datetime(2026, 3, 28, 5, 0, 30, tzinfo=UTC))
    await _until(lambda: _count(service, "SELECT COUNT(*) FROM forecast_runs") == 2, 90)
    assert _count(service, "SELECT COUNT(*) FROM reorder_suggestions WHERE state = 'superseded'") == 1


async def test_the_daily_run_can_be_turned_off(tmp_path: Path, broker: BrokerHandle) -> None:
    config = HubConfig(store=STORE, hub_id="hub-daily-off", db=tmp_path / "hub.sqlite", broker=broker.settings(),
                       reorder=ReorderPolicy(run_daily=False))
    service = HubService(config, clock=ManualClock(T0))
    await service.start_ingest()
    try:
        assert service._reorder_task is None
    finally:
        await service.stop()
