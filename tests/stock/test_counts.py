"""Stock-takes and cycle counts: by hand per slot or product, by RFID sweep; the variance; accepting it."""

from __future__ import annotations

import httpx

from comptoir.contract import ZoneEvent
from tests.hub.support import FLOUR, NUTELLA, OIL, LocalHub, epc, make_gtin
from tests.stock.support import dev, g14, ok, refused, sell

NUTELLA_SLOT, FLOUR_SLOT = "A2-B1-S3-04", "A3-B1-S2-02"


async def book(client: httpx.AsyncClient, gtin: str, units: int) -> None:
    ok(await client.post("/api/stock/adjustments", json={"lines": [{"gtin": gtin, "reason": "count",
                                                                     "quantity": units}]}))


async def test_a_shelf_counted_by_slot_shows_its_variance_and_accepting_adjusts(local: LocalHub,
                                                                                 staff: httpx.AsyncClient) -> None:
    await book(staff, NUTELLA, 10)
    count = ok(await staff.post("/api/stock/counts", json={"scope": "shelf", "scope_value": NUTELLA_SLOT}))
    assert [(x["gtin"], x["expected"], x["counted"]) for x in count["lines"]] == [(g14(NUTELLA), 10, None)]
    report = ok(await staff.post(f"/api/stock/counts/{count['id']}/entries",
                                 json={"entries": [{"slot": NUTELLA_SLOT, "counted": 7}]}))
    line = report["lines"][0]
    assert (line["expected"], line["counted"], line["variance"], line["value_cents"]) == (10, 7, -3, -3 * 389)
    assert report["variance_value_cents"] == -1167
    # counting the same slot again replaces the entry; a product counted in the stockroom adds to it
    report = ok(await staff.post(f"/api/stock/counts/{count['id']}/entries", json={"entries": [
        {"slot": NUTELLA_SLOT, "counted": 6}, {"gtin": NUTELLA, "counted": 2}]}))
    assert report["lines"][0]["counted"] == 8

    accepted = ok(await staff.post(f"/api/stock/counts/{count['id']}/accept"))
    assert accepted["state"] == "accepted"
    view = ok(await staff.get(f"/api/inventory/{NUTELLA}"))
    assert view["on_hand"] == 8 and view["book"]["basis"] == "count"
    log = ok(await staff.get("/api/stock/adjustments", params={"reason": "count"}))
    assert (log[0]["before"], log[0]["after"], log[0]["ref_kind"], log[0]["ref_id"]) == (10, 8, "count", count["id"])
    refused(await staff.post(f"/api/stock/counts/{count['id']}/accept"), 409, "count_id")


async def test_tagged_products_counted_by_rfid_sweep(local: LocalHub, staff: httpx.AsyncClient) -> None:
    local.ingest.handle_batch([dev.make(ZoneEvent, "reader-1", time=local.clock.now(), event="arrived",
                                        epc=epc(i), gtin=OIL, location="backroom") for i in range(5)])
    count = ok(await staff.post("/api/stock/counts", json={"scope": "category", "scope_value": "épicerie salée"}))
    assert {x["gtin"] for x in count["lines"]} == {g14(OIL), g14(FLOUR)}
    fixed = ok(await staff.post(f"/api/stock/counts/{count['id']}/sweep", json={"source": "fixed"}))
    oil = next(x for x in fixed["lines"] if x["gtin"] == g14(OIL))
    assert (oil["tagged"], oil["expected"], oil["counted"], oil["variance"]) == (True, 5, 5, 0)
    # a handheld finds four of them, a stray tag the hub never saw, and reads one twice
    hand = ok(await staff.post(f"/api/stock/counts/{count['id']}/sweep", json={
        "source": "handheld", "epcs": [epc(0), epc(1), epc(2), epc(3), epc(3).lower(), "ABCDEF0123"]}))
    assert hand["sweep"] == {"source": "rfid:handheld", "tags": 4, "unknown_tags": 1}
    oil = next(x for x in hand["lines"] if x["gtin"] == g14(OIL))
    assert oil["counted"] == 5 + 4  # the fixed picture and the handheld's are two entries: they add up
    # a long handheld sweep comes in parts: a further part adds to the earlier ones
    more = ok(await staff.post(f"/api/stock/counts/{count['id']}/sweep", json={
        "source": "handheld", "epcs": [epc(4)], "append": True}))
    assert next(x for x in more["lines"] if x["gtin"] == g14(OIL))["counted"] == 5 + 5


