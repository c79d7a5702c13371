"""Shelf readings: what cameras count per slot and what scales weigh.

A camera's occluded view keeps the last count seen (it ages, flagged
``blocked``); a scale that is not ``ok`` has no count (the camera's stands),
and an unsettled one keeps its last settled count (docs/fusion.md, "Shelf").
"""

from __future__ import annotations

from collections import defaultdict

from comptoir.contract import ScaleWeight, ShelfCounts
from hub.inventory.records import BatchChanges, ScaleReading, SlotReading
from hub.inventory.reference import Reference
from hub.timeutil import ts


class ShelfReadings:
    def __init__(self, reference: Reference) -> None:
        self.reference = reference
        self.slot_readings: dict[str, SlotReading] = {}  # slot -> its camera's latest count
        self.scale_readings: dict[str, ScaleReading] = {}  # scale device -> its latest weight
        # indexes, so one SKU's figures cost its own slots, not the whole shop's
        self.read_slots_by_gtin: dict[str | None, set[str]] = defaultdict(set)
        self.scales_by_slot: dict[str | None, set[str]] = defaultdict(set)

    def add_loaded_slot(self, slot: str, reading: SlotReading) -> None:
        self.slot_readings[slot] = reading
        self.read_slots_by_gtin[reading.gtin].add(slot)

    def add_loaded_scale(self, scale: str, reading: ScaleReading) -> None:
        self.scale_readings[scale] = reading
        self.scales_by_slot[reading.slot].add(scale)

    def camera(self, m: ShelfCounts, changes: BatchChanges) -> None:
        t = ts(m.time)
        for s in m.slots:
            old = self.slot_readings.get(s.slot)
            if old is not None and t < old.time:
                continue
            gtin = s.gtin or self.reference.slot_gtin(s.slot)
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

    def scale(self, m: ScaleWeight, changes: BatchChanges) -> None:
        t = ts(m.time)
        old = self.scale_readings.get(m.device)
        if old is not None and t < old.time:
            return
        slot = m.slot or self.reference.slot_by_scale.get(m.device)
        gtin = m.gtin or self.reference.slot_gtin(slot)
        units = m.units
        if units is None and m.status == "ok" and m.grams is not None:
            products = self.reference.products
            unit = m.unit_grams or (products[gtin].unit_weight_g if gtin in products else None)
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

    def scale_down(self, device: str, t: float, changes: BatchChanges) -> None:
        """A scale whose status says it is down has no count until it weighs again (the camera's stands)."""
        old = self.scale_readings.get(device)
        if old is None or t < old.time or (old.status != "ok" and old.units is None):
            return
        self.scale_readings[device] = ScaleReading(old.slot, old.gtin, "not_ready", None, None, False, t, old.settled)
        changes.scales.add(device)
        if old.gtin:
            changes.gtins.add(old.gtin)
