"""Who may say what, and when (hub/admission.py), through a real broker and a real ``comptoir hub`` process.

Each forged or impossible message is published as a device would (the test
broker has no ACL: here the hub's own rules are what stands), then a valid
marker from the rightful device; the forged one must be a dead letter naming
its rule, the marker stored, and the forged data nowhere in the inventory.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from comptoir.contract import (
    GatePassage,
    PosReceipt,
    ScaleWeight,
    ShelfCounts,
    ZoneEvent,
    ZoneEvents,
    ZoneSnapshot,
    encode,
)
from tests.conftest import BrokerHandle
from tests.hub.support import (
    FLOUR,
    NUTELLA,
    OIL,
    STORE,
    Devices,
    HubProcess,
    Publisher,
    comptoir,
    epc,
    json_of,
    now,
    wait_for,
)

dev = Devices()
#: the gate, listed in zones.csv as a zone of kind exit with the reader whose antennas make it
GATE_ZONES = "alias,kind,reader,antenna\ngate-exit,exit,reader-door,\n"


@pytest.fixture(scope="module")
def hub(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory) -> Any:
    process = HubProcess(Path(tmp_path_factory.mktemp("hub")), broker.url, fusion={"exit_grace_s": 0.5})
    process.prepare()
    config = yaml.safe_load(process.config_path.read_text())
    config["admission"] = {"lanes": {"lane-1": "pos-1"}}
    process.config_path.write_text(yaml.safe_dump(config))
    zones = process.workdir / "gate.csv"
    zones.write_text(GATE_ZONES)
    done = comptoir("hub", "--config", str(process.config_path), "import-zones", str(zones))
    assert done.returncode == 0, done.stderr
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def staff(hub: HubProcess) -> Any:
    """One sign-in for the module: the hub limits sign-ins per minute (api.login_rate_per_minute)."""
    client = hub.client()
    try:
        yield client
    finally:
        client.close()


def dead_letter(staff: httpx.Client, topic_part: str, reason: str) -> dict[str, Any]:
    return wait_for(
        lambda: [d for d in json_of(staff.get("/api/dead-letters", params={"limit": 50}))
                 if topic_part in d["topic"] and reason in d["reason"]],
        what=f"a dead letter on {topic_part} saying {reason!r}",
    )[0]


def item(staff: httpx.Client, n: int) -> dict[str, Any] | None:
    response = staff.get(f"/api/items/{epc(n)}")
    return json_of(response) if response.status_code == 200 else None


def test_a_reader_cannot_report_another_readers_zone(staff: httpx.Client, publisher: Publisher) -> None:
    # cam-a2's credentials on its own rfid topic (the broker's ACL would stop even that; here the hub does)
    publisher.send(dev.make(ZoneEvent, "cam-a2", event="arrived", epc=epc(100), gtin=NUTELLA, location="backroom"))
    publisher.send(dev.make(ZoneEvent, "reader-1", event="arrived", epc=epc(101), gtin=NUTELLA, location="backroom"))
    letter = dead_letter(staff, "rfid/cam-a2/events", "zone 'backroom' belongs to reader 'reader-1', not 'cam-a2'")
    assert letter["field"] == "location"
    wait_for(lambda: item(staff, 101), what="the rightful reader's event")
    assert item(staff, 100) is None


def test_a_batch_keeps_the_readers_own_zones_and_refuses_the_rest(staff: httpx.Client, publisher: Publisher) -> None:
    t = now()
    events = [{"event": "arrived", "epc": epc(110 + i), "gtin": FLOUR, "location": where, "time": t}
              for i, where in enumerate(["dock", "backroom", "dock", "floor-a2"])]
    publisher.send(dev.make(ZoneEvents, "reader-2", events=events))
    letter = dead_letter(staff, "rfid/reader-2/event_batch", "belongs to reader 'reader-1', not 'reader-2'")
    assert "and 1 more" in letter["reason"]  # two events refused, one dead letter
    wait_for(lambda: item(staff, 110) and item(staff, 112), what="the reader's own dock events")
    assert item(staff, 111) is None and item(staff, 113) is None


def test_a_moved_event_from_another_readers_zone_is_refused(staff: httpx.Client, publisher: Publisher) -> None:
    publisher.send(dev.make(ZoneEvent, "reader-2", event="moved", epc=epc(120), gtin=FLOUR, location="dock",
                            from_location="floor-a3"))
    letter = dead_letter(staff, "rfid/reader-2/events", "zone 'floor-a3' belongs to reader 'reader-1'")
    assert letter["field"] == "from_location"


def test_a_snapshot_keeps_only_the_readers_zones(hub: HubProcess, staff: httpx.Client, publisher: Publisher) -> None:
    publisher.send(dev.make(ZoneSnapshot, "reader-2", zones={"dock": {FLOUR: 3}, "backroom": {FLOUR: 40}}))
    dead_letter(staff, "rfid/reader-2/snapshot", "zone 'backroom' belongs to reader 'reader-1', not 'reader-2'")
    with sqlite3.connect(hub.db_path) as db:
        rows = wait_for(lambda: db.execute("SELECT zone, count FROM snapshot_counts WHERE reader = 'reader-2'")
                        .fetchall(), what="the snapshot's own zone")
    assert rows == [("dock", 3)]


def test_a_gate_passage_only_from_the_gates_reader(staff: httpx.Client, publisher: Publisher) -> None:
    publisher.send(dev.make(ZoneEvent, "reader-1", event="arrived", epc=epc(130), gtin=NUTELLA, location="floor-a2"))
    wait_for(lambda: item(staff, 130), what="the item on the floor")
    forged = dev.make(GatePassage, "cam-a2", gate="gate-exit", direction="out", epc=epc(130), gtin=NUTELLA)
    publisher.send(forged)
    dead_letter(staff, "gate/gate-exit/passages", "gate 'gate-exit' belongs to reader 'reader-door', not 'cam-a2'")
    publisher.send(dev.make(GatePassage, "reader-door", gate="gate-exit", direction="out", epc=epc(131),
                            gtin=NUTELLA))
    wait_for(lambda: (item(staff, 131) or {}).get("state") == "left", what="the gate reader's passage")
    assert item(staff, 130)["state"] == "floor"  # the forged passage moved nothing


def test_a_receipt_only_from_its_lanes_till(staff: httpx.Client, publisher: Publisher) -> None:
    """The issue's attack: a camera's password publishes a receipt that would pay for a stolen item."""
    publisher.send(dev.make(ZoneEvent, "reader-1", event="arrived", epc=epc(140), gtin=OIL, location="floor-a3"))
    wait_for(lambda: item(staff, 140), what="the item on the floor")
    line = [{"gtin": OIL, "quantity": 1, "unit_price_cents": 849, "epcs": [epc(140)]}]
    publisher.send(dev.make(PosReceipt, "cam-a2", lane="lane-1", receipt_id="F-1", lines=line, total_cents=849))
    dead_letter(staff, "pos/lane-1/receipts", "lane 'lane-1' belongs to till 'pos-1', not 'cam-a2'")
    publisher.send(dev.make(PosReceipt, "pos-9", lane="lane-9", receipt_id="F-2", lines=line, total_cents=849))
    dead_letter(staff, "pos/lane-9/receipts", "lane 'lane-9' is not one of admission.lanes (lane-1)")
    assert not item(staff, 140)["paid"]
    publisher.send(dev.make(PosReceipt, "pos-1", lane="lane-1", receipt_id="R-1", lines=line, total_cents=849))
    wait_for(lambda: item(staff, 140)["paid"], what="the till's own receipt")


def test_a_camera_counts_only_its_own_slots(staff: httpx.Client, publisher: Publisher) -> None:

    def slot(name: str, facings: int) -> dict[str, Any]:
        return {"slot": name, "state": "ok", "facings": facings, "capacity": 6, "confidence": 0.9}

    publisher.send(dev.make(ShelfCounts, "cam-a3", slots=[slot("A2-B1-S3-04", 0), slot("A3-B1-S1-01", 3)]))
    dead_letter(staff, "vision/cam-a3/shelf", "slot 'A2-B1-S3-04' belongs to camera 'cam-a2', not 'cam-a3'")
    wait_for(lambda: json_of(staff.get(f"/api/inventory/{OIL}"))["shelf"]["units"] == 3, what="its own slot")
    assert json_of(staff.get(f"/api/inventory/{NUTELLA}"))["shelf"]["units"] is None  # never counted by cam-a3


def test_a_scale_weighs_only_its_own_slot(staff: httpx.Client, publisher: Publisher) -> None:
    publisher.send(dev.make(ScaleWeight, "scale-9", grams=0.0, stable=True, slot="A3-B1-S2-02", gtin=FLOUR))
    letter = dead_letter(staff, "scale/scale-9/weight", "slot 'A3-B1-S2-02' belongs to scale 'scale-7', not 'scale-9'")
    assert letter["field"] == "slot"
    publisher.send(dev.make(ScaleWeight, "scale-7", grams=3010.0, stable=True, slot="A3-B1-S2-02", gtin=FLOUR))
    wait_for(lambda: json_of(staff.get(f"/api/inventory/{FLOUR}"))["shelf"]["units"] == 3, what="scale-7's weight")


def test_an_event_dated_years_ahead_is_refused_and_does_not_freeze_the_item(
    staff: httpx.Client, publisher: Publisher
) -> None:
    publisher.send(dev.make(ZoneEvent, "reader-1", event="arrived", epc=epc(150), gtin=NUTELLA, location="backroom",
                            time=now() + timedelta(days=5 * 365)))
    letter = dead_letter(staff, "rfid/reader-1/events", "ahead of the hub's clock")
    assert letter["field"] == "time" and "future_tolerance_s" in letter["reason"]
    # what happens now still moves the item: nothing dated 2031 holds it
    publisher.send(dev.make(ZoneEvent, "reader-1", event="arrived", epc=epc(150), gtin=NUTELLA, location="floor-a2"))
    wait_for(lambda: (item(staff, 150) or {}).get("zone") == "floor-a2", what="the present event applied")
    publisher.send(dev.make(ZoneEvent, "reader-1", event="moved", epc=epc(150), gtin=NUTELLA, location="backroom",
                            from_location="floor-a2"))
    wait_for(lambda: item(staff, 150)["zone"] == "backroom", what="the next event applied too")


def test_a_batched_event_dated_ahead_is_refused_alone(staff: httpx.Client, publisher: Publisher) -> None:
    t = now()
    events = [{"event": "arrived", "epc": epc(160), "gtin": FLOUR, "location": "backroom", "time": t},
              {"event": "arrived", "epc": epc(161), "gtin": FLOUR, "location": "backroom",
               "time": t + timedelta(hours=2)}]
    publisher.send(dev.make(ZoneEvents, "reader-1", events=events))
    letter = dead_letter(staff, "rfid/reader-1/event_batch", "ahead of the hub's clock")
    assert letter["field"] == "events.time"
    wait_for(lambda: item(staff, 160), what="the batch's present event")
    assert item(staff, 161) is None


def test_a_payload_naming_another_device_than_its_topic_is_refused(staff: httpx.Client, publisher: Publisher) -> None:
    """The contract's own check (comptoir/contract/codec.py), kept here with the hub's rules it completes."""
    payload = json.loads(encode(dev.make(ZoneEvent, "cam-a2", event="arrived", epc=epc(170), location="backroom")))
    publisher.raw(f"comptoir/v1/{STORE}/rfid/reader-1/events", json.dumps(payload).encode())
    dead_letter(staff, "rfid/reader-1/events", "topic id 'reader-1' does not match the payload's 'cam-a2'")
    assert item(staff, 170) is None