async def test_bad_counts_name_the_field_and_store_nothing(local: LocalHub, staff: httpx.AsyncClient,
                                                           manager: httpx.AsyncClient) -> None:
    refused(await staff.post("/api/stock/counts", json={"scope": "shelf", "scope_value": "Z9-NOPE"}), 404,
            "scope_value")
    refused(await staff.post("/api/stock/counts", json={"scope": "aisle", "scope_value": "A3"}), 422, "scope")
    count = ok(await staff.post("/api/stock/counts", json={"scope": "zone", "scope_value": "A3"}))
    entries = f"/api/stock/counts/{count['id']}/entries"
    refused(await staff.post(entries, json={"entries": [{"slot": FLOUR_SLOT, "counted": 3},
                                                        {"slot": "A3-NO-SUCH", "counted": 1}]}), 404,
            "entries[1].slot")
    refused(await staff.post(entries, json={"entries": [{"slot": FLOUR_SLOT, "counted": -1}]}), 422, "counted")
    refused(await staff.post(entries, json={"entries": [{"gtin": make_gtin(999), "counted": 1}]}), 404, "gtin")
    refused(await staff.post(entries, json={"entries": [{"counted": 1}]}), 422, "entries[0]")
    refused(await staff.post(f"/api/stock/counts/{count['id']}/sweep", json={"source": "handheld",
                                                                            "epcs": ["not-hex!"]}), 422, "epcs.0")
    refused(await staff.post(f"/api/stock/counts/{count['id']}/accept"), 409, "entries")
    refused(await staff.get("/api/stock/counts/9999"), 404, "count_id")
    assert all(x["counted"] is None for x in ok(await staff.get(f"/api/stock/counts/{count['id']}"))["lines"])

    # a count that writes off more than the threshold needs a manager to accept it
    await book(manager, FLOUR, 60)
    ok(await staff.post(entries, json={"entries": [{"slot": FLOUR_SLOT, "counted": 30}]}))
    refused(await staff.post(f"/api/stock/counts/{count['id']}/accept"), 403, "quantity")
    assert ok(await staff.get(f"/api/inventory/{FLOUR}"))["on_hand"] == 60
    ok(await manager.post(f"/api/stock/counts/{count['id']}/accept"))
    assert ok(await staff.get(f"/api/inventory/{FLOUR}"))["on_hand"] == 30


async def test_a_sale_between_counting_and_accepting_is_taken_off(local: LocalHub, staff: httpx.AsyncClient) -> None:
    """The book runs from when the shelf was counted, not from when the count was accepted."""
    await book(staff, NUTELLA, 10)
    count = ok(await staff.post("/api/stock/counts", json={"scope": "shelf", "scope_value": NUTELLA_SLOT}))
    local.clock.advance(60)
    ok(await staff.post(f"/api/stock/counts/{count['id']}/entries", json={"entries": [{"slot": NUTELLA_SLOT,
                                                                                          "counted": 9}]}))
    local.clock.advance(60)
    sell(local, NUTELLA, 2, "R-between")  # sold after the shelf was counted, before the manager accepts
    local.clock.advance(600)
    ok(await staff.post(f"/api/stock/counts/{count['id']}/accept"))
    assert ok(await staff.get(f"/api/inventory/{NUTELLA}"))["on_hand"] == 9 - 2
    local.ingest.fusion.load()  # and so after a restart
    assert ok(await staff.get(f"/api/inventory/{NUTELLA}"))["on_hand"] == 9 - 2
