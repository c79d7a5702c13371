"""Publishing Home Assistant's discovery and state messages: retained, QoS 1, on a client of the hub's own.

Every ``every_s`` the publisher reads what the shop's Home Assistant should
have (hub/homeassistant/discovery.py) and publishes what changed since it
last did; at every (re)connect it publishes everything again. A config it
published before that is no longer wanted (a retired device, a slot no
longer watched) is removed with an empty retained payload, as the discovery
documentation asks, and so is its state. The config topics published are
kept in ``homeassistant_topics`` (migration 17) so a removal made while the
hub was down is still sent at the next start.

It runs on the hub's event loop and reads the loop's connection (a few small
queries); the network is paho's own thread. The contract's link is not used:
these topics are not the contract's and carry no sequence numbers.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import paho.mqtt.client as paho
import sqlite_utils

from comptoir.clock import Clock
from comptoir.link import BrokerSettings
from comptoir.link.client import paho_client
from hub.homeassistant.discovery import Discovery, wanted
from hub.homeassistant.settings import HomeAssistantSettings

log = logging.getLogger("hub.homeassistant")


class HomeAssistantPublisher:
    def __init__(self, db: sqlite_utils.Database, broker: BrokerSettings, settings: HomeAssistantSettings, *,
                 store: str, hub_id: str, clock: Clock) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.discovery = Discovery(store, hub_id, settings.discovery_prefix, settings.language)
        self.client: paho.Client = paho_client(broker, f"{hub_id}-homeassistant", persistent_session=False,
                                               window=200)
        self.client.on_connect = self._connected
        self._broker = broker
        self._sent: dict[str, bytes] = {}  # topic -> payload last handed to paho while connected
        self._lock = threading.Lock()
        self._last: paho.MQTTMessageInfo | None = None  # the last message handed to paho (wait_published)
        self.syncs = 0
        self.handed = 0  # messages handed to paho, in all

    def _connected(self, client: paho.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        with self._lock:
            self._sent.clear()  # a fresh connection (maybe a fresh broker): send everything again

    def start(self) -> None:
        self.client.connect_async(self._broker.host, self._broker.port)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    async def run(self) -> None:
        """Sync forever (the service cancels it); a failed round is logged and tried again."""
        while True:
            try:
                self.sync()
            except Exception:
                log.exception("home assistant round failed")
            await self.clock.sleep(self.settings.every_s)

    def sync(self) -> int:
        """Publish what changed and remove what is no longer wanted; return how many messages were handed over."""
        if not self.client.is_connected():
            return 0
        conn = self.db.conn
        root = self.discovery.state_root
        configs, states = wanted(conn, self.discovery)
        known = dict(conn.execute("SELECT topic, state_topic FROM homeassistant_topics").fetchall())
        before = self.handed
        for gone in sorted(set(known) - set(configs)):  # retired: an empty retained payload removes it
            if self._publish(gone, b"") and (known[gone] is None or self._publish(known[gone], b"")):
                with conn:
                    conn.execute("DELETE FROM homeassistant_topics WHERE topic = ?", (gone,))
                log.info("home assistant entity removed", extra={"topic": gone})
        new = [(t, p.get("state_topic")) for t, p in configs.items() if t not in known]
        if new:  # remembered before it is published: a removal is never forgotten
            with conn:
                conn.executemany("INSERT OR REPLACE INTO homeassistant_topics (topic, state_topic) VALUES (?, ?)",
                                 [(t, s if s and s.startswith(root + "/") else None) for t, s in new])
        for where, payload in (*configs.items(), *states.items()):
            self._publish(where, json.dumps(payload, ensure_ascii=False, sort_keys=True).encode())
        self.syncs += 1
        return self.handed - before

    def _publish(self, where: str, payload: bytes) -> bool:
        """Hand a retained message to paho unless the same went on this connection; False if paho refused it."""
        with self._lock:
            if self._sent.get(where) == payload:
                return True
            info = self.client.publish(where, payload, qos=1, retain=True)
            if info.rc != paho.MQTT_ERR_SUCCESS:
                return False
            self._sent[where] = payload
            self._last = info
            self.handed += 1
            return True

    def wait_published(self, timeout_s: float = 10.0) -> bool:
        """Wait until the broker has acknowledged the last message handed over (QoS 1): for a caller that reads the
        retained state right after :meth:`sync`. False if it has not within ``timeout_s``."""
        last = self._last
        if last is None:
            return True
        try:
            last.wait_for_publish(timeout_s)
        except (RuntimeError, ValueError):  # the connection went away meanwhile: it is sent again on reconnection
            return False
        return last.is_published()
