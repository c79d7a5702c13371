"""Lots at receiving and at the till: dates typed or scanned, the dock's tags, FEFO, a lot named by a 2D code."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx

from comptoir.contract import PosReceipt, ZoneEvent
from hub.fresh.lots import count_lot
from tests.fresh.conftest import BREAD, YOGHURT
from tests.hub.support import OIL, LocalHub, epc, make_gtin
from tests.stock.support import dev, g14, ok, purchase_order, refused

CLOCK_START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # the ManualClock's start


def lots(local: LocalHub, gtin: str) -> list[tuple]:
    return local.db.execute("SELECT lot, expiry, units, received_units, closed IS NOT NULL FROM lots WHERE gtin = ? "
                            "ORDER BY expiry", (g14(gtin),)).fetchall()


def receipt(receipt_id: str, gtin: str, quantity: int, at: datetime = CLOCK_START, **line) -> PosReceipt:
    return dev.make(PosReceipt, "lane-1", time=at, lane="lane-1", receipt_id=receipt_id,
                    total_cents=190 * quantity,
                    lines=[{"gtin": gtin, "quantity": quantity, "unit_price_cents": 190, **line}])


def sold_lots(local: LocalHub) -> list[tuple]:
    return local.db.execute("SELECT s.receipt_id, s.quantity, l.lot FROM sales s LEFT JOIN lots l ON l.id = s.lot_id "
                            "ORDER BY s.id").fetchall()


async def receive_yoghurts(local: LocalHub, staff: httpx.AsyncClient) -> dict:
    po = purchase_order(local, {YOGHURT: 20, BREAD: 6})
    return ok(await staff.post("/api/stock/deliveries", json={
        "po_id": po,
        "lines": [{"gtin": YOGHURT, "quantity": 12, "lots": [{"lot": "L12", "expiry": "2026-01-09", "quantity": 8},
                                                             {"lot": "L13", "expiry": "2026-01-12", "quantity": 4}]},
                  {"gtin": BREAD, "quantity": 6}],
        # a GS1-128 at the dock: a case of 6 (AI 30) of lot L14, and a DataMatrix unit of lot L12
        "scans": [f"(01){g14(YOGHURT)}(17)260114(10)L14(30)6", f"]d201{g14(YOGHURT)}17260109" "10L12"]}))


async def test_a_delivery_with_typed_and_scanned_lots(local: LocalHub, staff: httpx.AsyncClient) -> None:
    out = await receive_yoghurts(local, staff)
    line = {x["gtin"]: x for x in out["lines"]}
    assert line[g14(YOGHURT)]["quantity"] == 19
    assert [(x["lot"], x["expiry"], x["date_kind"], x["quantity"]) for x in line[g14(YOGHURT)]["lots"]] == [
        ("L12", "2026-01-09", "use_by", 9), ("L13", "2026-01-12", "use_by", 4), ("L14", "2026-01-14", "use_by", 6)]
    assert line[g14(YOGHURT)]["undated"] == 0
    # the bread is dated (best before) but came without a date: accepted, and said undated
    assert line[g14(BREAD)]["lots"] == [] and line[g14(BREAD)]["undated"] == 6
    assert lots(local, YOGHURT) == [("L12", "2026-01-09", 9, 9, 0), ("L13", "2026-01-12", 4, 4, 0),
                                    ("L14", "2026-01-14", 6, 6, 0)]
    # the book holds every unit that arrived
    assert ok(await staff.get(f"/api/inventory/{YOGHURT}"))["on_hand"] == 19


async def test_bad_lots_and_scans_name_the_field_and_change_nothing(local: LocalHub, staff: httpx.AsyncClient) -> None:
    po = purchase_order(local, {YOGHURT: 10})
    cases = [
        ({"po_id": po, "lines": [{"gtin": YOGHURT, "quantity": 5, "lots": [
            {"lot": "L1", "expiry": "2026-01-09", "quantity": 3}]}]}, 422, "lots add up to 3 units but the line says"),
        ({"po_id": po, "scans": [f"(01){g14(YOGHURT)}(17)261340(10)L1"]}, 422, "scans[0]: AI 17"),
        ({"po_id": po, "scans": [f"(01){g14(YOGHURT)}", f"(01){g14(make_gtin(998))}(17)260110"]}, 404, "scans[1]"),
        ({"po_id": po, "scans": [f"(01){g14(YOGHURT)}(10)L1(99)x(23)1"]}, 422, "scans[0]"),
        ({"po_id": po, "lines": [{"gtin": YOGHURT, "quantity": 1, "lots": [
            {"lot": "L1", "expiry": "2026-02-30", "quantity": 1}]}]}, 422, "expiry"),
    ]
    for body, status, field in cases:
        refused(await staff.post("/api/stock/deliveries", json=body), status, field)
    assert lots(local, YOGHURT) == []
    assert ok(await staff.get("/api/stock/adjustments")) == []


async def test_the_till_sells_first_expired_first_out_and_a_lot_closes_at_zero(
        local: LocalHub, staff: httpx.AsyncClient) -> None:
    await receive_yoghurts(local, staff)
    local.ingest.handle_batch([receipt("r1", YOGHURT, 7), receipt("r2", YOGHURT, 3)])
    # r2 takes the last 2 of L12 then 1 of L13: the line is said to be of the lot it started on
    assert sold_lots(local) == [("r1", 7, "L12"), ("r2", 3, "L12")]
    assert lots(local, YOGHURT) == [("L12", "2026-01-09", 0, 9, 1), ("L13", "2026-01-12", 3, 4, 0),
                                    ("L14", "2026-01-14", 6, 6, 0)]
    # a markdown label's 2D code names its lot: that lot is sold, not the first to expire
    local.ingest.handle_batch([receipt("r3", YOGHURT, 2, lot="L14", expiry="2026-01-14")])
    assert sold_lots(local)[-1] == ("r3", 2, "L14")
    assert [x[2] for x in lots(local, YOGHURT)] == [0, 3, 4]
    # a product with no lots sells as before, with no lot
    local.ingest.handle_batch([receipt("r4", OIL, 1)])
    assert sold_lots(local)[-1] == ("r4", 1, None)


async def test_a_sale_whose_write_fails_is_retried_whole_and_loses_nothing(
        local: LocalHub, staff: httpx.AsyncClient) -> None:
    await receive_yoghurts(local, staff)
    # the disk refuses the write that would leave 5 units of L12 (a real SQLite abort in the batch's transaction)
    local.db.execute("CREATE TRIGGER refuse BEFORE UPDATE ON lots WHEN NEW.units = 5 "
                     "BEGIN SELECT RAISE(ABORT, 'disk says no'); END")
    local.ingest.handle_batch([receipt("r1", YOGHURT, 2), receipt("r2", YOGHURT, 2)])
    # the batch failed, was retried message by message: r1 stored with its lot, r2 dead-lettered, no unit lost
    assert sold_lots(local) == [("r1", 2, "L12")]
    assert local.db.execute("SELECT COUNT(*) FROM dead_letters").fetchone()[0] == 1
    assert lots(local, YOGHURT)[0][2] == 7
    local.db.execute("DROP TRIGGER refuse")
    local.ingest.handle_batch([receipt("r5", YOGHURT, 3)])
    assert lots(local, YOGHURT)[0][2] == 4  # memory followed the database, not the failed attempt


async def test_the_docks_tags_take_the_deliverys_lot(local: LocalHub, staff: httpx.AsyncClient) -> None:
    local.db.execute("UPDATE products SET date_kind = 'best_before' WHERE gtin = ?", (g14(OIL),))
    po = purchase_order(local, {OIL: 4})
    local.ingest.handle_batch([dev.make(ZoneEvent, "reader-2", time=local.clock.now(), event="arrived",
                                        epc=epc(700 + i), gtin=OIL, location="dock") for i in range(3)])
    out = ok(await staff.post("/api/stock/deliveries", json={"po_id": po, "from_dock": True, "lines": [
        {"gtin": OIL, "quantity": 0, "lots": [{"lot": "H7", "expiry": "2027-06-30", "quantity": 0}]}]}))
    assert [(x["lot"], x["quantity"], x["tags"]) for x in out["lines"][0]["lots"]] == [("H7", 3, 3)]
    linked = local.db.execute("SELECT epc FROM lot_tags ORDER BY epc").fetchall()
    assert [r[0] for r in linked] == [epc(700 + i) for i in range(3)]
    # a tagged unit sold at the till leaves its own lot
    local.ingest.handle_batch([receipt("t1", OIL, 1, epcs=[epc(701)])])
    assert lots(local, OIL) == [("H7", "2027-06-30", 2, 3, 0)]
    assert sold_lots(local) == [("t1", 1, "H7")]


async def test_a_count_by_lot_sets_its_units(local: LocalHub, staff: httpx.AsyncClient) -> None:
    await receive_yoghurts(local, staff)
    lot_id = local.db.execute("SELECT id FROM lots WHERE lot = 'L13'").fetchone()[0]
    local.ingest.handle_batch([receipt("r1", YOGHURT, 1)])  # ingest has read the lots into memory
    assert count_lot(local.db, local.ingest.fusion.lots, lot_id, 0, 1.0)["closed"] is not None
    local.ingest.handle_batch([receipt("r2", YOGHURT, 9)])  # L12's last 8, then L14 (L13 was counted empty)
    assert [x[2] for x in lots(local, YOGHURT)] == [0, 0, 5]
    assert date(2026, 1, 9).isoformat() == lots(local, YOGHURT)[0][1]
