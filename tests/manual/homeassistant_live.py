"""Run by hand: the hub's discovery messages read by a real Home Assistant, with its MQTT integration.

Not part of the suite: Home Assistant needs a newer Python than the project's, and installs for minutes. In a
scratch environment (docs/integrations.md says how)::

    python3.13 -m venv /tmp/ha && /tmp/ha/bin/pip install homeassistant paho-mqtt==2.1.0
    .venv/bin/python -m tests.manual.homeassistant_live /tmp/ha/bin/python

It starts mosquitto, Home Assistant (configured with the MQTT integration and ``mqtt_statestream``, which
publishes each entity's state back to MQTT), and an in-process hub with Home Assistant discovery on, a camera
and an open alert. It prints the entities and devices Home Assistant registered and the states it says they
have; then it retires the camera and prints whether Home Assistant removed its entity. Exit status 0 when all
the checks it prints hold.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from comptoir.clock import ManualClock
from comptoir.contract import ShelfCounts
from comptoir.link import MqttLink
from comptoir.mosquitto import free_port
from hub.config import FusionSettings, HubConfig
from hub.homeassistant import HomeAssistantSettings
from hub.service import HubService
from hub.timeutil import ts
from tests.conftest import make_broker
from tests.hub.support import NUTELLA, STORE, epc, reference_database

HA_CONFIG = """homeassistant:
  name: Comptoir test
  latitude: 48.85
  longitude: 2.35
  elevation: 35
  unit_system: metric
  time_zone: Europe/Paris
  country: FR
http:
  server_host: 127.0.0.1
  server_port: {http_port}
mqtt_statestream:
  base_topic: ha-states
  publish_attributes: true
logger:
  default: warning
