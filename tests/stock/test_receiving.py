"""Receiving a delivery against a purchase order: units enter stock at once; short, over and wrong recorded."""

from __future__ import annotations

import httpx

from comptoir.contract import ZoneEvent
from tests.hub.support import FLOUR, NUTELLA, OIL, LocalHub, epc, make_gtin
from tests.stock.support import dev, g14, ok, purchase_order, refused


async def on_hand(client: httpx.AsyncClient, gtin: str) -> int | None:
    return ok(await client.get(f"/api/inventory/{gtin}"))["on_hand"]


async def test_receiving_an_order_by_hand_puts_its_units_in_stock(local: LocalHub, staff: httpx.AsyncClient) -> None:
    """The issue's finding: receiving a purchase order closed it without adding a single unit to stock."""
    po = purchase_order(local, {FLOUR: 12})
    closed = ok(await staff.post(f"/api/purchase-orders/{po}/receive", json={"lines": [{"gtin": FLOUR,
                                                                                        "quantity": 12}]}))
    assert closed["state"] == "received"
    view = ok(await staff.get(f"/api/inventory/{FLOUR}"))
    assert view["on_hand"] == 12 and view["on_hand_source"] == "book" and view["book"]["basis"] == "received"
    log = ok(await staff.get("/api/stock/adjustments"))
    assert [(r["reason"], r["delta"], r["ref_kind"]) for r in log] == [("received", 12, "delivery")]


async def test_a_delivery_scanned_and_counted_records_short_over_and_wrong(local: LocalHub,
                                                                          staff: httpx.AsyncClient) -> None:
    po = purchase_order(local, {FLOUR: 10, NUTELLA: 5})
    # a scanner types the code and Enter; some add an AIM prefix or send GS1's (01)
    scans = [f"{FLOUR}\r", f"]E0{FLOUR}", f"(01){g14(FLOUR)}", g14(FLOUR)]
    first = ok(await staff.post("/api/stock/deliveries", json={
        "po_id": po, "scans": scans, "lines": [{"gtin": NUTELLA, "quantity": 6}, {"gtin": OIL, "quantity": 2}]}))
    status = {line["gtin"]: (line["quantity"], line["status"]) for line in first["lines"]}
    assert status == {g14(FLOUR): (4, "short"), g14(NUTELLA): (6, "over"), g14(OIL): (2, "wrong")}
    assert first["order_state"] == "open"
    # every unit that arrived is stock at once, the wrong item too: it is in the shop
    assert [await on_hand(staff, g) for g in (FLOUR, NUTELLA, OIL)] == [4, 6, 2]

    second = ok(await staff.post("/api/stock/deliveries", json={"po_id": po, "lines": [{"gtin": FLOUR,
                                                                                        "quantity": 6}]}))
    assert [(x["gtin"], x["received_total"], x["status"]) for x in second["lines"]] == [(g14(FLOUR), 10, "complete")]
    assert second["order_state"] == "received"
    assert await on_hand(staff, FLOUR) == 10
    assert len(ok(await staff.get("/api/stock/deliveries", params={"po_id": po}))) == 2


async def test_a_short_delivery_closed_lists_what_is_missing(local: LocalHub, staff: httpx.AsyncClient) -> None:
    po = purchase_order(local, {FLOUR: 10, NUTELLA: 5})
    out = ok(await staff.post("/api/stock/deliveries", json={"po_id": po, "lines": [{"gtin": FLOUR, "quantity": 10}],
                                                              "close": True}))
    assert out["order_state"] == "received"
    assert [(m["gtin"], m["ordered"], m["received_total"]) for m in out["missing"]] == [(g14(NUTELLA), 5, 0)]
    refused(await staff.post("/api/stock/deliveries", json={"po_id": po, "lines": [{"gtin": FLOUR, "quantity": 1}]}),
            409, "po_id")


async def test_tags_read_at_the_dock_are_received_once(local: LocalHub, staff: httpx.AsyncClient) -> None:
    po = purchase_order(local, {OIL: 4})
    local.ingest.handle_batch([dev.make(ZoneEvent, "reader-2", time=local.clock.now(), event="arrived",
                                        epc=epc(500 + i), gtin=OIL, location="dock") for i in range(3)])
    out = ok(await staff.post("/api/stock/deliveries", json={"po_id": po, "from_dock": True}))
    assert [(x["quantity"], x["status"]) for x in out["lines"]] == [(3, "short")]
    refused(await staff.post("/api/stock/deliveries", json={"po_id": po, "from_dock": True}), 409, "nothing received")
    # a tagged product is counted by its tags: the delivery does not count them twice
    assert await on_hand(staff, OIL) == 3


async def test_bad_deliveries_name_the_field_and_change_nothing(local: LocalHub, staff: httpx.AsyncClient) -> None:
    po = purchase_order(local, {FLOUR: 10})
    cases = [
        ({"po_id": po, "scans": [FLOUR, "3760000000\x1b[A"]}, 422, "scans[1]"),
        ({"po_id": po, "scans": [FLOUR, "3760000000039"]}, 422, "scans[1]"),  # wrong check digit
        ({"po_id": po, "scans": [make_gtin(999)]}, 404, "scans"),  # not in the catalog
        ({"po_id": po, "lines": [{"gtin": make_gtin(999), "quantity": 1}]}, 404, "lines"),
        ({"po_id": po, "lines": [{"gtin": FLOUR, "quantity": -2}]}, 422, "quantity"),
        ({"po_id": 9999, "lines": [{"gtin": FLOUR, "quantity": 2}]}, 404, "po_id"),
        ({"po_id": po}, 409, "lines"),
    ]
    for body, status, field in cases:
        refused(await staff.post("/api/stock/deliveries", json=body), status, field)
    assert ok(await staff.get("/api/stock/deliveries", params={"po_id": po})) == []
    assert ok(await staff.get("/api/stock/adjustments")) == []
    assert ok(await staff.get(f"/api/purchase-orders/{po}"))["lines"][0]["received"] == 0
