"""Waste through the fresh API, and the expiry alerts the hub's tick raises (in the shop's time zone)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx

from hub.alerts import KIND_RANK, SAFETY_RANK
from tests.fresh.conftest import BREAD, YOGHURT
from tests.fresh.test_lots import receipt, receive_yoghurts
from tests.hub.support import LocalHub
from tests.stock.support import g14, ok, purchase_order, refused


def lot_id(local: LocalHub, lot: str) -> int:
    return local.db.execute("SELECT id FROM lots WHERE lot = ?", (lot,)).fetchone()[0]


def open_alerts(local: LocalHub) -> dict[str, tuple]:
    return {a.key: (a.kind, a.severity, a.quantity) for a in local.ingest.alerts.open.values()
            if a.kind in ("expiring_soon", "use_by_passed", "fefo_order")}


async def test_waste_is_valued_at_cost_and_takes_stock_and_the_lot_down(local: LocalHub,
                                                                        staff: httpx.AsyncClient) -> None:
    await receive_yoghurts(local, staff)
    row = ok(await staff.post("/api/fresh/waste", json={"gtin": YOGHURT, "lot_id": lot_id(local, "L12"),
                                                        "quantity": 3, "reason": "expired", "note": "=cmd|calc"}))
    assert (row["lot"], row["quantity"], row["unit_cost_cents"], row["value_cents"], row["at_cost"]) == \
        ("L12", 3, 110, 330, True)
    assert ok(await staff.get(f"/api/inventory/{YOGHURT}"))["on_hand"] == 19 - 3
    log = ok(await staff.get("/api/stock/adjustments"))
    assert (log[0]["reason"], log[0]["delta"], log[0]["ref_kind"], log[0]["ref_id"]) == ("expired", -3, "waste",
                                                                                         row["id"])
    assert [x["units"] for x in ok(await staff.get("/api/fresh/lots", params={"gtin": YOGHURT}))] == [6, 4, 6]
    # a scanned DataMatrix names the product and its lot; a donation is its own reason
    given = ok(await staff.post("/api/fresh/waste", json={
        "code": f"]d201{g14(YOGHURT)}17260114" "10L14", "quantity": 6, "reason": "donated"}))
    assert (given["lot"], given["reason"]) == ("L14", "donated")
    assert [x["lot"] for x in ok(await staff.get("/api/fresh/lots", params={"gtin": YOGHURT}))] == ["L12", "L13"]
    # no cost in the catalog: valued at shelf price, and said so (the CSV too)
    bread = ok(await staff.post("/api/fresh/waste", json={"gtin": BREAD, "quantity": 2, "reason": "damaged"}))
    assert (bread["value_cents"], bread["at_cost"], bread["unit_cost_cents"]) == (480, False, None)
    rows = list(csv.DictReader(io.StringIO((await staff.get("/api/fresh/waste.csv")).text)))
    assert [(r["reason"], r["value_eur"], r["valued_at"]) for r in rows] == [
        ("damaged", "4.8", "shelf_price"), ("donated", "6.6", "cost"), ("expired", "3.3", "cost")]
    assert rows[-1]["note"] == "'=cmd|calc"  # a formula typed in a note is text in a spreadsheet
    assert [r["reason"] for r in ok(await staff.get("/api/fresh/waste", params={"reason": "expired"}))] == ["expired"]


async def test_bad_waste_names_the_field_and_writes_nothing(local: LocalHub, staff: httpx.AsyncClient) -> None:
    await receive_yoghurts(local, staff)
    cases = [
        ({"gtin": YOGHURT, "quantity": 0, "reason": "expired"}, 422, "quantity"),
        ({"gtin": YOGHURT, "quantity": 1, "reason": "stolen"}, 422, "reason"),
        ({"quantity": 1, "reason": "expired"}, 422, "gtin"),
        ({"code": f"(01){g14(YOGHURT)}(17)261340", "quantity": 1, "reason": "expired"}, 422, "code: AI 17"),
        ({"gtin": BREAD, "lot_id": lot_id(local, "L12"), "quantity": 1, "reason": "expired"}, 422, "lot_id"),
        ({"gtin": YOGHURT, "lot_id": 999, "quantity": 1, "reason": "expired"}, 404, "lot_id"),
    ]
    for body, status, field in cases:
        refused(await staff.post("/api/fresh/waste", json=body), status, field)
    assert ok(await staff.get("/api/fresh/waste")) == []
    assert ok(await staff.get("/api/stock/adjustments", params={"reason": "expired"})) == []


async def test_the_tick_raises_expiry_alerts_and_they_resolve(local: LocalHub, staff: httpx.AsyncClient) -> None:
    assert KIND_RANK["use_by_passed"] == SAFETY_RANK
    await receive_yoghurts(local, staff)  # L12 dated 9 January, L13 the 12th, L14 the 14th; today the 5th
    local.ingest.tick()
    assert open_alerts(local) == {}  # warn_days 2: nothing yet
    local.clock.set(local.clock.now().replace(day=7, hour=10))
    local.ingest.tick()
    assert open_alerts(local) == {f"expiring_soon:{lot_id(local, 'L12')}": ("expiring_soon", "warning", 9)}
    alert = next(iter(local.ingest.alerts.open.values()))
    assert "9 janvier 2026" in alert.message("fr") and "9 January 2026" in alert.message("en")
    # the 9th ends at midnight in Paris (23:00 UTC): at 23:30 UTC the use-by date has passed there
    local.clock.set(local.clock.now().replace(day=9, hour=23, minute=30))
    local.ingest.handle_batch([receipt("r1", YOGHURT, 1, local.clock.now(), lot="L14",
                                       expiry="2026-01-14")])
    local.ingest.tick()
    kinds = open_alerts(local)
    assert kinds[f"use_by_passed:{lot_id(local, 'L12')}"] == ("use_by_passed", "critical", 9)
    # the till sold from L14 while L12 and L13 wait: older stock left behind newer
    assert kinds[f"fefo_order:{lot_id(local, 'L13')}"][0] == "fefo_order"
    assert "DLC" in local.ingest.alerts.open[f"use_by_passed:{lot_id(local, 'L12')}"].message("fr")
    ok(await staff.post("/api/session", json={"username": "marie", "password": "croissant-42"}))  # days later
    listed = ok(await staff.get("/api/fresh/expiring"))
    assert [x["lot"] for x in listed["use_by_passed"]] == ["L12"] and listed["use_by_passed"][0]["days_left"] == -1
    # written off: its alerts resolve at once
    ok(await staff.post("/api/fresh/waste", json={"gtin": YOGHURT, "lot_id": lot_id(local, "L12"), "quantity": 9,
                                                   "reason": "expired"}))
    assert f"use_by_passed:{lot_id(local, 'L12')}" not in open_alerts(local)
    ok(await staff.post(f"/api/fresh/lots/{lot_id(local, 'L13')}/count", json={"units": 0}))
    assert not any(k.startswith("fefo_order") for k in open_alerts(local))


async def test_days_left_follow_the_shops_calendar(local: LocalHub, staff: httpx.AsyncClient) -> None:
    po = purchase_order(local, {YOGHURT: 1})
    ok(await staff.post("/api/stock/deliveries", json={"po_id": po, "lines": [
        {"gtin": YOGHURT, "quantity": 1, "lots": [{"lot": "A", "expiry": "2026-01-06", "quantity": 1}]}]}))
    # 23:30 UTC on the 5th is already the 6th in Paris (UTC+1 in winter): its date is today there
    local.clock.set(local.clock.now().replace(hour=23, minute=30))
    ok(await staff.post("/api/session", json={"username": "marie", "password": "croissant-42"}))
    assert [x["days_left"] for x in ok(await staff.get("/api/fresh/lots"))] == [0]
    local.clock.advance(timedelta(days=1).total_seconds())
    ok(await staff.post("/api/session", json={"username": "marie", "password": "croissant-42"}))
    assert [x["days_left"] for x in ok(await staff.get("/api/fresh/lots"))] == [-1]


async def test_the_fresh_page_says_dates_and_waste_in_the_readers_language(local: LocalHub,
                                                                          staff: httpx.AsyncClient) -> None:
    await receive_yoghurts(local, staff)
    ok(await staff.post("/api/fresh/waste", json={"gtin": BREAD, "quantity": 1, "reason": "damaged"}))
    local.clock.set(local.clock.now().replace(day=7, hour=9))  # L12 is dated the 9th: within 2 days
    ok(await staff.post("/api/session", json={"username": "marie", "password": "croissant-42"}))
    staff.cookies.set("comptoir_lang", "fr")
    french = await staff.get("/fresh")
    assert french.status_code == 200
    assert "9 janvier 2026" in french.text and "2,40" in french.text and "au prix de vente" in french.text
    assert "Pain de campagne" in french.text  # received without a date: listed to date
    staff.cookies.set("comptoir_lang", "en")
    english = (await staff.get("/fresh")).text
    assert "9 January 2026" in english and "€2.40" in english and "Record waste" in english


async def test_the_waste_log_reads_days_of_the_shops_calendar(local: LocalHub, staff: httpx.AsyncClient) -> None:
    ok(await staff.post("/api/fresh/waste", json={"gtin": BREAD, "quantity": 1, "reason": "damaged"}))
    assert len(ok(await staff.get("/api/fresh/waste", params={"since": "2026-01-05", "until": "2026-01-05"}))) == 1
    assert ok(await staff.get("/api/fresh/waste", params={"since": "2026-01-06"})) == []
    assert len(ok(await staff.get("/api/fresh/waste", params={"since": "0001-01-01", "until": "9999-12-31"}))) == 1
    refused(await staff.get("/api/fresh/waste", params={"since": "2026-13-01"}), 422, "since")
