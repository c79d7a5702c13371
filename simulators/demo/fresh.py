"""``comptoir demo fresh``: a fortnight of the demo shop's fresh food, run twice on one seed, markdowns off and on.

Each run is the real hub in process: the FastAPI app over httpx's ASGI
transport, a real SQLite file, the till's receipts handed to ingest, and a
manual clock kept on the world's time, so a fortnight runs in a minute and
the same seed gives the same shop (docs/architecture.md says why not the
process-per-device demo). The hub is imported here, inside the command's
functions only: the simulators otherwise import nothing of the hub.

Before the fortnight, 8 weeks of the products' sales (with a few promotions
at known discounts) go through the till, so the hub can forecast and learn
how each category answers a reduced price. The report's figures are read
from the hub's ``GET /api/kpis`` (the numbers page's own) and set beside the
world's truth.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from simulators.demo import reference
from simulators.score.fresh import FreshOffice
from simulators.world import World, WorldParams, load_catalog
from simulators.world.fresh import FreshParams, FreshShop, fresh_products

STEP_S = 1800.0  # the world runs half an hour, then staff and till catch up and the hub's clock follows
FIRST_DAY = date(2026, 1, 5)  # a Monday
ZONES = "alias,kind,reader,antenna\nbackroom,backroom,reader-1,1\n"
#: KPI keys (hub/kpis/report.py) the report reads
FIGURES = ("revenue", "units_sold", "revenue_net_of_waste", "waste_value", "waste_rate", "donations",
           "markdown_recovered", "stockout_rate")


@dataclass(frozen=True, slots=True)
class FreshOptions:
    days: int = 14
    seed: int = 1
    markdowns: bool = True
    products: int | None = None  # the first N fresh products only (a smaller, faster shop)
    workdir: Path = Path("demo-fresh")
    params: FreshParams = field(default_factory=FreshParams)


class InProcessHub:
    """The hub's app, ingest and clock in this process; the staff's calls and the till's receipts go to them."""

    def __init__(self, workdir: Path, catalog: Path, markdowns: bool, start: datetime) -> None:
        from comptoir.clock import ManualClock
        from hub.app import create_app
        from hub.auth import create_user
        from hub.catalog import import_products, import_zones
        from hub.config import HubConfig
        from hub.events import EventBus
        from hub.ingest import Ingest
        from hub.store import open_database
        from hub.timeutil import ts

        path = workdir / "hub.sqlite"
        self.db = open_database(path)
        import_products(self.db, catalog)
        (workdir / "zones.csv").write_text(ZONES)
        import_zones(self.db, workdir / "zones.csv")
        self.clock = ManualClock(start)
        self.password = "fresh-office-1"
        create_user(self.db, "office", self.password, "manager", ts(self.clock.now()))
        self.config = HubConfig.model_validate({
            "store": "fresh-demo", "db": str(path), "api": {"session_hours": 720},
            "fresh": {"markdowns": {"enabled": markdowns}}})
        self.bus = EventBus()
        self.ingest = Ingest(self.db, self.clock, self.config.fusion, store=self.config.store, bus=self.bus)
        self.app = create_app(self)  # type: ignore[arg-type]
        self.mqtt_connected = True
        self._seq = itertools.count(1)
        self.receipts = 0

    def at(self, when: datetime) -> None:
        """The hub's clock follows the world's (never back)."""
        if when > self.clock.now():
            self.clock.set(when)

    def receipt(self, lines: list[dict[str, Any]], when: datetime) -> None:
        from comptoir.contract import PosReceipt

        self.at(when)
        self.receipts += 1
        total = sum(line["quantity"] * line["unit_price_cents"] for line in lines)
        message = PosReceipt.create(device="till-1", seq=next(self._seq), time=when, lane="till-1",
                                    receipt_id=f"F{self.receipts:07d}", total_cents=total, lines=lines)
        self.ingest.handle_batch([message])


class HubRefused(RuntimeError):
    """The hub answered a staff call with an error: the run cannot say true figures after it."""


