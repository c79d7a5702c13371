"""Adjustments with reasons, who and when, before and after; the audit log; the book stock they make."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx

from hub.timeutil import iso
from tests.hub.support import FLOUR, NUTELLA, LocalHub, make_gtin
from tests.stock.support import g14, ok, refused, sell


async def adjust(client: httpx.AsyncClient, *lines: dict) -> httpx.Response:
    return await client.post("/api/stock/adjustments", json={"lines": list(lines)})


async def inventory(client: httpx.AsyncClient, gtin: str) -> dict:
    return ok(await client.get(f"/api/inventory/{gtin}"))


async def test_book_stock_is_the_count_plus_received_less_sold_and_adjusted(local: LocalHub,
                                                                          staff: httpx.AsyncClient) -> None:
    # Nutella: a camera is planned for its slot, but none has reported: no sensor counts it
    before = await inventory(staff, NUTELLA)
    assert before["on_hand"] is None and before["book"] is None
    counted_at = local.clock.now()
    ok(await adjust(staff, {"gtin": NUTELLA, "reason": "count", "quantity": 10}))
    view = await inventory(staff, NUTELLA)
    assert (view["on_hand"], view["on_hand_source"]) == (10, "book")
    assert view["book"]["basis"] == "count" and view["book"]["since"] == counted_at.timestamp()
    assert view["book"]["confidence"] == 0.85

    local.clock.advance(60)
    ok(await adjust(staff, {"gtin": NUTELLA, "reason": "received", "quantity": 6}))
    local.clock.advance(60)
    sell(local, NUTELLA, 3, "R-1")
    ok(await adjust(staff, {"gtin": NUTELLA, "reason": "damage", "quantity": 1, "note": "jar broken"}))
    assert (await inventory(staff, NUTELLA))["on_hand"] == 10 + 6 - 3 - 1

    # the confidence of a book figure halves every book_half_life_days (7) since the count it runs from
    local.clock.advance(timedelta(days=7).total_seconds() - 120)
    ok(await staff.post("/api/session", json={"username": "marie", "password": "croissant-42"}))  # a new day
    aged = await inventory(staff, NUTELLA)
    assert aged["book"]["confidence"] == 0.425 and aged["confidence"] == 0.425

    # a restarted hub reads the same book back from the database
    local.ingest.fusion.load()
    assert (await inventory(staff, NUTELLA))["on_hand"] == 12


async def test_a_sale_before_the_count_is_in_the_count_already(local: LocalHub, staff: httpx.AsyncClient) -> None:
    sell(local, FLOUR, 2, "R-early")
    local.clock.advance(10)
    ok(await adjust(staff, {"gtin": FLOUR, "reason": "count", "quantity": 5}))
    local.ingest.fusion.load()
    assert (await inventory(staff, FLOUR))["on_hand"] == 5


async def test_every_adjustment_is_in_the_audit_log_with_who_when_before_and_after(
        local: LocalHub, staff: httpx.AsyncClient, manager: httpx.AsyncClient) -> None:
    ok(await adjust(staff, {"gtin": FLOUR, "reason": "count", "quantity": 8}))
    local.clock.advance(3600)
    rows = ok(await adjust(manager, {"gtin": FLOUR, "reason": "own_use", "quantity": 2, "note": "=HYPERLINK(1)"},
                           {"gtin": NUTELLA, "reason": "found", "quantity": 1}))
    assert [(r["gtin"], r["reason"], r["before"], r["after"], r["delta"]) for r in rows] == [
        (g14(NUTELLA), "found", 0, 1, 1), (g14(FLOUR), "own_use", 8, 6, -2)]
    assert {r["user"] for r in rows} == {"paul"} and rows[0]["time"] == iso(local.clock.now().timestamp())
    log = ok(await staff.get("/api/stock/adjustments"))
    assert [r["reason"] for r in log] == ["found", "own_use", "count"]
    assert [r["user"] for r in ok(await staff.get("/api/stock/adjustments", params={"user": "marie"}))] == ["marie"]
    assert len(ok(await staff.get("/api/stock/adjustments", params={"reason": "own_use"}))) == 1
    assert len(ok(await staff.get("/api/stock/adjustments", params={"q": "farine"}))) == 2
    assert len(ok(await staff.get("/api/stock/adjustments", params={"gtin": FLOUR}))) == 2
    since = iso(local.clock.now().timestamp() - 60)
    assert len(ok(await staff.get("/api/stock/adjustments", params={"since": since}))) == 2

    export = await staff.get("/api/stock/adjustments.csv", params={"gtin": FLOUR})
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(export.text)))
    assert [(r["reason"], r["before"], r["after"], r["user"]) for r in table] == [
        ("own_use", "8", "6", "paul"), ("count", "0", "8", "marie")]
    assert table[0]["note"] == "'=HYPERLINK(1)" and table[0]["value_eur"] == "-2.7"


async def test_above_the_threshold_only_a_manager_may_adjust(local: LocalHub, staff: httpx.AsyncClient,
                                                             manager: httpx.AsyncClient) -> None:
    ok(await adjust(staff, {"gtin": FLOUR, "reason": "count", "quantity": 20}))
    refused(await adjust(staff, {"gtin": FLOUR, "reason": "theft_found", "quantity": 21}), 403, "quantity")
    refused(await adjust(staff, {"gtin": FLOUR, "reason": "count", "quantity": 50}), 403, "quantity")
    assert (await inventory(staff, FLOUR))["on_hand"] == 20
    ok(await adjust(manager, {"gtin": FLOUR, "reason": "count", "quantity": 50}))
    assert (await inventory(staff, FLOUR))["on_hand"] == 50


async def test_bad_adjustments_name_the_field_and_apply_nothing(local: LocalHub, staff: httpx.AsyncClient) -> None:
    unknown = make_gtin(999)  # a right check digit, no such product
    refused(await adjust(staff, {"gtin": unknown, "reason": "damage", "quantity": 1}), 404, "gtin")
    refused(await adjust(staff, {"gtin": "3760000000039", "reason": "damage", "quantity": 1}), 404, "gtin")  # check
    refused(await adjust(staff, {"gtin": "376000000003", "reason": "damage", "quantity": 1}), 404, "gtin")  # digit
    refused(await adjust(staff, {"gtin": "37600000000", "reason": "damage", "quantity": 1}), 422, "gtin")
    refused(await adjust(staff, {"gtin": FLOUR, "reason": "damage", "quantity": -1}), 422, "quantity")
    refused(await adjust(staff, {"gtin": FLOUR, "reason": "lost_in_space", "quantity": 1}), 422, "reason")
    refused(await adjust(staff, {"gtin": FLOUR, "reason": "damage", "quantity": "3"}), 422, "quantity")
    # one bad line among good ones: none is applied
    refused(await adjust(staff, {"gtin": FLOUR, "reason": "count", "quantity": 4},
                         {"gtin": unknown, "reason": "count", "quantity": 4}), 404, "lines[1].gtin")
    assert ok(await staff.get("/api/stock/adjustments")) == []
    assert (await inventory(staff, FLOUR))["book"] is None
