"""Ingest: each message counts once, a killed hub resumes losing nothing, bad payloads land in dead letters."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import httpx
import pytest

from comptoir.contract import ZoneEvent, ZoneEvents, encode, gtin14
from comptoir.link import BrokerSettings, MqttLink
from tests.conftest import BrokerHandle
from tests.hub.support import FLOUR, NUTELLA, OIL, STORE, Devices, HubProcess, Publisher, epc, json_of, now, wait_for

dev = Devices()


def test_a_message_delivered_twice_counts_once(hub: HubProcess, publisher: Publisher) -> None:
    staff = hub.client()
    message = dev.make(ZoneEvent, "reader-1", event="arrived", epc=epc(9000), gtin=FLOUR, location="backroom")
    publisher.send(message, message)
    publisher.send(message)
    marker = dev.make(ZoneEvent, "reader-1", event="arrived", epc=epc(9001), gtin=FLOUR, location="backroom")
    publisher.send(marker)
    wait_for(lambda: staff.get(f"/api/items/{epc(9001)}").status_code == 200, what="the marker")
    view = json_of(staff.get(f"/api/inventory/{FLOUR}"))
    assert view["backroom"]["units"] == 2
    assert json_of(staff.get("/api/health"))["duplicates"] >= 2
    with sqlite3.connect(hub.db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM messages WHERE msg_id = ?", (message.msg_id,)).fetchone()[0] == 1


BAD = [
    ("malformed JSON", "rfid/reader-1/events", b'{"schema": "comptoir.rfid.zone_event", "version":', "not valid JSON"),
    ("wrong version", "rfid/reader-1/events", None, "unsupported version 2"),
    ("unknown topic", "fridge/f-1/temperature", b"{}", "unknown family 'fridge'"),
    ("5 MB payload", "rfid/reader-1/events", b"x" * (5 * 1024 * 1024), "exceeds the limit"),
    ("huge number", "rfid/reader-1/events", "seq", "seq"),
    ("wrong type", "rfid/reader-1/events", "rssi", "rssi"),
]


def _payload(kind: object) -> bytes:
    good = json.loads(encode(dev.make(ZoneEvent, "reader-1", event="arrived", epc=epc(1), location="backroom")))
    if kind is None:
        good["version"] = 2
    elif kind == "seq":
        good["seq"] = 10**30
    elif kind == "rssi":
        good["rssi"] = "strong"
    else:
        return kind  # type: ignore[return-value]
    return json.dumps(good).encode()


@pytest.mark.parametrize(("what", "where", "payload", "reason"), BAD, ids=[b[0] for b in BAD])
def test_bad_payloads_land_in_dead_letters(
    hub: HubProcess, publisher: Publisher, what: str, where: str, payload: object, reason: str
) -> None:
    staff = hub.client()
    before = json_of(staff.get("/api/health"))["dead_letters"]
    topic = f"comptoir/v1/{STORE}/{where}"
    publisher.raw(topic, _payload(payload))
    letter = wait_for(
        lambda: [
            d
            for d in json_of(staff.get("/api/dead-letters", params={"limit": 5}))
            if d["topic"] == topic and reason in d["reason"]
        ],
        what=f"dead letter for {what}",
    )[0]
    assert letter["excerpt"] and len(letter["excerpt"]) <= 300 and letter["received"]
    health = json_of(httpx.get(f"{hub.url}/api/health"))
    assert health["status"] == "ok" and health["dead_letters"] == before + 1
    # and the hub still ingests valid data afterwards
    n = 9100 + BAD.index((what, where, payload, reason))
    publisher.send(dev.make(ZoneEvent, "reader-1", event="arrived", epc=epc(n), gtin=NUTELLA, location="floor-a2"))
    wait_for(lambda: staff.get(f"/api/items/{epc(n)}").status_code == 200, what="a valid message after it")


def test_a_batch_of_zone_events_counts_once_and_one_bad_event_rejects_it_whole(
    hub: HubProcess, publisher: Publisher
) -> None:
    staff = hub.client()
    before = json_of(staff.get(f"/api/inventory/{OIL}"))["backroom"]["units"] or 0
    events = [{"time": now(), "event": "arrived", "epc": epc(9200 + i), "gtin": gtin14(OIL), "location": "backroom"}
              for i in range(50)]
    batch = dev.make(ZoneEvents, "reader-1", events=events)
    publisher.send(batch, batch)  # delivered twice
    wait_for(lambda: staff.get(f"/api/items/{epc(9249)}").status_code == 200, what="the batch's last item")
    publisher.send(batch)  # and once more, later
    bad = json.loads(encode(dev.make(ZoneEvents, "reader-1", events=[
        {"time": now(), "event": "arrived", "epc": epc(9300 + i), "gtin": gtin14(OIL), "location": "floor-a3"}
        for i in range(5)])))
    bad["events"][3]["rssi"] = 99
    topic = f"comptoir/v1/{STORE}/rfid/reader-1/event_batch"
    publisher.raw(topic, json.dumps(bad))
    marker = dev.make(ZoneEvent, "reader-1", event="arrived", epc=epc(9400), gtin=OIL, location="backroom")
    publisher.send(marker)
    wait_for(lambda: staff.get(f"/api/items/{epc(9400)}").status_code == 200, what="the marker after them")
    assert json_of(staff.get(f"/api/inventory/{OIL}"))["backroom"]["units"] == before + 51
    with sqlite3.connect(hub.db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM messages WHERE msg_id = ?", (batch.msg_id,)).fetchone()[0] == 1
    letter = next(d for d in json_of(staff.get("/api/dead-letters", params={"limit": 5})) if d["topic"] == topic)
    assert letter["reason"].startswith("events.3.rssi: ") and "less than or equal to 50" in letter["reason"]
    assert all(staff.get(f"/api/items/{epc(9300 + i)}").status_code == 404 for i in range(5)), "none of it applied"


async def _publish(url: str, outbox: Path, count: int, offset: int) -> tuple[MqttLink, asyncio.Task[None]]:
    """Start a paced device; it goes on publishing in the background, so a kill lands mid-stream."""
    link = MqttLink(
        BrokerSettings(url=url, reconnect_min_s=0.1, reconnect_max_s=0.5),
        store=STORE,
        device="reader-k",
        kind="rfid-reader",
        outbox=outbox,
    )
    await link.start()

    async def emit() -> None:
        # 'backroom-k': a zone the test's zones table binds to no reader, so reader-k may report it (hub/admission.py)
        for start in range(0, count, 250):
            link.emit_many(
                ZoneEvent,
                (
                    {"event": "arrived", "epc": epc(offset + i), "gtin": gtin14(NUTELLA), "location": "backroom-k"}
                    for i in range(start, min(count, start + 250))
                ),
            )
            await asyncio.sleep(0.1)

    return link, asyncio.create_task(emit())


def _stored(db_path: Path, device: str) -> int:
    with sqlite3.connect(db_path) as db:
        return db.execute(
            "SELECT COUNT(*) FROM messages WHERE device = ? AND schema = ?", (device, ZoneEvent.SCHEMA)
        ).fetchone()[0]


async def test_a_hub_killed_mid_stream_resumes_with_nothing_lost_or_doubled(
    broker: BrokerHandle, tmp_path: Path
) -> None:
    hub = HubProcess(tmp_path / "hub", broker.url, hub_id="hub-2")  # beside the module's hub, on the same broker
    hub.prepare()
    hub.start()
    count = 4000
    try:
        link, publishing = await _publish(broker.url, tmp_path / "reader.outbox", count, 20_000)
        # kill -9 once part of the stream is stored, while the device still publishes;
        # the broker keeps the rest for the hub's persistent session
        await asyncio.to_thread(wait_for, lambda: _stored(hub.db_path, "reader-k") >= 500, 30, "first messages")
        hub.kill()
        await publishing
        assert await link.flush(60), "the broker did not take every message"
        stored_at_kill = _stored(hub.db_path, "reader-k")
        assert stored_at_kill < count
        hub.start()
        await asyncio.to_thread(wait_for, lambda: _stored(hub.db_path, "reader-k") == count, 60, "every message")
        staff = hub.client()
        view = json_of(staff.get(f"/api/inventory/{NUTELLA}"))
        assert view["backroom"]["units"] == count
        devices = {d["device"]: d for d in json_of(staff.get("/api/devices"))}
        assert devices["reader-k"]["lost"] == 0 and devices["reader-k"]["last_seq"] == count
        await link.stop()
        link.outbox.close()
    finally:
        hub.stop()


def test_a_deeply_nested_payload_is_a_dead_letter_and_the_valid_events_after_it_are_stored(
    hub: HubProcess, publisher: Publisher
) -> None:
    """Issue 16: ``[`` * 3000 stopped the hub's ingest for good while /api/health still said ok."""
    staff = hub.client()
    topic = f"comptoir/v1/{STORE}/rfid/reader-1/events"
    publisher.raw(topic, "[" * 3000 + "]" * 3000)
    valid = [dev.make(ZoneEvent, "reader-1", event="arrived", epc=epc(9600 + i), gtin=NUTELLA, location="floor-a2")
             for i in range(2)]
    publisher.send(*valid)
    for i in range(2):
        wait_for(lambda i=i: staff.get(f"/api/items/{epc(9600 + i)}").status_code == 200, what=f"valid event {i}")
    letters = json_of(staff.get("/api/dead-letters", params={"limit": 20}))
    assert any(d["topic"] == topic and "nested too deeply" in d["reason"] for d in letters), letters
    health = httpx.get(f"{hub.url}/api/health", timeout=5)
    assert health.status_code == 200 and health.json()["status"] == "ok" and health.json()["queued"] == 0