class InProcessDesk:
    """The back office's way to the in-process hub (simulators/score/fresh.FreshDesk)."""

    def __init__(self, hub: InProcessHub, client: Any) -> None:
        self.hub, self.client = hub, client

    async def sell(self, line: dict[str, Any], when: datetime) -> None:
        self.hub.receipt([line], when)

    async def _call(self, method: str, path: str, when: datetime, **kwargs: Any) -> Any:
        self.hub.at(when)
        response = await self.client.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise HubRefused(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response

    async def post(self, path: str, body: dict[str, Any], when: datetime) -> Any:
        return (await self._call("POST", path, when, json=body)).json()

    async def get(self, path: str, params: dict[str, Any], when: datetime) -> Any:
        return (await self._call("GET", path, when, params=params)).json()

    async def get_text(self, path: str, params: dict[str, Any], when: datetime) -> str:
        return (await self._call("GET", path, when, params=params)).text


def load_history(hub: InProcessHub, shop: FreshShop) -> int:
    """The weeks before the fortnight, one receipt per day and price through the till at noon; receipts sent."""
    by_day: dict[tuple[date, bool], list[dict[str, Any]]] = {}
    for day, gtin, units, price in shop.history():
        promo = price != shop.price[gtin]
        by_day.setdefault((day, promo), []).append({"gtin": gtin, "quantity": units, "unit_price_cents": price})
    for (day, _), lines in sorted(by_day.items()):
        hub.receipt(lines, datetime.combine(day, datetime.min.time(), shop.zone) + timedelta(hours=12))
    return len(by_day)


def kpi_values(kpis: dict[str, Any]) -> dict[str, Any]:
    found = {f["key"]: f for f in kpis.get("figures", [])}
    return {key: {"value": found[key]["value"], "parts": found[key].get("parts")} if key in found else None
            for key in FIGURES}


async def run_fresh(options: FreshOptions) -> dict[str, Any]:
    """One fortnight (``options.days``) of the fresh shop against the in-process hub; the report."""
    import httpx

    workdir = options.workdir / ("markdowns-on" if options.markdowns else "markdowns-off")
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "hub.sqlite").unlink(missing_ok=True)
    zone = ZoneInfo(options.params.timezone)
    start = datetime.combine(FIRST_DAY, datetime.min.time(), zone)
    world = World(seed=options.seed, params=WorldParams(products=1), movers=False, start=start)
    products = fresh_products(load_catalog())[: options.products]
    shop = FreshShop(world, products, options.params, seed=options.seed)
    catalog = reference.write_catalog(world, workdir / "catalog.csv", extra=shop.products, dates=True)
    first_history = start - timedelta(weeks=options.params.history_weeks, days=1)
    hub = InProcessHub(workdir, catalog, options.markdowns, first_history)
    history = load_history(hub, shop)
    hub.at(start)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=hub.app), base_url="http://hub",
                                 headers={"Origin": "http://hub"}) as client:
        signed = await client.post("/api/session", json={"username": "office", "password": hub.password})
        if not signed.is_success:
            raise HubRefused(f"sign-in: {signed.status_code} {signed.text[:300]}")
        office = FreshOffice(shop, InProcessDesk(hub, client), markdowns=options.markdowns)
        await office.drain()  # the opening stock, received
        end = start + timedelta(days=options.days)
        while world.now < end:
            world.advance(STEP_S)
            await office.drain()
            hub.at(world.now)
            hub.ingest.tick()
            shop.sample_shelves()
        last = (end - timedelta(seconds=1)).astimezone(zone).date()
        kpis = (await client.get("/api/kpis", params={"first": FIRST_DAY.isoformat(),
                                                       "last": last.isoformat()})).json()
    office.close()
    hub.db.close()
    truth = shop.truth.as_dict()
    return {"seed": options.seed, "days": options.days, "markdowns": options.markdowns,
            "products": len(shop.products), "elasticity": dict(options.params.elasticity),
            "history_receipts": history, "receipts": hub.receipts,
            "kpis": kpi_values(kpis), "truth": truth, "office": dict(office.done),
            "approved": len(office.approved), "labels_unmatched": office.labels_unmatched[:5]}
