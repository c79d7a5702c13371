"""The shop's reference data as the inventory rules read it: products, the planogram's slots, zones.

`comptoir hub import-*` changes these tables from another process; ingest
calls :meth:`Reference.load` again when the database says it changed.
hub/admission.py reads the same object to know which device may report
which zone, gate or slot.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlite_utils

from hub.inventory.records import Product
from hub.inventory.states import zone_kind_from_name

#: Most (alias, reader, antenna) answers of :meth:`Reference.zone_kind` remembered until the zones change.
ZONE_KIND_CACHE = 10_000


class Reference:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.products: dict[str, Product] = {}
        # slot -> {"gtin", "camera", "capacity", "scale"}: the planogram's row (admission and the dashboard read it)
        self.slots: dict[str, dict[str, Any]] = {}
        self.slots_by_gtin: dict[str, list[str]] = defaultdict(list)
        self.slot_by_scale: dict[str, str] = {}
        self.zones: dict[str, str] = {}  # alias -> kind
        self.zone_readers: dict[str, str] = {}  # alias -> the reader (or gate) that may report it
        self.zone_by_antenna: dict[tuple[str, int], str] = {}
        self._zone_kinds: dict[tuple[str, str, int | None], str | None] = {}  # zone_kind's answers

    def load(self) -> None:
        """(Re)read products, planogram and zones."""
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
        self.zone_readers = dict(self.db.execute("SELECT alias, reader FROM zones WHERE reader IS NOT NULL"))
        self._zone_kinds.clear()
        self.zone_by_antenna = {
            (reader, antenna): alias
            for alias, reader, antenna in self.db.execute(
                "SELECT alias, reader, antenna FROM zones WHERE reader IS NOT NULL AND antenna IS NOT NULL"
            )
        }

    def slot_gtin(self, slot: str | None) -> str | None:
        """The GTIN the planogram puts in ``slot``."""
        return (self.slots.get(slot) or {}).get("gtin") if slot else None

    def zone_kind(self, alias: str, reader: str, antenna: int | None) -> str | None:
        """The kind of the zone a reader names: imported, else by its antenna's zone, else guessed from its name."""
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
