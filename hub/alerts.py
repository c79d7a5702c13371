"""Alerts: raised, updated and resolved by the hub's rules, acknowledged by staff.

At most one alert is open per key (kind and subject: a GTIN, a tag, a
device). Each change is kept in ``alerts`` and queued in :attr:`Alerts.outgoing`
for the MQTT topic and the live stream. The rules that decide are in
:meth:`Alerts.evaluate_sku` and the device methods; docs/fusion.md lists them.
Texts speak of items, shelves and devices, never of people. An alert keeps its
text as a message code and JSON parameters (``hub.i18n``), said in the
reader's language by :meth:`Alert.message`; ``text`` is its English, for the
API and the MQTT topic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from hub.i18n import Message
from hub.inventory.fusion import Fusion
from hub.inventory.view import SkuView
from hub.timeutil import iso

#: Kinds that describe something that happened rather than a lasting condition: no rule ends them (except an
#: item that comes back); a staff member takes them in hand, then resolves them.
EVENT_KINDS = frozenset({"unpaid_item_exit", "messages_lost", "kiosk_help"})

#: The order of the work list: a customer waiting first, then an item leaving unpaid, safety, stock, devices.
#: Within a rank, the most severe then the oldest first (who has waited longest).
SAFETY_RANK = 2  # kinds about a person's safety go between theft and stock
KIND_RANK = {
    "kiosk_help": 0,
    "unpaid_item_exit": 1,
    "use_by_passed": SAFETY_RANK,  # a use-by date passed with units still in the shop (hub/fresh/expiry.py)
    "out_of_stock": 3,
    "expiring_soon": 3,
    "shelf_empty_backroom_stock": 3,
    "below_reorder_point": 4,
    "fefo_order": 4,
    "device_offline": 5,
    "messages_lost": 6,
    "device_silent": 6,
}
SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}


def work_order(kind: str, severity: str, raised_at: float) -> tuple[int, int, float]:
    """Sort key of an alert in the work list."""
    return KIND_RANK.get(kind, SAFETY_RANK), SEVERITY_RANK.get(severity, 3), raised_at


class AlertNotReopened(Exception):
    """An alert cannot be reopened: never resolved by staff, or its condition was raised again since."""


@dataclass
class Alert:
    id: int
    key: str
    kind: str
    state: str
    severity: str
    text: str
    raised_at: float
    updated_at: float
    gtin: str | None = None
    epc: str | None = None
    slot: str | None = None
    device: str | None = None
    quantity: int | None = None
    resolved_at: float | None = None
    acknowledged_by: str | None = None
    acknowledged_at: float | None = None
    code: str | None = None  # the message (hub.i18n); None for an alert older than migration 9
    params: str | None = None  # its parameters, JSON

    def message(self, lang: str) -> str:
        """The alert's text in ``lang``; an older alert keeps its English."""
        if self.code is None:
            return self.text
        return Message.from_json({"code": self.code, "params": json.loads(self.params or "{}")}).text(lang)

    @property
    def alert_id(self) -> str:
        return f"{self.key}#{self.id}"

    def row(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in _COLUMNS}


_COLUMNS = ("id", "key", "kind", "state", "severity", "text", "gtin", "epc", "slot", "device", "quantity",
            "raised_at", "updated_at", "resolved_at", "acknowledged_by", "acknowledged_at", "code", "params")


def _params(text: Message) -> str:
    return json.dumps(text.as_json()["params"], ensure_ascii=False)


@dataclass
class Change:
    alert: Alert
    change: str  # raised, updated, acknowledged, resolved


