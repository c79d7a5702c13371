"""Inventory fusion: one state per tagged item, and per SKU the figures of every source.

The rules are written down in docs/fusion.md; this module is their code.
State is kept in memory (loaded from the database at start) so that a batch
of thousands of events costs dictionary updates, and the changed rows are
written back in the batch's transaction by :meth:`Fusion.write`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from comptoir.contract import (
    GatePassage,
    Message,
    PosReceipt,
    ScaleWeight,
    ShelfCounts,
    ZoneEvent,
    ZoneEvents,
    ZoneSnapshot,
)
from comptoir.contract.rfid import ZoneChange
from hub.config import FusionSettings
from hub.timeutil import ts

#: Item states (docs/fusion.md, "Item states").
BACKROOM, FLOOR, SOLD, LEFT, UNKNOWN = "backroom", "floor", "sold", "left", "unknown"
ITEM_STATES = (BACKROOM, FLOOR, SOLD, LEFT, UNKNOWN)
_ZONE_STATE = {"backroom": BACKROOM, "dock": BACKROOM, "floor": FLOOR, "exit": FLOOR}
_PREFIX_KIND = (("backroom", "backroom"), ("dock", "dock"), ("floor", "floor"), ("exit", "exit"), ("gate", "exit"))

#: Most (alias, reader, antenna) answers of :meth:`Fusion.zone_kind` remembered until the zones change.
ZONE_KIND_CACHE = 10_000

#: Base confidence of each source before ageing (docs/fusion.md, "Confidence").
SOURCE_CONFIDENCE = {"rfid": 0.95, "camera": 0.8, "scale": 0.9}

#: A reader's claim that a tag is in one of its zones: (rssi in dBm or None, time, reader, antenna).
Claim = tuple[float | None, float, str, int | None]


@dataclass(slots=True)
class Item:
    gtin: str | None
    serial: str | None
    state: str
    zone: str | None
    since: float
    last_seen: float
    paid: bool = False
    # the reader's claim behind ``zone``; None when no reader claims the item now (a gate, the last departure);
    # stored with the item, so a restarted hub arbitrates as before (docs/fusion.md, "Several readers see the same tag")
    claim: Claim | None = None


@dataclass(slots=True)
class SlotReading:
    gtin: str | None
    state: str
    facings: int | None
    capacity: int
    confidence: float
    time: float
    camera: str
    blocked: bool = False  # the latest view was occluded: the count is the last one seen, aged


@dataclass(slots=True)
class ScaleReading:
    slot: str | None
    gtin: str | None
    status: str
    grams: float | None
    units: int | None
    stable: bool
    time: float
    settled: float | None = None  # when ``units`` was last weighed on a settled scale (None: as ``time``)


@dataclass(slots=True)
class Product:
    gtin: str
    name: str
    price_cents: int
    unit_weight_g: float
    aisle: str
    shelf: str
    lead_time_days: int
    reorder_point: int | None


@dataclass
class BatchChanges:
    """What one batch changed: for writing, for alerts, for the live stream."""

    items: dict[str, Item] = field(default_factory=dict)
    gtins: set[str] = field(default_factory=set)
    slots: set[str] = field(default_factory=set)
    scales: set[str] = field(default_factory=set)
    snapshots: list[tuple[str, str, str, int, float]] = field(default_factory=list)
    # epc, gtin, time, and the exit zone when no gate passage was seen
    unpaid_exits: list[tuple[str, str | None, float, str | None]] = field(default_factory=list)
    back_in: set[str] = field(default_factory=set)  # epcs back in the shop or paid: their exit alert ends
    receipts: list[tuple[str, str, str, float, int, str]] = field(default_factory=list)
    sales: list[tuple[str, str, float, str, int, int, int]] = field(default_factory=list)
    credits_changed: set[str] = field(default_factory=set)
    claims: set[str] = field(default_factory=set)  # epcs whose other zones' claims changed


_NO_CLAIM = (None, None, None, None)


def _strongest(claims: dict[str, Claim]) -> str:
    """The zone of the strongest claim; no RSSI is the weakest, and between equals the newer wins."""
    return max(claims, key=lambda z: (claims[z][0] is not None, claims[z][0] or 0.0, claims[z][1]))


def zone_kind_from_name(alias: str) -> str | None:
    lower = alias.lower()
    for prefix, kind in _PREFIX_KIND:
        if lower.startswith(prefix):
            return kind
    return None


class Fusion:
    """The hub's picture of the shop, fed message by message."""

    def __init__(self, db: sqlite_utils.Database, settings: FusionSettings) -> None:
        self.db = db
        self.settings = settings
        self.items: dict[str, Item] = {}
        # epc -> zone -> claim, for the zones other than the item's own that claim it too (only tags seen by 2+)
        self.rivals: dict[str, dict[str, Claim]] = {}
        self.rfid: dict[str | None, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ITEM_STATES, 0))
        self.rfid_time: dict[str, float] = {}
        self.slot_readings: dict[str, SlotReading] = {}
        self.scale_readings: dict[str, ScaleReading] = {}
        # indexes, so one SKU's figures cost its own slots, not the whole shop's
        self.read_slots_by_gtin: dict[str | None, set[str]] = defaultdict(set)
        self.scales_by_slot: dict[str | None, set[str]] = defaultdict(set)
        self.credits: dict[str, list[list[Any]]] = defaultdict(list)  # gtin -> [[id, remaining, time], ...]
        self._credit_changes: dict[int, int] = {}
        self._new_credits: list[tuple[str, int, float]] = []
        self.products: dict[str, Product] = {}
        self.slots: dict[str, dict[str, Any]] = {}
        self.slots_by_gtin: dict[str, list[str]] = defaultdict(list)
        self.slot_by_scale: dict[str, str] = {}
        self.zones: dict[str, str] = {}
        self.zone_readers: dict[str, str] = {}
        self.zone_by_antenna: dict[tuple[str, int], str] = {}
        self._zone_kinds: dict[tuple[str, str, int | None], str | None] = {}  # zone_kind's answers
        self.sales_rate: dict[str, float] = {}
        self.load()

    # -- loading ---------------------------------------------------------------
    def load(self) -> None:
        self.load_reference()
        self.items.clear()
        self.rivals.clear()
        self.rfid.clear()
        for epc, gtin, serial, state, zone, since, last_seen, paid, rssi, claimed, reader, antenna in self.db.execute(
            "SELECT epc, gtin, serial, state, zone, since, last_seen, paid, claim_rssi, claim_time, claim_reader, "
            "claim_antenna FROM items"
        ):
            claim = (rssi, claimed, reader, antenna) if claimed is not None and reader is not None else None
            self.items[epc] = Item(gtin, serial, state, zone, since, last_seen, bool(paid), claim)
            self.rfid[gtin][state] += 1
            if gtin:
                self.rfid_time[gtin] = max(self.rfid_time.get(gtin, 0.0), since)
        for epc, zone, rssi, claimed, reader, antenna in self.db.execute(
            "SELECT epc, zone, rssi, time, reader, antenna FROM item_claims"
        ):
            self.rivals.setdefault(epc, {})[zone] = (rssi, claimed, reader, antenna)
        for slot, gtin, camera, state, facings, capacity, confidence, time in self.db.execute(
            "SELECT slot, gtin, camera, state, facings, capacity, confidence, time FROM slot_counts"
        ):
            self.slot_readings[slot] = SlotReading(gtin, state, facings, capacity, confidence, time, camera)
            self.read_slots_by_gtin[gtin].add(slot)
        for scale, slot, gtin, status, grams, units, stable, time in self.db.execute(
            "SELECT scale, slot, gtin, status, grams, units, stable, time FROM scale_counts"
        ):
            self.scale_readings[scale] = ScaleReading(slot, gtin, status, grams, units, bool(stable), time)
            self.scales_by_slot[slot].add(scale)
        self.credits.clear()
        for cid, gtin, remaining, time in self.db.execute(
            "SELECT id, gtin, remaining, time FROM paid_credits WHERE remaining > 0 ORDER BY id"
        ):
            self.credits[gtin].append([cid, remaining, time])

    def load_reference(self) -> None:
        """(Re)read products, planogram and zones, which `comptoir hub import-*` may change."""
        self.products = {
            row[0]: Product(*row)
            for row in self.db.execute(
                "SELECT gtin, name, price_cents, unit_weight_g, aisle, shelf, lead_time_days, reorder_point "
                "FROM products"
            )
        }
        self.slots.clear()
        self.slots_by_gtin.clear()
        self.slot_by_scale.clear()
        for slot, gtin, camera, capacity, scale in self.db.execute(
            "SELECT slot, gtin, camera, capacity, scale FROM slots"
        ):
            self.slots[slot] = {"gtin": gtin, "camera": camera, "capacity": capacity, "scale": scale}
            self.slots_by_gtin[gtin].append(slot)
            if scale:
                self.slot_by_scale[scale] = slot
        self.zones = {alias: kind for alias, kind in self.db.execute("SELECT alias, kind FROM zones")}
        # who may report each zone (and each gate, listed as a zone): hub/admission.py reads it
        self.zone_readers = dict(self.db.execute("SELECT alias, reader FROM zones WHERE reader IS NOT NULL"))
        self._zone_kinds.clear()
        self.zone_by_antenna = {
            (reader, antenna): alias
            for alias, reader, antenna in self.db.execute(
                "SELECT alias, reader, antenna FROM zones WHERE reader IS NOT NULL AND antenna IS NOT NULL"
            )
        }
        self.sales_rate.clear()

    # -- applying messages -------------------------------------------------------
    def apply(self, message: Message, changes: BatchChanges) -> None:
        if isinstance(message, ZoneEvents):
            zone_event = self._zone_event
            for event in message.events:
                zone_event(message.device, event, ts(event.time), changes)
        elif isinstance(message, ZoneEvent):
            self._zone_event(message.device, message, ts(message.time), changes)
        elif isinstance(message, GatePassage):
            self._gate(message, changes)
        elif isinstance(message, PosReceipt):
            self._receipt(message, changes)
        elif isinstance(message, ShelfCounts):
            self._shelf(message, changes)
        elif isinstance(message, ScaleWeight):
            self._scale(message, changes)
        elif isinstance(message, ZoneSnapshot):
            t = ts(message.time)
            for zone, counts in message.zones.items():
                for gtin, count in counts.items():
                    changes.snapshots.append((message.device, zone, gtin, count, t))

    def zone_kind(self, alias: str, reader: str, antenna: int | None) -> str | None:
        key = (alias, reader, antenna)
        known = self._zone_kinds.get(key, self)
        if known is not self:
            return known  # type: ignore[return-value]
        kind = self.zones.get(alias)
        if kind is None and antenna is not None:
            mapped = self.zone_by_antenna.get((reader, antenna))
            kind = self.zones.get(mapped) if mapped else None
        kind = kind or zone_kind_from_name(alias)
        if len(self._zone_kinds) < ZONE_KIND_CACHE:  # bounded: aliases come from devices
            self._zone_kinds[key] = kind
        return kind

    def _set(self, epc: str, item: Item, state: str, t: float, changes: BatchChanges) -> None:
        if item.state != state:
            counts = self.rfid[item.gtin]
            counts[item.state] -= 1
            counts[state] += 1
            item.state = state
            item.since = t
        changes.items[epc] = item
        if item.gtin:
            changes.gtins.add(item.gtin)
            if t > self.rfid_time.get(item.gtin, 0.0):
                self.rfid_time[item.gtin] = t

    def _item(self, epc: str, gtin: str | None, serial: str | None, t: float) -> tuple[Item, bool]:
        item = self.items.get(epc)
        if item is not None:
            if gtin and item.gtin != gtin and item.gtin is None:
                counts = self.rfid[None]
                counts[item.state] -= 1
                item.gtin = gtin
                self.rfid[gtin][item.state] += 1
            return item, False
        item = Item(gtin, serial, UNKNOWN, None, t, t)
        self.items[epc] = item
        self.rfid[gtin][UNKNOWN] += 1
        return item, True

    def _takes_over(self, new: float | None, held: float | None) -> bool:
        """Does a claim of RSSI ``new`` take the item from the zone holding it with ``held``?

        No RSSI counts as the weakest; between equals the newer claim wins (a single reader's zones, no RSSI).
        """
        if held is None:
            return True
        if new is None:
            return False
        return new >= held + self.settings.zone_switch_db

    def _zone_event(self, device: str, m: ZoneChange, t: float, changes: BatchChanges) -> None:
        had_rivals = m.epc in self.rivals
        self._claim(device, m, t, changes)
        if had_rivals or m.epc in self.rivals:  # only tags that several zones claim: most events write nothing more
            changes.claims.add(m.epc)

    def _claim(self, device: str, m: ZoneChange, t: float, changes: BatchChanges) -> None:
        epc = m.epc
        item, new = self._item(epc, m.gtin, m.serial, t)
        if m.event == "departed" and item.zone is not None and m.location != item.zone:
            # another zone holds it: only this zone's claim goes, even if the departure reaches us late
            rivals = self.rivals.get(epc)
            if rivals is not None and m.location in rivals and rivals[m.location][1] <= t:
                del rivals[m.location]
                if not rivals:
                    del self.rivals[epc]
            if t >= item.since:
                item.last_seen = max(item.last_seen, ts(m.last_seen) if m.last_seen else t)
                changes.items[epc] = item
            return
        if not new and t < item.since:
            return  # older than what the item's state is based on
        item.last_seen = max(item.last_seen, ts(m.last_seen) if m.last_seen else t)
        if m.event == "departed":
            item.claim = None
            rivals = self.rivals.get(epc)
            if rivals:  # another zone still claims it: the strongest of them holds it now
                zone = _strongest(rivals)
                self._hold(epc, item, zone, rivals.pop(zone), t, changes)
                if not rivals:
                    del self.rivals[epc]
                return
            if item.state in (BACKROOM, FLOOR):
                if item.state == FLOOR and item.gtin and self._take_credit(item.gtin, t, changes):
                    item.paid = True
                    self._set(epc, item, SOLD, t, changes)
                elif self.zone_kind(m.location, device, m.antenna) == "exit" and not item.paid:
                    # last read at the exit, then gone: it left, even if the gate did not report the walk
                    self._set(epc, item, LEFT, t, changes)
                    changes.unpaid_exits.append((epc, item.gtin, t, m.location))
                else:
                    self._set(epc, item, UNKNOWN, t, changes)
            else:
                changes.items[epc] = item
            return
        claim: Claim = (m.rssi, t, device, m.antenna)
        rivals = self.rivals.get(epc)
        if m.from_location is not None:  # moved: the zone it came from no longer claims it
            if m.from_location == item.zone:
                item.claim = None
            elif rivals is not None:
                rivals.pop(m.from_location, None)
        # one reader places a tag in one zone: its newer claim replaces its older one
        if item.claim is not None and item.claim[2] == device and m.location != item.zone:
            item.claim = None
        if rivals:
            for other in [z for z, c in rivals.items() if c[2] == device and z != m.location]:
                del rivals[other]
        held, held_zone = item.claim, item.zone
        if held is None and rivals:  # its own zone's claim went: the strongest other claim holds it
            held_zone = _strongest(rivals)
            held = rivals.pop(held_zone)
        if held is not None and held_zone is not None and m.location != held_zone:
            if rivals is None:
                rivals = self.rivals[epc] = {}
            if not self._takes_over(m.rssi, held[0]):
                rivals[m.location] = claim  # seen there too, but held more strongly where it is
                if item.claim is held:
                    changes.items[epc] = item
                else:
                    self._hold(epc, item, held_zone, held, t, changes)
                return
            rivals[held_zone] = held  # the zone it leaves still claims it
        if rivals is not None:
            rivals.pop(m.location, None)
            if not rivals:
                del self.rivals[epc]
        self._hold(epc, item, m.location, claim, t, changes)

    def _hold(self, epc: str, item: Item, zone: str, claim: Claim, t: float, changes: BatchChanges) -> None:
        """The item is where ``claim`` says: its state follows the zone's kind."""
        item.zone = zone
        item.claim = claim
        state = _ZONE_STATE.get(self.zone_kind(zone, claim[2], claim[3]) or "", UNKNOWN)
        if item.state == SOLD:
            changes.items[epc] = item  # a sold item seen on its way out stays sold
            return
        if item.state == LEFT:
            changes.back_in.add(epc)
        self._set(epc, item, state, t, changes)

    def _gate(self, m: GatePassage, changes: BatchChanges) -> None:
        t = ts(m.time)
        item, new = self._item(m.epc, m.gtin, m.serial, t)
        if not new and t < item.since:
            if m.direction == "in":
                return
            # an exit is a fact, not a position: a zone event stamped later (the tag's "departed" from the
            # floor, an exit-zone read) must not hide it; the item's state stays as recent as it was
            t = item.since
        item.last_seen = max(item.last_seen, t)
        item.zone = m.gate
        item.claim = None  # it crossed the gate: the rooms' claims are stale
        if self.rivals.pop(m.epc, None) is not None:
            changes.claims.add(m.epc)
        if m.direction == "in":
            if item.state in (LEFT, UNKNOWN) or new:
                changes.back_in.add(m.epc)
                self._set(m.epc, item, FLOOR, t, changes)
            else:
                changes.items[m.epc] = item
            return
        if item.state == SOLD or item.paid:
            changes.items[m.epc] = item
            return
        if item.gtin and self._take_credit(item.gtin, t, changes):
            item.paid = True
            self._set(m.epc, item, SOLD, t, changes)
            return
        self._set(m.epc, item, LEFT, t, changes)
        changes.unpaid_exits.append((m.epc, item.gtin, t, None))

    def _receipt(self, m: PosReceipt, changes: BatchChanges) -> None:
        t = ts(m.time)
        changes.receipts.append((m.lane, m.receipt_id, m.msg_id, t, m.total_cents, m.currency))
        for line in m.lines:
            changes.sales.append((m.lane, m.receipt_id, t, line.gtin, line.quantity, line.unit_price_cents,
                                  len(line.epcs)))
            changes.gtins.add(line.gtin)
            self.sales_rate.pop(line.gtin, None)
            for epc in line.epcs:
                item, _ = self._item(epc, line.gtin, None, t)
                if line.quantity >= 0:
                    item.paid = True
                    changes.back_in.add(epc)
                    self._set(epc, item, SOLD, t, changes)
                else:  # a return: the item is back on the shop's side of the till
                    item.paid = False
                    self._set(epc, item, FLOOR, t, changes)
            untagged = line.quantity - len(line.epcs)
            if line.quantity > 0 and untagged > 0:
                self._new_credits.append((line.gtin, untagged, t))
                self.credits[line.gtin].append([None, untagged, t])
                changes.credits_changed.add(line.gtin)

    def _shelf(self, m: ShelfCounts, changes: BatchChanges) -> None:
        t = ts(m.time)
        for s in m.slots:
            old = self.slot_readings.get(s.slot)
            if old is not None and t < old.time:
                continue
            gtin = s.gtin or (self.slots.get(s.slot) or {}).get("gtin")
            if s.state == "occluded" and old is not None and old.state != "occluded":
                # a shopper in front of the shelf: keep the last count seen (it ages), rather than forget it
                old.blocked = True
                changes.slots.add(s.slot)
                if old.gtin:
                    changes.gtins.add(old.gtin)
                continue
            if old is not None and old.gtin != gtin:
                self.read_slots_by_gtin[old.gtin].discard(s.slot)
            self.slot_readings[s.slot] = SlotReading(gtin, s.state, s.facings, s.capacity, s.confidence, t, m.device)
            self.read_slots_by_gtin[gtin].add(s.slot)
            changes.slots.add(s.slot)
            if gtin:
                changes.gtins.add(gtin)

    def _scale(self, m: ScaleWeight, changes: BatchChanges) -> None:
        t = ts(m.time)
        old = self.scale_readings.get(m.device)
        if old is not None and t < old.time:
            return
        slot = m.slot or self.slot_by_scale.get(m.device)
        gtin = m.gtin or ((self.slots.get(slot) or {}).get("gtin") if slot else None)
        units = m.units
        if units is None and m.status == "ok" and m.grams is not None:
            unit = m.unit_grams or (self.products[gtin].unit_weight_g if gtin in self.products else None)
            if unit:
                units = max(0, round(m.grams / unit))
        if m.status != "ok":
            units = None  # unplugged, silent or overloaded: the scale's count is unknown, the camera's stands
        elif not m.stable and old is not None:
            units = old.units  # a hand on the shelf: keep the last settled count
        elif not m.stable:
            units = None
        settled = t if m.stable or old is None else (old.settled if old.settled is not None else old.time)
        if old is not None and old.slot != slot:
            self.scales_by_slot[old.slot].discard(m.device)
        self.scale_readings[m.device] = ScaleReading(slot, gtin, m.status, m.grams, units, m.stable, t, settled)
        self.scales_by_slot[slot].add(m.device)
        changes.scales.add(m.device)
        if gtin:
            changes.gtins.add(gtin)

    def device_unavailable(self, device: str, t: float, changes: BatchChanges) -> None:
        """A scale whose status says it is down has no count until it weighs again (the camera's stands)."""
        old = self.scale_readings.get(device)
        if old is None or t < old.time or (old.status != "ok" and old.units is None):
            return
        self.scale_readings[device] = ScaleReading(old.slot, old.gtin, "not_ready", None, None, False, t, old.settled)
        changes.scales.add(device)
        if old.gtin:
            changes.gtins.add(old.gtin)

    def _take_credit(self, gtin: str, t: float, changes: BatchChanges) -> bool:
        """Match one unit sold by GTIN (no tag read at the till) to a tag leaving the shop at ``t``."""
        horizon = self.settings.paid_credit_hours * 3600
        pending = self.credits.get(gtin)
        if not pending:
            return False
        for credit in pending:
            if credit[1] > 0 and abs(t - credit[2]) <= horizon:
                credit[1] -= 1
                if credit[0] is not None:
                    self._credit_changes[credit[0]] = credit[1]
                changes.credits_changed.add(gtin)
                return True
        return False

    def settle_exit(self, epc: str, t: float, changes: BatchChanges) -> bool:
        """At the end of an unpaid exit's grace: is the item settled (paid, back, or paid by a sale since)?

        A sale by GTIN recorded during the grace (a receipt delayed upstream, after the passage) pays the
        item as it would have at the gate, with the exit's own time ``t``.
        """
        item = self.items.get(epc)
        if item is None or item.state != LEFT or item.paid:
            return True
        if item.gtin and self._take_credit(item.gtin, t, changes):
            item.paid = True
            self._set(epc, item, SOLD, item.since, changes)
            return True
        return False

    # -- writing -------------------------------------------------------------------
    def write(self, changes: BatchChanges) -> None:
        """Write what a batch changed; the caller holds the transaction."""
        conn = self.db.conn
        if changes.items:
            conn.executemany(
                "INSERT INTO items (epc, gtin, serial, state, zone, since, last_seen, paid, claim_rssi, claim_time, "
                "claim_reader, claim_antenna) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(epc) DO UPDATE SET gtin=excluded.gtin, state=excluded.state, zone=excluded.zone, "
                "since=excluded.since, last_seen=excluded.last_seen, paid=excluded.paid, "
                "claim_rssi=excluded.claim_rssi, claim_time=excluded.claim_time, "
                "claim_reader=excluded.claim_reader, claim_antenna=excluded.claim_antenna",
                [(e, i.gtin, i.serial, i.state, i.zone, i.since, i.last_seen, int(i.paid), *(i.claim or _NO_CLAIM))
                 for e, i in changes.items.items()],
            )
        if changes.claims:
            conn.executemany("DELETE FROM item_claims WHERE epc = ?", [(e,) for e in changes.claims])
            conn.executemany(
                "INSERT INTO item_claims (epc, zone, rssi, time, reader, antenna) VALUES (?,?,?,?,?,?)",
                [(e, zone, *claim) for e in changes.claims for zone, claim in self.rivals.get(e, {}).items()],
            )
        if changes.slots:
            conn.executemany(
                "INSERT OR REPLACE INTO slot_counts (slot, gtin, camera, state, facings, capacity, confidence, time) "
                "VALUES (?,?,?,?,?,?,?,?)",
                [(s, r.gtin, r.camera, r.state, r.facings, r.capacity, r.confidence, r.time)
                 for s in changes.slots for r in [self.slot_readings[s]]],
            )
        if changes.scales:
            conn.executemany(
                "INSERT OR REPLACE INTO scale_counts (scale, slot, gtin, status, grams, units, stable, time) "
                "VALUES (?,?,?,?,?,?,?,?)",
                [(d, r.slot, r.gtin, r.status, r.grams, r.units, int(r.stable), r.time)
                 for d in changes.scales for r in [self.scale_readings[d]]],
            )
        if changes.snapshots:
            conn.executemany(
                "INSERT OR REPLACE INTO snapshot_counts (reader, zone, gtin, count, time) VALUES (?,?,?,?,?)",
                changes.snapshots,
            )
        if changes.receipts:
            conn.executemany(
                "INSERT OR IGNORE INTO receipts (lane, receipt_id, msg_id, time, total_cents, currency) "
                "VALUES (?,?,?,?,?,?)",
                changes.receipts,
            )
        if changes.sales:
            conn.executemany(
                "INSERT INTO sales (lane, receipt_id, time, gtin, quantity, unit_price_cents, tagged) "
                "VALUES (?,?,?,?,?,?,?)",
                changes.sales,
            )
        if self._credit_changes:
            conn.executemany("UPDATE paid_credits SET remaining=? WHERE id=?",
                             [(r, i) for i, r in self._credit_changes.items()])
            self._credit_changes.clear()
        if self._new_credits:
            for gtin, units, t in self._new_credits:
                cur = conn.execute("INSERT INTO paid_credits (gtin, remaining, time) VALUES (?,?,?)", (gtin, units, t))
                for credit in self.credits[gtin]:
                    if credit[0] is None and credit[2] == t:
                        credit[0] = cur.lastrowid
                        if credit[1] != units:
                            conn.execute("UPDATE paid_credits SET remaining=? WHERE id=?", (credit[1], credit[0]))
                        break
            self._new_credits.clear()

    def forget_pending(self) -> None:
        """After a failed transaction: reload, so memory matches the database again."""
        self._credit_changes.clear()
        self._new_credits.clear()
        self.load()

    # -- per-SKU figures -------------------------------------------------------------
    def confidence(self, source: str, age_s: float | None) -> float:
        if age_s is None:
            return 0.0
        base = SOURCE_CONFIDENCE[source]
        fresh, stale = self.settings.fresh_s, self.settings.stale_s
        if age_s <= fresh:
            return base
        # halves between fresh and stale, keeps halving after
        return round(base * math.pow(0.5, (age_s - fresh) / max(stale - fresh, 1.0)), 3)

    def pending_paid(self, gtin: str, now: float) -> int:
        """Units sold by GTIN in the last ``paid_credit_hours`` whose tag has not left yet."""
        horizon = self.settings.paid_credit_hours * 3600
        return sum(c[1] for c in self.credits.get(gtin) or [] if c[1] > 0 and now - c[2] <= horizon)

    def daily_rate(self, gtin: str, now: float) -> float:
        rate = self.sales_rate.get(gtin)
        if rate is None:
            days = self.settings.reorder_window_days
            row = self.db.execute(
                "SELECT COALESCE(SUM(quantity), 0) FROM sales WHERE gtin = ? AND time >= ?",
                (gtin, now - days * 86400),
            ).fetchone()
            rate = max(0.0, row[0] / days)
            self.sales_rate[gtin] = rate
        return rate

    def reorder_point(self, gtin: str, now: float) -> tuple[int | None, str]:
        product = self.products.get(gtin)
        if product is None:
            return None, "not in the catalog"
        if product.reorder_point is not None:
            return product.reorder_point, "set by staff"
        rate = self.daily_rate(gtin, now)
        if rate <= 0:
            return None, f"no sales in the last {self.settings.reorder_window_days} days"
        demand = rate * max(product.lead_time_days, 1)
        point = math.ceil(demand * (1 + self.settings.safety_factor))
        return point, (
            f"{rate:.2f}/day over {self.settings.reorder_window_days} days x {product.lead_time_days} days lead time "
            f"+ {self.settings.safety_factor:.0%} safety stock"
        )

    def sku(self, gtin: str, now: float) -> dict[str, Any]:
        """Every figure the hub has for one SKU, each with its source, age and confidence."""
        counts = self.rfid.get(gtin) or dict.fromkeys(ITEM_STATES, 0)
        rfid_t = self.rfid_time.get(gtin)
        rfid_age = now - rfid_t if rfid_t is not None else None
        pending = self.pending_paid(gtin, now)
        rfid_floor = max(0, counts[FLOOR] - pending)
        slots = []
        camera_facings: int | None = None
        camera_t: float | None = None
        camera_conf = []
        occluded = False
        empty_slots = []
        blocked = False
        scale_units: int | None = None
        scale_t: float | None = None
        camera_over_held_scale = False
        slot_names = set(self.slots_by_gtin.get(gtin, []))
        slot_names.update(self.read_slots_by_gtin.get(gtin, ()))
        for slot in sorted(slot_names):
            plan = self.slots.get(slot, {})
            reading = self.slot_readings.get(slot)
            entry: dict[str, Any] = {"slot": slot, "capacity": plan.get("capacity"), "camera": plan.get("camera")}
            if reading is not None:
                entry.update(state=reading.state, facings=reading.facings, time=reading.time,
                             camera=reading.camera, capacity=reading.capacity)
                if reading.state == "occluded":
                    occluded = True
                else:
                    blocked = blocked or reading.blocked
                    camera_facings = (camera_facings or 0) + (reading.facings or 0)
                    camera_conf.append(reading.confidence)
                    if (reading.facings or 0) == 0:
                        empty_slots.append(slot)
                camera_t = max(camera_t or 0.0, reading.time)
            scale_id = plan.get("scale")
            devices = set(self.scales_by_slot.get(slot, ()))
            if scale_id in self.scale_readings:
                devices.add(scale_id)
            for dev in sorted(devices):
                sr = self.scale_readings[dev]
                entry.update(scale=dev, scale_units=sr.units, scale_time=sr.time)
                if not sr.stable and sr.units is not None and _counted_since(reading, sr):
                    # the scale has been unsettled since before the camera's latest clear count of this slot:
                    # its held count is older news than what the camera sees now
                    entry.update(scale_held=True)
                    camera_over_held_scale = True
                    continue
                if sr.units is not None:
                    scale_units = (scale_units or 0) + sr.units
                    scale_t = max(scale_t or 0.0, sr.time)
                    if sr.units == 0 and slot not in empty_slots:
                        empty_slots.append(slot)
            slots.append(entry)
        camera_age = now - camera_t if camera_t is not None else None
        scale_age = now - scale_t if scale_t is not None else None
        if scale_units is not None and not (camera_over_held_scale and camera_facings is not None):
            shelf_units, shelf_source, shelf_age = scale_units, "scale", scale_age
        elif camera_facings is not None:
            shelf_units, shelf_source, shelf_age = camera_facings, "camera", camera_age
        else:
            shelf_units, shelf_source, shelf_age = None, None, None
        rfid_seen = rfid_t is not None
        # a tagged SKU is counted item by item by RFID; a camera or scale says what is on the shelf, not how many
        # exist (it over-counts a double detection and misses baskets and back rows): it counts an untagged SKU only
        floor_units = rfid_floor if rfid_seen else shelf_units
        observed = rfid_seen or shelf_units is not None
        on_hand = (counts[BACKROOM] + (floor_units or 0)) if observed else None
        flags = []
        if camera_facings == 0 and not occluded and rfid_floor > 0:
            flags.append("misplaced_or_hidden")
        if camera_facings and rfid_seen and counts[FLOOR] == 0:
            flags.append("untagged_or_unreadable")
        if occluded or blocked:
            flags.append("shelf_view_blocked")
        rfid_conf = self.confidence("rfid", rfid_age)
        shelf_conf = (self.confidence(shelf_source, shelf_age) if shelf_source else 0.0)
        if shelf_source == "camera" and camera_conf:
            shelf_conf = round(shelf_conf * min(camera_conf), 3)
        confs = [c for c, present in ((rfid_conf, rfid_seen), (shelf_conf, shelf_source is not None)) if present]
        confidence = min(confs) if confs else 0.0
        if flags and confidence:
            confidence = round(confidence * 0.7, 3)
        product = self.products.get(gtin)
        return {
            "gtin": gtin,
            "name": product.name if product else None,
            "on_hand": on_hand,
            "backroom": {"units": counts[BACKROOM] if rfid_seen else None, "source": "rfid", "age_s": rfid_age,
                         "confidence": rfid_conf},
            "floor": {"units": floor_units, "rfid_units": counts[FLOOR] if rfid_seen else None,
                      "sold_untagged_pending": pending, "source": "rfid+shelf" if shelf_source else "rfid",
                      "age_s": rfid_age, "confidence": rfid_conf},
            "shelf": {"units": shelf_units, "source": shelf_source, "age_s": shelf_age,
                      "camera_facings": camera_facings, "camera_age_s": camera_age,
                      "scale_units": scale_units, "scale_age_s": scale_age, "confidence": shelf_conf,
                      "empty_slots": empty_slots, "occluded": occluded},
            "items": {s: counts[s] for s in ITEM_STATES},
            "slots": slots,
            "flags": flags,
            "confidence": confidence,
        }


def _counted_since(reading: SlotReading | None, scale: ScaleReading) -> bool:
    """A clear camera count of the slot (a view neither occluded now nor blocked) made after the scale settled."""
    if reading is None or reading.state == "occluded" or reading.blocked or reading.facings is None:
        return False
    return reading.time > (scale.settled if scale.settled is not None else scale.time)
