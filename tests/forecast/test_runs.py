"""One reorder run at a time: a second is refused with a domain error, which the API says as 409 and the daily
schedule reads as "skip today's, the running one makes the suggestions".

Real SQLite with 150 days of sales, real ingest and the real app; the only
thing the test controls is how long the forecasting (in its worker thread)
takes: it waits for the test's go, so "a run is going" is a state, not a race.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import httpx
import pytest

from comptoir.clock import ManualClock
from hub.app import create_app
from hub.auth import create_user
from hub.config import FusionSettings, HubConfig
from hub.events import EventBus
from hub.forecast import planner
from hub.forecast.actions import run_now
from hub.forecast.policy import ReorderPolicy
from hub.forecast.runs import REORDER_RUNS, RunInProgress
from hub.forecast.schedule import run_daily
from hub.ingest import Ingest
from hub.store import open_database
from hub.timeutil import ts
from tests.forecast.test_schedule import T0, _prepared_db, _until
from tests.hub.support import STORE, LocalHub


@pytest.fixture
def local(tmp_path: Path) -> Iterator[LocalHub]:
    db = open_database(_prepared_db(tmp_path))
    clock = ManualClock(T0)
    create_user(db, "anne", "manager-pass-42", "manager", ts(clock.now()))
    bus = EventBus()
    config = HubConfig(store=STORE, db=tmp_path / "hub.sqlite", timezone="Europe/Paris",
                       reorder=ReorderPolicy(daily_at=time(6, 0)))
    yield LocalHub(config, db, Ingest(db, clock, FusionSettings(), store=STORE, bus=bus), bus, clock)
    db.close()


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The forecasting waits for ``go.set()`` (bounded), then computes as usual."""
    go = threading.Event()
    real = planner.compute

    def waits(*args: Any, **kwargs: Any) -> Any:
        assert go.wait(30), "the test never let the run finish"
        return real(*args, **kwargs)

    monkeypatch.setattr(planner, "compute", waits)
    yield go
    go.set()


def _runs(local: LocalHub) -> int:
    return local.db.execute("SELECT COUNT(*) FROM forecast_runs").fetchone()[0]


async def test_a_second_run_while_one_is_going_is_refused(local: LocalHub, held: threading.Event) -> None:
    first = asyncio.create_task(run_now(local, "anne"))
    await _until(lambda: REORDER_RUNS.running, 10)
    with pytest.raises(RunInProgress, match="already going on"):
        await run_now(local, None)
    held.set()
    summary = await asyncio.wait_for(first, 60)
    assert summary.skus == 3 and _runs(local) == 1
    assert not REORDER_RUNS.running
    again = await run_now(local, None)  # the lock is free again
    assert again.run_id > summary.run_id and _runs(local) == 2


async def test_the_api_says_a_run_going_as_409(local: LocalHub, held: threading.Event) -> None:
    app = create_app(local)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub",
                                 headers={"Origin": "http://hub"}) as client:
        signed = await client.post("/api/session", json={"username": "anne", "password": "manager-pass-42"})
        assert signed.status_code == 200, signed.text
        first = asyncio.create_task(client.post("/api/reorder/run"))
        await _until(lambda: REORDER_RUNS.running, 10)
        second = await client.post("/api/reorder/run")
        assert second.status_code == 409 and second.json() == {"detail": "a reorder run is already going on"}
        page = await client.post("/reorder/run")  # the page's button: the same answer
        assert page.status_code == 409
        held.set()
        done = await asyncio.wait_for(first, 60)
    assert done.status_code == 200 and done.json()["skus"] == 3 and _runs(local) == 1


async def test_the_daily_run_skips_a_day_whose_run_is_already_going(local: LocalHub, held: threading.Event,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="hub.forecast")
    by_hand = asyncio.create_task(run_now(local, "anne"))
    await _until(lambda: REORDER_RUNS.running, 10)
    daily = asyncio.create_task(run_daily(local, check_every_s=60))
    try:
        await _until(lambda: any("scheduled" in r.getMessage() for r in caplog.records), 10)
        local.clock.set(datetime(2026, 3, 27, 5, 1, tzinfo=UTC))  # 06:01 in Paris: due
        await _until(lambda: any(r.getMessage() == "daily reorder run skipped" for r in caplog.records), 10)
        held.set()
        await asyncio.wait_for(by_hand, 60)
        assert _runs(local) == 1  # the run by hand made the day's suggestions
        assert not daily.done()  # and the schedule waits for tomorrow
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    finally:
        daily.cancel()
        await asyncio.gather(daily, return_exceptions=True)
