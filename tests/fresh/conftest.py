"""Fixtures of the fresh-food tests: the test shop plus dated products (a use-by yoghurt with its cost, a
best-before bread without), the real app over real SQLite and real ingest, in process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from comptoir.clock import ManualClock
from hub.auth import create_user
from hub.catalog import import_products
from hub.config import FusionSettings, HubConfig
from hub.events import EventBus
from hub.ingest import Ingest
from hub.timeutil import ts
from tests.hub.support import LocalHub, make_gtin, reference_database
from tests.stock.conftest import _client

YOGHURT = make_gtin(2101)
BREAD = make_gtin(2102)
CATALOG = f"""gtin,name,brand,category,price_eur,unit_weight_g,aisle,shelf,pack_size,supplier,lead_time_days,\
date_kind,cost_eur
{YOGHURT},Yaourt nature x4,Laiterie,dairy,1.90,500,D1,S1,1,Laiterie,1,use_by,1.10
{BREAD},Pain de campagne,Fournil,bakery,2.40,400,B1,S1,1,Fournil,1,best_before,
"""


@pytest.fixture
def local(tmp_path: Path) -> LocalHub:
    db = reference_database(tmp_path)
    path = tmp_path / "fresh.csv"
    path.write_text(CATALOG, encoding="utf-8")
    import_products(db, path)
    clock = ManualClock()
    create_user(db, "marie", "croissant-42", "staff", ts(clock.now()))
    create_user(db, "paul", "croissant-43", "manager", ts(clock.now()))
    bus = EventBus()
    config = HubConfig(store="test", db=tmp_path / "hub.sqlite", timezone="Europe/Paris")
    ingest = Ingest(db, clock, FusionSettings(), store="test", bus=bus, shop_zone=config.zone)
    return LocalHub(config, db, ingest, bus, clock)


@pytest.fixture
async def staff(local: LocalHub) -> AsyncIterator[httpx.AsyncClient]:
    client = await _client(local, "marie", "croissant-42")
    try:
        yield client
    finally:
        await client.aclose()
