"""The kiosk and the reorder alert use the book figure; the kiosk says when a figure is a book figure."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx

from hub.assistant import phrasing
from hub.inventory.facts import StockReader
from tests.hub.support import NUTELLA, LocalHub
from tests.stock.support import g14, ok

PARIS = ZoneInfo("Europe/Paris")


async def test_the_kiosk_says_a_book_figure_is_one(local: LocalHub, staff: httpx.AsyncClient) -> None:
    local.clock.set(datetime(2026, 3, 12, 9, 30, tzinfo=UTC))
    ok(await staff.post("/api/session", json={"username": "marie", "password": "croissant-42"}))
    ok(await staff.post("/api/stock/adjustments", json={"lines": [{"gtin": NUTELLA, "reason": "count",
                                                                     "quantity": 9}]}))
    now = local.clock.now().timestamp()
    facts = StockReader(local.db, local.ingest.fusion).facts([g14(NUTELLA)], now)[g14(NUTELLA)]
    assert facts.book and facts.on_shelf == 9
    fr = phrasing.shelf_state(facts, PARIS, "fr", now, 3600)
    en = phrasing.shelf_state(facts, PARIS, "en", now, 3600)
    assert fr.startswith("D'après nos registres, il en reste environ 9") and "comptage du 12 mars" in fr
    assert en.startswith("Our records say about 9") and "count of 12 March" in en
    # the public kiosk answer knows the product is available from the book
    product = ok(await staff.get(f"/api/kiosk/products/{NUTELLA}"))
    assert product["availability"] == "in_stock"

    ok(await staff.post("/api/stock/adjustments", json={"lines": [{"gtin": NUTELLA, "reason": "damage",
                                                                     "quantity": 9}]}))
    facts = StockReader(local.db, local.ingest.fusion).facts([g14(NUTELLA)], now)[g14(NUTELLA)]
    assert phrasing.shelf_state(facts, PARIS, "en", now, 3600).startswith("Our records say none are left")
    # the reorder alerts read the same figure: out of stock by the book
    alerts = ok(await staff.get("/api/alerts"))
    assert any(a["kind"] == "out_of_stock" and a["gtin"] == g14(NUTELLA) for a in alerts)
