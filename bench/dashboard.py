"""The staff dashboard's costs: what keeping it live adds to ingest, and how fast the store map answers.

Two measurements, each against a baseline taken in the same run:

* ingest overhead: the demo shop's planogram and catalog (309 slots) in a
  SQLite hub database; batches of zone events and shelf reports go through
  the hub's real ingest (validation done, dedup, fusion, alert rules,
  commit, stock history). Baseline: nobody listens to the event bus (the
  hub without the dashboard). Contender: a dashboard page's live stream
  listens and is drained after each batch. Stock history is written by
  ingest in both (hub/inventory/history.py).
* store map: ``GET /api/dashboard/map`` (every slot with its state) through
  the real FastAPI app in process, against ``GET /api/health`` on the same
  app (routing, auth-free, no work) as the baseline.

    python bench/dashboard.py [--batches 200] [--events 200] [--requests 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import sqlite_utils
from tqdm import tqdm

from comptoir.clock import ManualClock
from comptoir.contract import ShelfCounts, ZoneEvent
from hub.app import create_app
from hub.auth import create_user
from hub.catalog import import_planogram, import_products, import_zones
from hub.config import FusionSettings, HubConfig
from hub.events import EventBus
from hub.ingest import Ingest
from hub.store import open_database
from hub.timeutil import ts
from simulators.world import World
from simulators.world.catalog import default_catalog_path

ZONES = "alias,kind,reader,antenna\nbackroom,backroom,reader-1,1\nfloor-a1,floor,reader-1,2\n"


@dataclass
class BenchHub:
    config: HubConfig
    db: sqlite_utils.Database
    ingest: Ingest
    bus: EventBus
    clock: ManualClock
    mqtt_connected: bool = True


def make_hub(folder: Path, world: World) -> BenchHub:
    db = open_database(folder / "hub.sqlite")
    rows = ["slot,gtin,camera,capacity,scale"] + [f"{s.slot_id},{s.gtin},{s.camera},{s.capacity},{s.scale or ''}"
                                                  for s in world.planogram.slots.values()]
    (folder / "planogram.csv").write_text("\n".join(rows) + "\n")
    (folder / "zones.csv").write_text(ZONES)
    import_products(db, default_catalog_path())
    import_planogram(db, folder / "planogram.csv")
    import_zones(db, folder / "zones.csv")
    clock = ManualClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    create_user(db, "bench", "bench-password", "staff", ts(clock.now()))
    bus = EventBus()
    return BenchHub(HubConfig(store="bench", db=folder / "hub.sqlite"), db,
                    Ingest(db, clock, FusionSettings(), store="bench", bus=bus), bus, clock)


def batches(world: World, count: int, events: int, first_epc: int) -> list[list]:
    """Each batch: ``events`` tags arriving (spread over the catalog) and one bay's shelf report."""
    gtins = [s.gtin for s in world.planogram.slots.values()]
    bays = list(world.planogram.bays.values())
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    out, seq = [], {"reader-1": 0}
    for b in range(count):
        when = start + timedelta(seconds=b)
        batch = []
        for i in range(events):
            n = first_epc + b * events + i
            seq["reader-1"] += 1
            batch.append(ZoneEvent.create(device="reader-1", seq=seq["reader-1"], time=when, event="arrived",
                                          epc=f"3034B82E5029{n:012X}", gtin=gtins[n % len(gtins)],
                                          location="backroom" if n % 3 else "floor-a1"))
        bay = bays[b % len(bays)]
        seq[bay.camera] = seq.get(bay.camera, 0) + 1
        batch.append(ShelfCounts.create(device=bay.camera, seq=seq[bay.camera], time=when, slots=[
            {"slot": s.slot_id, "state": "ok" if (b + k) % 5 else "empty", "facings": s.capacity if (b + k) % 5 else 0,
             "capacity": s.capacity, "confidence": 0.9} for k, s in enumerate(bay.slots)]))
        out.append(batch)
    return out


def ingest_rate(hub: BenchHub, work: list[list], live: bool) -> float:
    queue = hub.bus.listen() if live else None
    messages = sum(len(b) for b in work)
    started = time.perf_counter()
    for batch in tqdm(work, desc="live stream" if live else "baseline", leave=False):
        hub.clock.advance(1)
        hub.ingest.handle_batch(batch)
        if queue is not None:  # what a page's live stream takes between batches
            while not queue.empty():
                queue.get_nowait()
    elapsed = time.perf_counter() - started
    if queue is not None:
        hub.bus.forget(queue)
    return messages / elapsed


async def request_times(hub: BenchHub, requests: int) -> dict[str, float]:
    app = create_app(hub)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as client:
        await client.post("/api/session", json={"username": "bench", "password": "bench-password"})
        medians = {}
        for path in ("/api/health", "/api/dashboard/map"):
            times = []
            for _ in tqdm(range(requests), desc=path, leave=False):
                started = time.perf_counter()
                response = await client.get(path)
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
            medians[path] = statistics.median(times)
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--events", type=int, default=200, help="zone events per batch")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    world = World(seed=7)
    with tempfile.TemporaryDirectory() as tmp:
        base, live = Path(tmp, "base"), Path(tmp, "live")
        base.mkdir()
        live.mkdir()
        plain, watched = make_hub(base, world), make_hub(live, world)
        work_a = batches(world, args.batches, args.events, first_epc=0)
        work_b = batches(world, args.batches, args.events, first_epc=0)
        baseline = ingest_rate(plain, work_a, False)
        contender = ingest_rate(watched, work_b, True)
        medians = asyncio.run(request_times(watched, args.requests))
        slots = len(world.planogram.slots)
    print(f"{args.batches} batches x ({args.events} zone events + 1 shelf report), {slots}-slot shop")
    print(f"  ingest, no dashboard (baseline)   {baseline:>10,.0f} msg/s   ratio 1.00")
    print(f"  ingest, dashboard live            {contender:>10,.0f} msg/s   ratio {contender / baseline:.2f}"
          f"   ({watched.ingest.history.recorded} stock history rows, written by ingest in both)")
    health, store = medians["/api/health"], medians["/api/dashboard/map"]
    print(f"{args.requests} requests each, in process (medians)")
    print(f"  GET /api/health (baseline)        {health * 1000:>10.2f} ms      ratio 1.00")
    print(f"  GET /api/dashboard/map            {store * 1000:>10.2f} ms      ratio {store / health:.1f}")


if __name__ == "__main__":
    main()
