"""Contract messages published over MQTT become fused inventory and alerts in the API."""

from __future__ import annotations

import threading

import httpx

from comptoir.contract import (
    DeviceStatus,
    GatePassage,
    HubAlert,
    PosReceipt,
    ScaleWeight,
    ShelfCounts,
    ZoneEvent,
    decode,
    gtin14,
)
from tests.hub.support import FLOUR, NUTELLA, OIL, STORE, Devices, HubProcess, Publisher, epc, json_of, wait_for

dev = Devices()


def arrive(n: int, zone: str, gtin: str = NUTELLA, reader: str = "reader-1") -> ZoneEvent:
    return dev.make(ZoneEvent, reader, event="arrived", epc=epc(n), gtin=gtin, location=zone, scheme="sgtin-96")


def shelf(camera: str, slot: str, facings: int, capacity: int = 6) -> ShelfCounts:
    state = "empty" if facings == 0 else "ok"
    return dev.make(
        ShelfCounts,
        camera,
        slots=[{"slot": slot, "state": state, "facings": facings, "capacity": capacity, "confidence": 0.9}],
    )


def open_alerts(client: httpx.Client, kind: str, gtin: str | None = None) -> list[dict]:
    found = json_of(client.get("/api/alerts", params={"kind": kind}))
    return [a for a in found if gtin is None or a["gtin"] == gtin14(gtin)]


def test_rfid_camera_and_till_fuse_into_inventory_and_alerts(hub: HubProcess, publisher: Publisher) -> None:
    staff = hub.client()
    # five jars in the backroom, three on the sales floor, and the camera sees the slot empty
    publisher.send(*[arrive(i, "backroom") for i in range(5)], *[arrive(10 + i, "floor-a2") for i in range(3)])
    publisher.send(shelf("cam-a2", "A2-B1-S3-04", 0))

    def fused() -> dict | None:
        view = json_of(staff.get(f"/api/inventory/{NUTELLA}"))
        return view if view["shelf"]["camera_facings"] == 0 and view["items"]["floor"] == 3 else None

    view = wait_for(fused, what="fused inventory")
    assert view["backroom"]["units"] == 5 and view["backroom"]["source"] == "rfid"
    assert view["floor"]["rfid_units"] == 3
    assert view["on_hand"] == 8
    assert view["shelf"]["source"] == "camera" and view["shelf"]["empty_slots"] == ["A2-B1-S3-04"]
    assert "misplaced_or_hidden" in view["flags"]
    assert view["zones"] == {"backroom": {"backroom": 5}, "floor-a2": {"floor": 3}}
    assert 0 < view["confidence"] < view["backroom"]["confidence"]  # a disagreement lowers confidence

    alert = wait_for(lambda: open_alerts(staff, "shelf_empty_backroom_stock"), what="shelf empty alert")[0]
    assert alert["text"] == "Shelf A2-B1-S3-04 is empty: bring 5 from the backroom (Pâte à tartiner 400 g)"
    assert alert["gtin"] == gtin14(NUTELLA) and alert["quantity"] == 5

    # staff restock: the camera sees four facings again, the alert resolves
    publisher.send(shelf("cam-a2", "A2-B1-S3-04", 4))
    wait_for(lambda: not open_alerts(staff, "shelf_empty_backroom_stock"), what="shelf alert resolved")
    resolved = json_of(staff.get("/api/alerts", params={"state": "resolved", "kind": "shelf_empty_backroom_stock"}))
    assert resolved[0]["resolved_at"] is not None

    item = json_of(staff.get(f"/api/items/{epc(10).lower()}"))
    assert item["state"] == "floor" and item["zone"] == "floor-a2" and item["name"] == "Pâte à tartiner 400 g"


def test_out_of_stock_then_delivery(hub: HubProcess, publisher: Publisher) -> None:
    staff = hub.client()
    tags = [epc(100 + i) for i in range(2)]
    publisher.send(
        *[dev.make(ZoneEvent, "reader-1", event="arrived", epc=t, gtin=OIL, location="floor-a3") for t in tags]
    )
    publisher.send(shelf("cam-a3", "A3-B1-S1-01", 2, capacity=4))
    wait_for(lambda: json_of(staff.get(f"/api/inventory/{OIL}"))["on_hand"] == 2, what="two bottles")
    # both sold with their tags read at the till, and the shelf now looks empty
    receipt = dev.make(
        PosReceipt,
        "lane-1",
        lane="lane-1",
        receipt_id="R-0001",
        total_cents=1698,
        lines=[{"gtin": OIL, "quantity": 2, "unit_price_cents": 849, "epcs": tags}],
    )
    publisher.send(receipt, shelf("cam-a3", "A3-B1-S1-01", 0, capacity=4))
    alert = wait_for(lambda: open_alerts(staff, "out_of_stock"), what="out of stock")[0]
    assert alert["text"] == "Out of stock everywhere: Huile d'olive vierge extra 1 L"
    assert json_of(staff.get(f"/api/items/{tags[0]}"))["state"] == "sold"
    # a delivery arrives at the dock: stock again, the alert resolves
    publisher.send(dev.make(ZoneEvent, "reader-2", event="arrived", epc=epc(200), gtin=OIL, location="dock"))
    wait_for(lambda: not open_alerts(staff, "out_of_stock"), what="out of stock resolved")
    view = json_of(staff.get(f"/api/inventory/{OIL}"))
    assert view["backroom"]["units"] == 1 and view["items"]["sold"] == 2


