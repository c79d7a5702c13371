"""Home Assistant MQTT discovery: the retained config messages and the state messages, built from the hub's tables.

Pure functions: what to publish, never how. Three kinds of entity, each with a
``unique_id`` and a ``device`` block so Home Assistant groups them:

- per device, a ``binary_sensor`` (class ``connectivity``) whose state *is* the
  device's retained ``device/<id>/status`` topic, the one availability
  mechanism of the shop (the device's link writes it, the broker its Last
  Will); it has no ``availability`` of its own, so an offline reader reads
  "off" (disconnected) with its reason as an attribute, not "unavailable";
- per alert kind, a ``binary_sensor`` (class ``problem``) on while an alert of
  that kind is open, the open alerts' texts as attributes; available while
  the hub's own status says online;
- per watched slot (a camera or a scale on it), a ``sensor`` of the units on
  the shelf, grouped under the device that watches it and available while both
  the hub and that device say online (``availability_mode: all``).

Topics: ``<prefix>/<component>/comptoir-<store>/<object>/config`` (the node id
keeps two shops on one Home Assistant apart); states under
``comptoir/ha/<store>/``. A retired device's and an unwatched slot's config
is removed with an empty retained payload (hub/homeassistant/publisher.py).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, get_args

from comptoir import __version__
from comptoir.contract.hub import AlertKind
from comptoir.contract.topics import topic
from hub.i18n import Message, translate
from hub.timeutil import iso

#: Alert kinds the hub raises, each one binary sensor.
#: Every kind the contract names gets its sensor (one list: comptoir.contract.hub.AlertKind)
ALERT_KINDS: tuple[str, ...] = get_args(AlertKind)
#: Open alerts listed in a kind's attributes (the newest first); the count says how many there are in all.
ALERTS_LISTED = 20
STATUS_TEMPLATE = "{{ value_json.state }}"
#: An online status has no ``reason``: ``default(none)`` keeps the template from failing on it.
STATUS_ATTRIBUTES = "{{ {'reason': value_json.reason | default(none), 'since': value_json.time} | tojson }}"


@dataclass(frozen=True)
class Discovery:
    """Where one shop's entities go."""

    store: str
    hub_id: str
    prefix: str = "homeassistant"
    lang: str = "fr"

    @property
    def node(self) -> str:
        return f"comptoir-{self.store}"

    @property
    def state_root(self) -> str:
        return f"comptoir/ha/{self.store}"

    def status_topic(self, device: str) -> str:
        return topic(self.store, "device", device, "status")

    def config_topic(self, component: str, object_id: str) -> str:
        return f"{self.prefix}/{component}/{self.node}/{object_id}/config"

    def _device(self, device: str, kind: str | None = None, software: str | None = None) -> dict[str, Any]:
        block: dict[str, Any] = {"identifiers": [f"{self.node}-{device}"], "name": device, "manufacturer": "Comptoir"}
        if kind:
            block["model"] = kind
        if software:
            block["sw_version"] = software
        if device != self.hub_id:
            block["via_device"] = f"{self.node}-{self.hub_id}"
        return block

    def _available(self, *devices: str) -> dict[str, Any]:
        return {"availability": [{"topic": self.status_topic(d), "value_template": STATUS_TEMPLATE,
                                  "payload_available": "online", "payload_not_available": "offline"}
                                 for d in devices],
                "availability_mode": "all"}

    def _origin(self) -> dict[str, str]:
        return {"name": "Comptoir", "sw_version": __version__}

    # -- the config messages ---------------------------------------------------------------
    def device_config(self, device: str, kind: str | None, software: str | None) -> tuple[str, dict[str, Any]]:
        status = self.status_topic(device)
        return self.config_topic("binary_sensor", f"{device}_connectivity"), {
            "name": translate("ha.connectivity", self.lang),
            "unique_id": f"{self.node}-{device}-connectivity",
            "device_class": "connectivity",
            "state_topic": status,
            "value_template": STATUS_TEMPLATE,
            "payload_on": "online",
            "payload_off": "offline",
            "json_attributes_topic": status,
            "json_attributes_template": STATUS_ATTRIBUTES,
            "device": self._device(device, kind, software),
            "origin": self._origin(),
        }

    def alerts_config(self, kind: str) -> tuple[str, dict[str, Any]]:
        state = f"{self.state_root}/alerts/{kind}"
        return self.config_topic("binary_sensor", f"alerts_{kind}"), {
            "name": translate("ha.alerts_of_kind", self.lang, kind=translate(f"ha.kind.{kind}", self.lang)),
            "unique_id": f"{self.node}-alerts-{kind}",
            "device_class": "problem",
            "state_topic": state,
            "value_template": STATUS_TEMPLATE,
            "payload_on": "ON",
            "payload_off": "OFF",
            "json_attributes_topic": state,
            "json_attributes_template": "{{ {'count': value_json.count, 'alerts': value_json.alerts} | tojson }}",
            "device": self._device(self.hub_id, "hub"),
            "origin": self._origin(),
            **self._available(self.hub_id),
        }

    def slot_config(self, slot: str, watcher: str, kind: str | None = None,
                    software: str | None = None) -> tuple[str, dict[str, Any]]:
        state = f"{self.state_root}/slot/{slot}"
        return self.config_topic("sensor", f"slot_{slot}"), {
            "name": translate("ha.slot_count", self.lang, slot=slot),
            "unique_id": f"{self.node}-slot-{slot}",
            "state_topic": state,
            "value_template": "{{ value_json.units }}",
            "unit_of_measurement": "units",
            "state_class": "measurement",
            "icon": "mdi:package-variant",
            "json_attributes_topic": state,
            "json_attributes_template": "{{ value_json.facts | tojson }}",
            "device": self._device(watcher, kind, software),
            "origin": self._origin(),
            **self._available(self.hub_id, watcher),
        }


