"""The done-when of issue 23, part 1, on a real ``comptoir hub`` process fed through mosquitto: a theft (an unpaid
tag through the exit gate) reaches an ntfy topic and a signed webhook within 5 s of the gate passage, once; a
channel that fails is shown on the devices page (headless Chromium) and by the API."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import expect

from comptoir.contract import GatePassage, ZoneEvents
from comptoir.mosquitto import free_port
from tests.conftest import BrokerHandle
from tests.hub.support import NUTELLA, Devices, HubProcess, Publisher, epc, json_of, now, wait_for
from tests.notify.servers import HttpReceiver
from tests.notify.support import SECRET, verified

dev = Devices()


@dataclass
class NotifyingHub(HubProcess):
    notify: dict[str, Any] | None = None

    def write_config(self) -> None:
        super().write_config()
        config = yaml.safe_load(self.config_path.read_text())
        config["notify"] = self.notify
        self.config_path.write_text(yaml.safe_dump(config))


@pytest.fixture(scope="module")
def receivers() -> Iterator[tuple[HttpReceiver, HttpReceiver]]:
    ntfy, hook = HttpReceiver(), HttpReceiver()
    yield ntfy, hook
    ntfy.close()
    hook.close()


@pytest.fixture(scope="module")
def hub(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory,
        receivers: tuple[HttpReceiver, HttpReceiver]) -> Iterator[NotifyingHub]:
    ntfy, hook = receivers
    notify = {
        "channels": {
            "floor": {"type": "ntfy", "server": ntfy.url, "topic": "comptoir-floor"},
            "till-system": {"type": "webhook", "url": f"{hook.url}/comptoir", "secret": SECRET},
            "old-crm": {"type": "webhook", "url": f"http://127.0.0.1:{free_port()}/hook", "secret": SECRET},
        },
        "rules": {
            "theft": {"kinds": ["unpaid_item_exit"], "channels": ["floor", "till-system"], "repeat_every_min": 5},
            "crm": {"kinds": ["unpaid_item_exit"], "channels": ["old-crm"]},
        },
    }
    process = NotifyingHub(Path(tmp_path_factory.mktemp("hub")), broker.url, fusion={"exit_grace_s": 0.5},
                           notify=notify)
    process.prepare()
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def publisher(broker: BrokerHandle) -> Iterator[Publisher]:
    pub = Publisher(broker.host, broker.port, client_id="notify-test-publisher")
    yield pub
    pub.close()


def test_a_theft_at_the_gate_reaches_ntfy_and_the_webhook_within_five_seconds_once(
        hub: NotifyingHub, publisher: Publisher, receivers: tuple[HttpReceiver, HttpReceiver]) -> None:
    ntfy, hook = receivers
    staff = hub.client()
    item = epc(2301)
    publisher.send(dev.make(ZoneEvents, "reader-1", events=[
        {"time": now(), "event": "arrived", "epc": item, "gtin": NUTELLA, "location": "floor-a2"}]))
    wait_for(lambda: staff.get(f"/api/items/{item}").status_code == 200, what="the item on the floor")
    publisher.send(dev.make(GatePassage, "gate-1", gate="gate-1", direction="out", epc=item, gtin=NUTELLA))
    passed = time.monotonic()
    wait_for(lambda: ntfy.to("/comptoir-floor") and hook.to("/comptoir"), 5, "the notices, 5 s after the passage")
    took = time.monotonic() - passed
    print(f"theft notice latency: {took:.2f} s (gate passage published -> both received)")
    assert item in ntfy.to("/comptoir-floor")[0].body.decode()
    call = hook.to("/comptoir")[0]
    assert verified(SECRET, call.headers, call.body)
    alert_id = json.loads(call.body)["alert"]["id"]
    sent = json_of(staff.get("/api/notify/deliveries", params={"alert_id": alert_id}))
    assert sorted((d["channel"], d["step"]) for d in sent if d["state"] == "sent") == [
        ("floor", "first"), ("till-system", "first")]
    # an id past SQLite's integers is refused, not a 500 (schemathesis sent 25 digits)
    assert staff.get("/api/notify/deliveries", params={"alert_id": "5" * 25}).status_code == 422
    json_of(staff.post(f"/api/alerts/{alert_id}/acknowledge"))
    assert len(ntfy.to("/comptoir-floor")) == 1 and len(hook.to("/comptoir")) == 1


def test_a_failing_channel_shows_on_the_devices_page_and_the_api(hub: NotifyingHub, browser: Any) -> None:
    staff = hub.client()
    wait_for(lambda: {c["channel"]: c for c in json_of(staff.get("/api/notify/channels"))}["old-crm"]["state"]
             == "failing", 15, "the dead webhook seen failing")
    channels = {c["channel"]: c for c in json_of(staff.get("/api/notify/channels"))}
    assert channels["floor"]["state"] == "ok" and channels["till-system"]["state"] == "ok"
    dead = channels["old-crm"]
    assert dead["type"] == "webhook" and "ConnectError" in dead["last_error"] and dead["waiting"] == 1
    context = browser.new_context(locale="fr-FR", base_url=hub.url)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/devices")
        page.fill("#username", "marie")
        page.fill("#password", "croissant-42")
        page.click("#signin button[type=submit]")
        expect(page).to_have_url(re.compile(r"/devices$"))
        row = page.locator('#notify-rows tr[data-channel="old-crm"]')
        expect(row).to_have_attribute("data-state", "failing")
        expect(row).to_contain_text("en échec")
        expect(row).to_contain_text("ConnectError")
        expect(page.locator('#notify-rows tr[data-channel="floor"]')).to_contain_text("fonctionne")
    finally:
        context.close()


def test_a_manager_retires_a_device_taken_out_of_the_shop(hub: NotifyingHub, publisher: Publisher) -> None:
    staff = hub.client()
    publisher.send(dev.make(ZoneEvents, "reader-9", events=[
        {"time": now(), "event": "arrived", "epc": epc(2401), "gtin": NUTELLA, "location": "floor-a2"}]))
    wait_for(lambda: "reader-9" in {d["device"] for d in json_of(staff.get("/api/devices"))}, what="reader-9 heard")
    assert staff.delete("/api/devices/reader-9").status_code == 204
    assert "reader-9" not in {d["device"] for d in json_of(staff.get("/api/devices"))}
    gone = staff.delete("/api/devices/reader-9")
    assert gone.status_code == 404 and "reader-9" in gone.text
