"""Silence rules per device kind: a quiet shop raises nothing, a dead device still does.

The issue counted 76 alerts by mid-afternoon, most "till-1 / cam-a1-b1 muet" after 300 s: a till that sells
nothing for five minutes is normal, and so is a camera switched off at night. The quiet evening and night run
in process on the hub's (manual) clock; the dead till runs against a real hub process and mosquitto, its death
told by the broker through its Last Will.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from comptoir.clock import ManualClock
from comptoir.contract import DeviceStatus, ScaleWeight, ShelfCounts, ZoneSnapshot, encode
from comptoir.contract.topics import topic
from hub.config import FusionSettings
from hub.ingest import Ingest
from hub.inventory.settings import SilenceRule, SilenceSettings
from tests.conftest import BrokerHandle
from tests.hub.support import FLOUR, STORE, Devices, HubProcess, json_of, reference_database, wait_for

PARIS = ZoneInfo("Europe/Paris")
EVENING = datetime(2026, 1, 5, 18, 0, tzinfo=PARIS)  # a Monday, two hours before closing (20:00)
STEP = timedelta(minutes=2)  # every device that publishes does so at least this often


def quiet_shop(tmp_path: Path, settings: FusionSettings) -> tuple[Ingest, ManualClock, Devices]:
    clock = ManualClock(EVENING)
    ingest = Ingest(reference_database(tmp_path), clock, settings, store="test", shop_zone=PARIS)
    dev = Devices()
    at = clock.now()
    ingest.handle_batch([dev.make(DeviceStatus, device, time=at, state="online", kind=kind, software="t")
                         for device, kind in (("reader-1", "rfid-reader"), ("gate-1", "rfid-reader"),
                                              ("cam-a2", "camera"), ("scale-7", "scale"), ("pos-1", "pos"))])
    return ingest, clock, dev


def live_one_step(ingest: Ingest, clock: ManualClock, dev: Devices, *, cameras: bool) -> None:
    """Two minutes of a shop where nothing sells and nothing moves: only the devices' own heartbeats."""
    clock.advance(STEP.total_seconds())
    at = clock.now()
    beats = [dev.make(ZoneSnapshot, "reader-1", time=at, zones={}), dev.make(ZoneSnapshot, "gate-1", time=at, zones={}),
             dev.make(ScaleWeight, "scale-7", time=at, grams=1010.0, stable=True, slot="A3-B1-S2-02", gtin=FLOUR)]
    if cameras:
        beats.append(dev.make(ShelfCounts, "cam-a2", time=at, slots=[]))
    ingest.handle_batch(beats)
    ingest.tick()


def is_open(at: datetime) -> bool:
    return 8 <= at.astimezone(PARIS).hour < 20


def test_a_quiet_evening_and_night_raise_nothing(tmp_path: Path) -> None:
    """18:00 to 08:30 next morning: the till sells nothing, the cameras stop at closing and start at opening."""
    ingest, clock, dev = quiet_shop(tmp_path, FusionSettings())
    while clock.now() < EVENING + timedelta(hours=14, minutes=30):
        live_one_step(ingest, clock, dev, cameras=is_open(clock.now()))
    raised = ingest.db.execute("SELECT kind, device FROM alerts").fetchall()
    assert raised == [], f"a quiet shop raised {raised}"
    assert all(d.online for d in ingest.devices.values())


def test_the_same_night_under_one_rule_for_every_kind_would_have_raised(tmp_path: Path) -> None:
    """The old behaviour (every kind silent after 300 s, any hour), for contrast: the test above can fail."""
    everyone = SilenceSettings(kinds={k: SilenceRule(after_s=300) for k in ("pos", "camera")})
    ingest, clock, dev = quiet_shop(tmp_path, FusionSettings(silence=everyone))
    while clock.now() < EVENING + timedelta(hours=3):
        live_one_step(ingest, clock, dev, cameras=is_open(clock.now()))
    raised = {device for (device,) in ingest.db.execute("SELECT device FROM alerts WHERE kind='device_silent'")}
    assert raised == {"pos-1", "cam-a2"}