# -- what the hub's tables say, as messages -----------------------------------------------------
def devices(conn: sqlite3.Connection) -> list[tuple[str, str | None, str | None]]:
    return conn.execute("SELECT device, kind, software FROM devices ORDER BY device").fetchall()


def watched_slots(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Slots a camera or a scale watches, with their latest count: the camera's facings, else the scale's units."""
    rows = conn.execute(
        "SELECT s.slot, s.gtin, p.name, s.camera, s.scale, s.capacity, c.state, c.facings, c.time, w.units, w.time "
        "FROM slots s LEFT JOIN products p ON p.gtin = s.gtin LEFT JOIN slot_counts c ON c.slot = s.slot "
        "LEFT JOIN scale_counts w ON w.scale = s.scale WHERE s.camera IS NOT NULL OR s.scale IS NOT NULL "
        "ORDER BY s.slot").fetchall()
    out = []
    for slot, gtin, name, camera, scale, capacity, state, facings, seen, weighed, weighed_at in rows:
        by_camera = state is not None and facings is not None
        out.append({"slot": slot, "watcher": camera or scale, "units": facings if by_camera else weighed,
                    "facts": {"gtin": gtin, "product": name, "capacity": capacity, "camera": camera, "scale": scale,
                              "camera_state": state, "source": "camera" if by_camera else
                              ("scale" if weighed is not None else None),
                              "counted_at": iso(seen if by_camera else weighed_at)}})
    return out


def alert_states(conn: sqlite3.Connection, lang: str) -> dict[str, dict[str, Any]]:
    """Per kind: ON while one is open, how many, and the newest ones' texts in ``lang``."""
    states: dict[str, dict[str, Any]] = {k: {"state": "OFF", "count": 0, "alerts": []} for k in ALERT_KINDS}
    for alert_id, kind, text, code, params, raised_at, acknowledged_at in conn.execute(
            "SELECT id, kind, text, code, params, raised_at, acknowledged_at FROM alerts WHERE state = 'open' "
            "ORDER BY raised_at DESC, id DESC"):
        said = text if code is None else Message.from_json({"code": code, "params": json.loads(params or "{}")}).text(
            lang)
        entry = states.setdefault(kind, {"state": "OFF", "count": 0, "alerts": []})
        entry["state"], entry["count"] = "ON", entry["count"] + 1
        if len(entry["alerts"]) < ALERTS_LISTED:
            entry["alerts"].append({"id": alert_id, "text": said,
                                    "raised": iso(raised_at), "acknowledged": acknowledged_at is not None})
    return states


def wanted(conn: sqlite3.Connection, d: Discovery) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Every config message and every state message the shop's Home Assistant should have, by topic."""
    configs: dict[str, dict[str, Any]] = {}
    states: dict[str, dict[str, Any]] = {}
    where, payload = d.device_config(d.hub_id, "hub", None)  # the hub hears itself not: it is no row of devices
    configs[where] = payload
    known = {device: (kind, software) for device, kind, software in devices(conn)}
    for device, (kind, software) in known.items():
        where, payload = d.device_config(device, kind, software)
        configs[where] = payload
    for kind, state in alert_states(conn, d.lang).items():
        if kind not in ALERT_KINDS:
            continue
        where, payload = d.alerts_config(kind)
        configs[where] = payload
        states[payload["state_topic"]] = state
    for slot in watched_slots(conn):
        where, payload = d.slot_config(slot["slot"], slot["watcher"], *known.get(slot["watcher"], (None, None)))
        configs[where] = payload
        states[payload["state_topic"]] = {"units": slot["units"], "facts": slot["facts"]}
    return configs, states
