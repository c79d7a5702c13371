"""A simulated week of untagged products against the real hub: the book stays within 5 % of the truth.

The store world's untagged products (simulators/world/untagged.py) sell,
break, are stolen, run low, are ordered and delivered (sometimes short) and
are counted a category at a time; the back office (simulators/score/
untagged.py) records what staff would, through the hub's API, and the till's
receipts go to ingest. Thefts and unnoticed breakages make the book drift;
at the week's end a full count corrects it. In process, on a manual clock
kept on the world's time: a week runs in seconds.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import httpx

from comptoir.clock import ManualClock
from comptoir.contract import PosReceipt
from hub.app import create_app
from hub.auth import create_user
from hub.catalog import import_planogram, import_products, import_zones
from hub.config import ApiSettings, FusionSettings, HubConfig
from hub.events import EventBus
from hub.ingest import Ingest
from hub.store import open_database
from hub.timeutil import ts
from simulators.demo import reference
from simulators.score.untagged import BackOffice, UntaggedAccuracy
from simulators.world import World, WorldParams
from tests.hub.support import Devices

WEEK_S = 7 * 86400.0
SAMPLE_S = 3600.0
ZONES = "alias,kind,reader,antenna\nbackroom,backroom,reader-1,1\n"


class InProcessDesk:
    """The staff's API calls through the real app (ASGI), the till's receipts straight to ingest."""

    def __init__(self, client: httpx.AsyncClient, ingest: Ingest, clock: ManualClock) -> None:
        self.client, self.ingest, self.clock, self.dev, self.receipts = client, ingest, clock, Devices(), 0

    async def sell(self, gtin: str, quantity: int, when: datetime) -> None:
        self.clock.set(when)  # the till sells now: a receipt dated ahead of the hub's clock is refused
        self.receipts += 1
        self.ingest.handle_batch([self.dev.make(PosReceipt, "till-1", time=when, lane="till-1",
                                                receipt_id=f"R{self.receipts}", total_cents=100 * quantity,
                                                lines=[{"gtin": gtin, "quantity": quantity, "unit_price_cents": 100}])])

    async def post(self, path: str, body: dict, when: datetime) -> object:
        self.clock.set(when)  # staff act when the event happens: the hub's clock is the world's
        response = await self.client.post(path, json=body)
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text}"
        return response.json()


async def test_a_week_of_untagged_products_scores_at_least_95_percent(tmp_path: Path) -> None:
    world = World(seed=5, params=WorldParams(products=6, untagged_products=12, shopper_every_s=1e9,
                                             delivery_every_s=1e9))
    db = open_database(tmp_path / "hub.sqlite")
    import_products(db, reference.write_catalog(world, tmp_path / "catalog.csv"))
    import_planogram(db, reference.write_planogram(world, tmp_path / "planogram.csv"))
    (tmp_path / "zones.csv").write_text(ZONES)
    import_zones(db, tmp_path / "zones.csv")
    clock = ManualClock(world.now)
    create_user(db, "demo", "back-office-1", "manager", ts(clock.now()))
    ingest = Ingest(db, clock, FusionSettings(), store="test", bus=EventBus())
    config = HubConfig(store="test", db=tmp_path / "hub.sqlite", api=ApiSettings(session_hours=30 * 24))  # a week
    app = create_app(_Hub(config, db, ingest, EventBus(), clock))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub",
                                 headers={"Origin": "http://hub"}) as client:
        assert (await client.post("/api/session", json={"username": "demo", "password": "back-office-1"})).is_success
        office = BackOffice(world.untagged, InProcessDesk(client, ingest, clock))
        accuracy = UntaggedAccuracy(world.untagged, latency_s=0.0)
        world.untagged.count()  # the opening count: the book starts from it
        await office.drain()
        end = world.now + timedelta(seconds=WEEK_S)
        while world.now < end:
            for _ in range(int(SAMPLE_S // 600)):
                world.advance(600)
                await office.drain()
                clock.set(world.now)
            rows = (await client.get("/api/inventory", params={"limit": 500})).json()
            accuracy.sample({r["gtin"]: r for r in rows}, world.now)
        week = accuracy.accuracy()
        done = dict(office.done)

        # the week's end: a full count corrects whatever drifted
        world.untagged.count()
        await office.drain()
        final = UntaggedAccuracy(world.untagged, latency_s=0.0)
        rows = (await client.get("/api/inventory", params={"limit": 500})).json()
        final.sample({r["gtin"]: r for r in rows}, world.now)
    print(f"untagged week: accuracy={week} samples={accuracy.total // 12} events={done} wrong={accuracy.wrong[:3]}")
    assert done.get("sold", 0) > 200 and done.get("delivered", 0) > 5 and done.get("count", 0) >= 14
    assert done.get("stolen_unrecorded", 0) + done.get("damaged_unrecorded", 0) > 0, "no drift to correct"
    assert week is not None and week >= 0.95
    assert final.accuracy() == 1.0, final.wrong


class _Hub:
    """What the app needs of a running hub (as tests/hub/support.LocalHub, with any clock)."""

    def __init__(self, config: HubConfig, db: object, ingest: Ingest, bus: EventBus, clock: ManualClock) -> None:
        self.config, self.db, self.ingest, self.bus, self.clock = config, db, ingest, bus, clock
        self.mqtt_connected = True