def test_scale_units_count_as_shelf_stock(hub: HubProcess, publisher: Publisher) -> None:
    staff = hub.client()
    publisher.send(dev.make(ScaleWeight, "scale-7", grams=3010.0, stable=True, slot="A3-B1-S2-02", gtin=FLOUR))
    view = wait_for(
        lambda: (
            json_of(staff.get(f"/api/inventory/{FLOUR}"))["shelf"]["scale_units"] == 3
            and json_of(staff.get(f"/api/inventory/{FLOUR}"))
        ),
        what="scale units",
    )
    assert view["shelf"]["source"] == "scale" and view["shelf"]["units"] == 3 and view["on_hand"] == 3
    # the scale is unplugged and the bridge reports it not ready: its last count is no longer the shelf's
    publisher.send(dev.make(ScaleWeight, "scale-7", status="not_ready", stable=False, slot="A3-B1-S2-02", gtin=FLOUR))
    view = wait_for(
        lambda: (
            json_of(staff.get(f"/api/inventory/{FLOUR}"))["shelf"]["scale_units"] is None
            and json_of(staff.get(f"/api/inventory/{FLOUR}"))
        ),
        what="the unplugged scale's count withdrawn",
    )
    assert view["shelf"]["source"] != "scale"
    # plugged back in: its count stands again
    publisher.send(dev.make(ScaleWeight, "scale-7", grams=3010.0, stable=True, slot="A3-B1-S2-02", gtin=FLOUR))
    wait_for(lambda: json_of(staff.get(f"/api/inventory/{FLOUR}"))["shelf"]["scale_units"] == 3, what="scale back")


def test_a_camera_count_after_the_scale_was_disturbed_outweighs_its_held_count(
    hub: HubProcess, publisher: Publisher
) -> None:
    """Restocking: the scale keeps its empty count while it moves; the camera's clear view of 3 since then wins."""
    staff = hub.client()

    def shelf_view() -> dict:
        return json_of(staff.get(f"/api/inventory/{FLOUR}"))["shelf"]

    def weigh(grams: float, stable: bool) -> ScaleWeight:
        return dev.make(ScaleWeight, "scale-7", grams=grams, stable=stable, slot="A3-B1-S2-02", gtin=FLOUR)

    publisher.send(shelf("cam-a3", "A3-B1-S2-02", 3, capacity=8))  # an older camera count
    publisher.send(weigh(0.0, stable=True))  # then the scale settles empty
    wait_for(lambda: shelf_view()["source"] == "scale" and shelf_view()["units"] == 0, what="scale empty")
    publisher.send(weigh(1510.0, stable=False))  # a hand on the shelf: the settled count (0) stands
    wait_for(lambda: shelf_view()["scale_units"] == 0 and shelf_view()["camera_facings"] == 3, what="held")
    assert shelf_view()["source"] == "scale" and shelf_view()["units"] == 0  # the camera's 3 is older news
    # the camera sees 3 on a clear view while the scale still moves: that is the shelf now
    publisher.send(shelf("cam-a3", "A3-B1-S2-02", 3, capacity=8))
    wait_for(lambda: shelf_view()["source"] == "camera" and shelf_view()["units"] == 3, what="camera over held scale")
    # the scale settles: its count is the shelf's again
    publisher.send(weigh(3010.0, stable=True))
    wait_for(lambda: shelf_view()["source"] == "scale" and shelf_view()["units"] == 3, what="scale settled")


def test_unpaid_exit_raises_an_item_alert_and_paid_by_barcode_does_not(hub: HubProcess, publisher: Publisher) -> None:
    staff = hub.client()
    unpaid, paid = epc(300), epc(301)
    publisher.send(arrive(300, "floor-a2"), arrive(301, "floor-a2"))
    # one jar is paid by barcode (no tag read at the till), then both pass the exit gate
    publisher.send(
        dev.make(
            PosReceipt,
            "lane-1",
            lane="lane-1",
            receipt_id="R-0002",
            total_cents=389,
            lines=[{"gtin": NUTELLA, "quantity": 1, "unit_price_cents": 389}],
        )
    )
    wait_for(lambda: json_of(staff.get(f"/api/items/{paid}"))["state"] == "floor", what="tags on the floor")
    publisher.send(dev.make(GatePassage, "gate-1", gate="gate-1", direction="out", epc=paid, gtin=NUTELLA))
    wait_for(lambda: json_of(staff.get(f"/api/items/{paid}"))["state"] == "sold", what="paid item matched")
    publisher.send(dev.make(GatePassage, "gate-1", gate="gate-1", direction="out", epc=unpaid, gtin=NUTELLA))
    alert = wait_for(lambda: open_alerts(staff, "unpaid_item_exit"), what="unpaid exit alert")[0]
    assert alert["text"] == f"Unpaid item passed the exit gate: Pâte à tartiner 400 g (tag {unpaid})"
    assert alert["epc"] == unpaid
    assert json_of(staff.get(f"/api/items/{unpaid}"))["state"] == "left"
    # the item is brought back in: the condition has ended
    publisher.send(dev.make(GatePassage, "gate-1", gate="gate-1", direction="in", epc=unpaid, gtin=NUTELLA))
    wait_for(lambda: not open_alerts(staff, "unpaid_item_exit"), what="alert resolved by the return")