def test_a_device_that_should_speak_and_does_not_is_still_silent(tmp_path: Path) -> None:
    ingest, clock, dev = quiet_shop(tmp_path, FusionSettings())
    # at 18:00 the shop is open: the camera stops its heartbeat, and is silent after its 300 s
    for _ in range(3):
        live_one_step(ingest, clock, dev, cameras=False)
    assert set(ingest.alerts.open) == {"device_silent:cam-a2"}
    assert ingest.alerts.open["device_silent:cam-a2"].text.endswith("for over 300 s")
    # a reader speaks at any hour: at 23:00 it stops, and is silent too
    clock.set(EVENING.replace(hour=23))
    ingest.handle_batch([dev.make(ZoneSnapshot, "reader-1", time=clock.now(), zones={})])
    clock.advance(301)
    ingest.tick()
    assert "device_silent:reader-1" in ingest.alerts.open


def test_opening_hours_may_run_past_midnight() -> None:
    late = SilenceSettings(opening_hours=("18:00", "02:00"))
    assert late.is_open(datetime(2026, 1, 5, 1, 30).time()) and not late.is_open(datetime(2026, 1, 5, 3).time())
    with pytest.raises(ValueError, match="after_s"):
        SilenceSettings.model_validate({"kinds": {"pos": {"opening_hours_only": True}}})


# -- a real hub and a real broker: the till that dies ----------------------------------------------------------

@pytest.fixture(scope="module")
def hub(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    """A hub whose default silence is half a second: a kind without a rule of its own would be silent at once."""
    process = HubProcess(Path(tmp_path_factory.mktemp("hub")), broker.url,
                         fusion={"device_silent_s": 0.5, "check_every_s": 0.2})
    process.prepare()
    process.start()
    try:
        yield process
    finally:
        process.stop()


def connect_device(broker: BrokerHandle, device: str, kind: str) -> paho.Client:
    """A device's link as MqttLink makes it: Last Will "offline, connection lost", then its retained birth."""
    dev = Devices()
    status_topic = topic(STORE, "device", device, "status")
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"silence-{device}")
    client.will_set(status_topic, encode(dev.make(DeviceStatus, device, seq=2, state="offline", kind=kind,
                                                  software="t", reason="connection lost")), qos=1, retain=True)
    connected = threading.Event()
    client.on_connect = lambda *a: connected.set()
    client.connect(broker.host, broker.port, keepalive=60)
    client.loop_start()
    assert connected.wait(10), f"{device} could not connect"
    client.publish(status_topic, encode(dev.make(DeviceStatus, device, seq=1, state="online", kind=kind,
                                                 software="t")), qos=1, retain=True).wait_for_publish(10)
    return client


def test_a_quiet_till_raises_nothing_but_a_dead_one_is_offline_by_its_last_will(
    hub: HubProcess, broker: BrokerHandle
) -> None:
    staff = hub.client()
    till = connect_device(broker, "pos-1", "pos")
    other = connect_device(broker, "bridge-9", "agent")  # no rule for its kind: the hub's 0.5 s default
    try:
        def alerts(kind: str) -> set[str]:
            return {a["device"] for a in json_of(staff.get("/api/alerts", params={"kind": kind, "state": "all"}))}

        # the other device, as quiet as the till, is found silent: the hub has looked at both
        wait_for(lambda: "bridge-9" in alerts("device_silent"), what="the default rule at work")
        assert "pos-1" not in alerts("device_silent")

        till.socket().shutdown(socket.SHUT_RDWR)  # the till crashes: no DISCONNECT, the broker sends its will
        wait_for(lambda: "pos-1" in alerts("device_offline"), what="the dead till's offline alert")
        devices = {d["device"]: d for d in json_of(staff.get("/api/devices"))}
        assert devices["pos-1"]["state"] == "offline" and devices["pos-1"]["reason"] == "connection lost"
        assert "pos-1" not in alerts("device_silent")
    finally:
        for client in (till, other):
            client.loop_stop()
            client.disconnect()
        staff.close()