@dataclass
class Alerts:
    db: sqlite_utils.Database
    fusion: Fusion
    open: dict[str, Alert] = field(default_factory=dict)
    outgoing: list[Change] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.load()

    def load(self) -> None:
        self.open.clear()
        cursor = self.db.execute(f"SELECT {', '.join(_COLUMNS)} FROM alerts WHERE state = 'open'")
        for row in cursor:
            alert = Alert(**dict(zip(_COLUMNS, row, strict=True)))
            self.open[alert.key] = alert

    # -- primitives (the caller holds the transaction) ------------------------------
    def set(self, key: str, kind: str, severity: str, text: Message, now: float, **subject: Any) -> Alert:
        alert = self.open.get(key)
        if alert is None:
            code, params = text.code, _params(text)
            cur = self.db.conn.execute(
                "INSERT INTO alerts (key, kind, state, severity, text, gtin, epc, slot, device, quantity, raised_at, "
                "updated_at, code, params) VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, kind, severity, str(text), subject.get("gtin"), subject.get("epc"), subject.get("slot"),
                 subject.get("device"), subject.get("quantity"), now, now, code, params),
            )
            alert = Alert(cur.lastrowid or 0, key, kind, "open", severity, str(text), now, now, **subject, code=code,
                          params=params)
            self.open[key] = alert
            self.outgoing.append(Change(alert, "raised"))
            return alert
        if alert.text != text or alert.quantity != subject.get("quantity") or alert.severity != severity:
            code, params = text.code, _params(text)
            alert.text, alert.severity, alert.updated_at = str(text), severity, now
            alert.code, alert.params = code, params
            for name, value in subject.items():
                setattr(alert, name, value)
            self.db.conn.execute(
                "UPDATE alerts SET text=?, severity=?, quantity=?, slot=?, updated_at=?, code=?, params=? WHERE id=?",
                (str(text), severity, alert.quantity, alert.slot, now, code, params, alert.id),
            )
            self.outgoing.append(Change(alert, "updated"))
        return alert

    def clear(self, key: str, now: float) -> None:
        alert = self.open.pop(key, None)
        if alert is None:
            return
        alert.state, alert.resolved_at, alert.updated_at = "resolved", now, now
        self.db.conn.execute("UPDATE alerts SET state='resolved', resolved_at=?, updated_at=? WHERE id=?",
                             (now, now, alert.id))
        self.outgoing.append(Change(alert, "resolved"))

    def acknowledge(self, alert_id: int, user: str, now: float) -> Alert | None:
        """Mark an alert as taken in hand by ``user``: it stays open, in hand, until resolved. None if unknown."""
        alert = next((a for a in self.open.values() if a.id == alert_id), None)
        if alert is None:
            row = self.db.execute(f"SELECT {', '.join(_COLUMNS)} FROM alerts WHERE id=?", (alert_id,)).fetchone()
            return Alert(**dict(zip(_COLUMNS, row, strict=True))) if row else None
        if alert.acknowledged_at is None:
            alert.acknowledged_by, alert.acknowledged_at, alert.updated_at = user, now, now
            self.db.conn.execute("UPDATE alerts SET acknowledged_by=?, acknowledged_at=?, updated_at=? WHERE id=?",
                                 (user, now, now, alert.id))
            self.outgoing.append(Change(alert, "acknowledged"))
        return alert

    def reopen(self, alert_id: int, now: float) -> Alert:
        """Undo a staff member's resolve: the alert is open again, as it was (in hand if it was).

        Only an alert resolved by hand can be reopened, and only while its condition has not been raised again as
        a new alert (two open alerts for one subject would be one too many).
        """
        row = self.db.execute(f"SELECT {', '.join(_COLUMNS)} FROM alerts a WHERE id=? AND state='resolved' AND "
                              "EXISTS (SELECT 1 FROM alert_resolutions r WHERE r.alert = a.id)", (alert_id,)).fetchone()
        if row is None:
            raise AlertNotReopened(f"alert {alert_id} was not resolved by staff")
        alert = Alert(**dict(zip(_COLUMNS, row, strict=True)))
        if alert.key in self.open:
            raise AlertNotReopened(f"alert {alert_id} was raised again since, as alert {self.open[alert.key].id}")
        alert.state, alert.resolved_at, alert.updated_at = "open", None, now
        self.db.conn.execute("UPDATE alerts SET state='open', resolved_at=NULL, updated_at=? WHERE id=?",
                             (now, alert.id))
        self.db.conn.execute("DELETE FROM alert_resolutions WHERE alert=?", (alert.id,))
        self.open[alert.key] = alert
        self.outgoing.append(Change(alert, "updated"))
        return alert

    # -- the rules -------------------------------------------------------------------
    def evaluate_sku(self, gtin: str, now: float) -> SkuView:
        """Apply the SKU rules; return the SKU's figures they were decided on."""
        fusion = self.fusion
        product = fusion.products.get(gtin)
        view = fusion.sku(gtin, now)
        name = product.name if product else gtin
        on_hand = view.on_hand
        backroom = view.backroom.units or 0
        shelf = view.shelf
        empty = shelf.units == 0 and not shelf.occluded
        key = f"shelf_empty_backroom_stock:{gtin}"
        if empty and backroom > 0:
            slot = shelf.empty_slots[0] if shelf.empty_slots else None
            capacity = sum(s.capacity or 0 for s in view.slots if s.slot in shelf.empty_slots)
            bring = min(backroom, capacity) if capacity else backroom
            said = (Message("alert.shelf_empty", slot=slot, quantity=bring, name=name) if slot else
                    Message("alert.shelf_empty_no_slot", quantity=bring, name=name))
            self.set(key, "shelf_empty_backroom_stock", "warning", said, now, gtin=gtin, slot=slot, quantity=bring)
        else:
            self.clear(key, now)
        key = f"out_of_stock:{gtin}"
        if on_hand == 0 and product is not None:
            self.set(key, "out_of_stock", "critical", Message("alert.out_of_stock", name=name), now, gtin=gtin,
                     quantity=0)
        else:
            self.clear(key, now)
        key = f"below_reorder_point:{gtin}"
        point, why = fusion.reorder_point(gtin, now)
        if point is not None and on_hand is not None and 0 < on_hand <= point:
            self.set(key, "below_reorder_point", "info",
                     Message("alert.below_reorder_point", on_hand=on_hand, point=point, name=name, why=why), now,
                     gtin=gtin, quantity=on_hand)
        else:
            self.clear(key, now)
        return view

    def unpaid_exit(self, epc: str, gtin: str | None, now: float, zone: str | None = None) -> None:
        """An unpaid item went out: through the gate, or (``zone``) last read at the exit and then gone."""
        product = self.fusion.products.get(gtin) if gtin else None
        what = product.name if product else (Message("alert.item_gtin", gtin=gtin) if gtin else
                                             Message("alert.item_no_gtin"))
        text = (Message("alert.unpaid_exit_gate", what=what, epc=epc) if zone is None else
                Message("alert.unpaid_exit_zone", zone=zone, what=what, epc=epc))
        self.set(f"unpaid_item_exit:{epc}", "unpaid_item_exit", "critical", text, now, gtin=gtin, epc=epc)

    def kiosk_help(self, kiosk: str, now: float) -> None:
        """A customer asks for someone at ``kiosk``: the most urgent thing on the list (:data:`KIND_RANK`)."""
        self.set(f"kiosk_help:{kiosk}", "kiosk_help", "critical", Message("alert.kiosk_help", kiosk=kiosk), now,
                 device=kiosk)

    def item_back(self, epc: str, now: float) -> None:
        self.clear(f"unpaid_item_exit:{epc}", now)

    def device_offline(self, device: str, kind: str | None, reason: str | None, now: float) -> None:
        self.clear(f"device_silent:{device}", now)
        self.set(f"device_offline:{device}", "device_offline", "critical",
                 Message("alert.device_offline", device=device, kind=_kind_said(kind), reason=_reason_said(reason)),
                 now, device=device)

    def device_online(self, device: str, now: float) -> None:
        self.clear(f"device_offline:{device}", now)

    def device_silent(self, device: str, kind: str | None, silent_s: float, now: float) -> None:
        self.set(f"device_silent:{device}", "device_silent", "warning",
                 Message("alert.device_silent", device=device, kind=_kind_said(kind), seconds=round(silent_s)), now,
                 device=device)

    def device_heard(self, device: str, now: float) -> None:
        if f"device_silent:{device}" in self.open:
            self.clear(f"device_silent:{device}", now)

    def messages_lost(self, device: str, delta: int, now: float) -> None:
        """A sequence gap of ``delta`` messages (negative: a late message filled one)."""
        key = f"messages_lost:{device}"
        current = self.open[key].quantity or 0 if key in self.open else 0
        lost = current + delta
        if lost <= 0:
            self.clear(key, now)
            return
        self.set(key, "messages_lost", "warning",
                 Message("alert.messages_lost", quantity=lost, device=device), now, device=device, quantity=lost)