def test_below_reorder_point_follows_staff_setting(hub: HubProcess, publisher: Publisher) -> None:
    staff = hub.client()
    wait_for(lambda: json_of(staff.get(f"/api/inventory/{FLOUR}"))["on_hand"] == 3, what="flour on the scale")
    put = staff.put(f"/api/products/{FLOUR}/reorder-point", json={"reorder_point": 5})
    assert json_of(put)["reorder_point"] == 5
    alert = wait_for(lambda: open_alerts(staff, "below_reorder_point", FLOUR), what="below reorder point")[0]
    assert alert["text"].startswith("Below reorder point: 3 on hand, reorder point 5 (Farine de blé T55 1 kg")
    publisher.send(dev.make(ScaleWeight, "scale-7", grams=8000.0, stable=True, slot="A3-B1-S2-02", gtin=FLOUR))
    wait_for(lambda: not open_alerts(staff, "below_reorder_point", FLOUR), what="reorder alert resolved")
    # the oil sold earlier has a reorder point computed from its sales: 2 in 28 days, 5 days lead time
    oil = open_alerts(staff, "below_reorder_point", OIL)[0]
    assert "0.07/day over 28 days x 5 days lead time + 50% safety stock" in oil["text"]


def test_device_offline_and_lost_messages(hub: HubProcess, publisher: Publisher) -> None:
    staff = hub.client()
    publisher.send(
        dev.make(DeviceStatus, "cam-a3", seq=7, state="offline", kind="camera", software="t", reason="connection lost")
    )
    alert = wait_for(lambda: open_alerts(staff, "device_offline"), what="offline alert")[0]
    assert alert["device"] == "cam-a3" and "offline: connection lost" in alert["text"]
    publisher.send(dev.make(DeviceStatus, "cam-a3", seq=8, state="online", kind="camera", software="t"))
    wait_for(lambda: not open_alerts(staff, "device_offline"), what="offline resolved")

    start = dev.seq["reader-1"]
    publisher.send(arrive(400, "backroom"))
    publisher.send(
        dev.make(ZoneEvent, "reader-1", seq=start + 5, event="arrived", epc=epc(401), gtin=NUTELLA, location="backroom")
    )
    alert = wait_for(lambda: open_alerts(staff, "messages_lost"), what="sequence gap alert")[0]
    assert alert["quantity"] == 3 and alert["device"] == "reader-1"
    devices = {d["device"]: d for d in json_of(staff.get("/api/devices"))}
    assert devices["reader-1"]["lost"] == 3 and devices["cam-a3"]["state"] == "online"
    # acknowledging needs a signed-in staff member; the event alert then stays open, in hand, until resolved
    anonymous = httpx.post(f"{hub.url}/api/alerts/{alert['id']}/acknowledge")
    assert anonymous.status_code == 401
    done = json_of(staff.post(f"/api/alerts/{alert['id']}/acknowledge"))
    assert done["acknowledged_by"] == "marie" and done["state"] == "open"
    assert json_of(staff.post(f"/api/alerts/{alert['id']}/resolve"))["state"] == "resolved"
    assert not open_alerts(staff, "messages_lost")


def test_live_stream_carries_item_events(hub: HubProcess, publisher: Publisher) -> None:
    staff = hub.client()
    with staff.stream("GET", "/api/stream", timeout=httpx.Timeout(10, read=10)) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        assert next(lines) == ": connected"
        publisher.send(arrive(500, "floor-a2"))
        event = None
        for line in lines:
            if line.startswith("data:") and epc(500) in line:
                event = line
                break
        assert event is not None and '"state":"floor"' in event


def test_alerts_are_published_on_the_hub_alerts_topic(hub: HubProcess, publisher: Publisher) -> None:
    received: list[HubAlert] = []
    subscribed = threading.Event()
    publisher.client.on_subscribe = lambda *a: subscribed.set()
    publisher.client.on_message = lambda c, u, msg: received.append(decode(msg.topic, msg.payload))
    publisher.client.subscribe(f"comptoir/v1/{STORE}/hub/+/alerts", qos=1)
    assert subscribed.wait(10)
    publisher.send(
        dev.make(DeviceStatus, "scale-9", seq=1, state="offline", kind="scale", software="t", reason="shutdown")
    )
    alert = wait_for(lambda: [a for a in received if a.subject_device == "scale-9"], what="alert on MQTT")[0]
    assert alert.kind == "device_offline" and alert.state == "raised" and alert.device == "hub"
    assert alert.text == "Device scale-9 (scale) is offline: shutdown"