"""


def mqtt_entry(port: int) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    return {"version": 1, "minor_version": 5, "key": "core.config_entries", "data": {"entries": [{
        "entry_id": "01comptoirtestmqtt0000000000", "version": 1, "minor_version": 2, "domain": "mqtt",
        "title": "mosquitto", "data": {"broker": "127.0.0.1", "port": port, "discovery": True}, "options": {},
        "pref_disable_new_entities": False, "pref_disable_polling": False, "source": "user", "unique_id": None,
        "disabled_by": None, "created_at": now, "modified_at": now, "discovery_keys": {}, "subentries": []}]}}


class States:
    """What ``mqtt_statestream`` says: entity id -> its state (and attributes)."""

    def __init__(self, host: str, port: int) -> None:
        self.seen: dict[str, str] = {}
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id="statestream-reader")
        self.client.on_connect = lambda c, *a: c.subscribe("ha-states/#")
        self.client.on_message = self._message
        self.client.connect(host, port)
        self.client.loop_start()

    def _message(self, client: Any, userdata: Any, msg: paho.MQTTMessage) -> None:
        parts = msg.topic.split("/")  # ha-states/<domain>/<object>/<state or attribute>
        if len(parts) == 4:
            self.seen[f"{parts[1]}.{parts[2]}/{parts[3]}"] = msg.payload.decode()


def registry(config_dir: Path, name: str) -> list[dict[str, Any]]:
    path = config_dir / ".storage" / name
    if not path.exists():
        return []
    data = json.loads(path.read_text())["data"]
    return data.get("entities") or data.get("devices") or []


def wait(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise SystemExit(f"timed out after {timeout} s waiting for {what}")


async def main(ha_python: str) -> int:
    work = Path(tempfile.mkdtemp(prefix="comptoir-ha-"))
    broker = make_broker(work)
    broker.start()
    config_dir = work / "ha"
    (config_dir / ".storage").mkdir(parents=True)
    (config_dir / "configuration.yaml").write_text(HA_CONFIG.format(http_port=free_port()))
    (config_dir / ".storage" / "core.config_entries").write_text(json.dumps(mqtt_entry(broker.port)))
    log = (work / "ha.log").open("wb")
    ha = subprocess.Popen([ha_python, "-m", "homeassistant", "-c", str(config_dir), "--skip-pip"],
                          stdout=log, stderr=subprocess.STDOUT)
    states = States(broker.host, broker.port)
    reference_database(work).close()
    clock = ManualClock(datetime.now(UTC))
    hub = HubService(HubConfig(store=STORE, hub_id="hub", db=work / "hub.sqlite", broker=broker.settings(),
                               fusion=FusionSettings(check_every_s=3600),
                               homeassistant=HomeAssistantSettings(enabled=True, every_s=3600)), clock=clock)
    camera = MqttLink(broker.settings(), store=STORE, device="cam-a2", kind="camera", clock=clock,
                      outbox=work / "cam.outbox")
    ok = True
    try:
        await hub.start_ingest()
        await camera.start()
        while "cam-a2" not in hub.ingest.devices or not hub.homeassistant.client.is_connected():
            await asyncio.sleep(0.1)
        camera.emit(ShelfCounts, time=clock.now(), slots=[
            {"slot": "A2-B1-S3-04", "state": "ok", "facings": 4, "capacity": 6, "confidence": 0.9}])
        with hub.db.conn:
            hub.ingest.alerts.unpaid_exit(epc(7), NUTELLA, ts(clock.now()))
        while not hub.db.execute("SELECT COUNT(*) FROM slot_counts").fetchone()[0]:
            await asyncio.sleep(0.1)
        print(f"hub: {hub.homeassistant.sync()} discovery and state messages published")
        wanted = {"binary_sensor.cam_a2_connexion/state": "on", "binary_sensor.hub_connexion/state": "on",
                  "binary_sensor.hub_alertes_ouvertes_article_non_paye_sorti/state": "on",
                  "binary_sensor.hub_alertes_ouvertes_aide_demandee_a_une_borne/state": "off",
                  "sensor.cam_a2_etagere_a2_b1_s3_04/state": "4"}
        try:
            await asyncio.to_thread(wait, lambda: all(k in states.seen for k in wanted), 240, "Home Assistant's states")
        except SystemExit:
            print("states seen:", sorted(states.seen))
            raise
        for key, expected in wanted.items():
            good = states.seen[key] == expected
            ok &= good
            print(f"HA state {key} = {states.seen[key]!r} (expected {expected!r}) {'ok' if good else 'WRONG'}")
        alerts = json.loads(states.seen.get("binary_sensor.hub_alertes_ouvertes_article_non_paye_sorti/alerts", "[]"))
        print(f"HA attribute alerts of the theft sensor: {alerts}")
        ok &= bool(alerts) and epc(7) in alerts[0]["text"]
        entities = await asyncio.to_thread(
            wait, lambda: [e for e in registry(config_dir, "core.entity_registry") if e["platform"] == "mqtt"] or None,
            60, "the entity registry")
        devices = {d["id"]: d for d in registry(config_dir, "core.device_registry")}
        for e in sorted(entities, key=lambda e: e["entity_id"]):
            print(f"HA entity {e['entity_id']:<58} unique_id={e['unique_id']:<40} "
                  f"device={devices.get(e['device_id'], {}).get('name')}")
        await camera.stop(drain_timeout=1)
        with hub.db.conn:
            hub.ingest.device_book.retire("cam-a2", ts(clock.now()))
        hub.homeassistant.sync()
        gone = await asyncio.to_thread(wait, lambda: not any(
            e["unique_id"] == f"comptoir-{STORE}-cam-a2-connectivity"
            for e in registry(config_dir, "core.entity_registry")), 60, "the retired camera's entity removed")
        print(f"HA removed the retired camera's connectivity entity: {gone}")
    finally:
        await camera.stop(drain_timeout=1)
        await hub.stop()
        ha.terminate()
        ha.wait(60)
        states.client.disconnect()
        states.client.loop_stop()
        broker.stop()
        errors = [line for line in (work / "ha.log").read_text(errors="replace").splitlines()
                  if "mqtt" in line.lower() and ("ERROR" in line or "WARNING" in line)]
        print(f"HA log lines about mqtt at WARNING or ERROR: {len(errors)}")
        for line in errors[:20]:
            print("  " + line)
        ok &= not errors
    return 0 if ok else 1


if __name__ == "__main__":
    threading.excepthook = lambda args: None
    sys.exit(asyncio.run(main(sys.argv[1])))