#: Device kinds (a status's ``kind``) and the link's standard offline reasons that have words in the catalog; any
#: other kind or reason is the device's own word, kept as it is.
SAID_KINDS = frozenset({"rfid-reader", "camera", "scale", "pos", "kiosk", "hub"})
SAID_REASONS = {"connection lost": "alerts.reason.connection_lost", "shutdown": "alerts.reason.shutdown"}


def _kind_said(kind: str | None) -> Message | str:
    if kind in SAID_KINDS:
        return Message(f"alerts.device_kind.{kind}")
    return kind or Message("alert.some_device")


def _reason_said(reason: str | None) -> Message | str:
    if reason in SAID_REASONS:
        return Message(SAID_REASONS[reason])
    return reason or Message("alert.no_reason")


# How an alert looks in JSON: the API answers it and ingest publishes it on the live stream in this shape.
def alert_view(alert: Any) -> dict[str, Any]:
    return {
        "id": alert.id,
        "alert_id": alert.alert_id,
        "kind": alert.kind,
        "state": alert.state,
        "severity": alert.severity,
        "text": alert.text,
        "gtin": alert.gtin,
        "epc": alert.epc,
        "slot": alert.slot,
        "device": alert.device,
        "quantity": alert.quantity,
        "raised_at": iso(alert.raised_at),
        "updated_at": iso(alert.updated_at),
        "resolved_at": iso(alert.resolved_at),
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": iso(alert.acknowledged_at),
    }


def alert_event(change: Change) -> dict[str, Any]:
    return {"change": change.change, **alert_view(change.alert)}
