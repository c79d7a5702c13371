"""The planogram: aisles -> bays -> shelves -> slots, each bay watched by a camera.

A slot holds one product; its capacity is in units (facings the camera can
count when the slot is full). Fruit and vegetables sit on weighing shelves:
those slots carry a scale id.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from simulators.world.catalog import Product
from simulators.world.layout import AISLE_Y, aisle_x, floor_zone

SLOTS_PER_BAY_SHELF = 6
SHELVES_PER_BAY = 5
BAY_LENGTH_M = 2.0
WEIGHING_CATEGORIES = frozenset({"Fruits et légumes"})


@dataclass(slots=True)
class Slot:
    """A place on a shelf for one product; ``slot_id`` reads aisle-bay-shelf-position, e.g. ``A2-B1-S3-04``."""

    slot_id: str
    aisle: str
    bay: str  # e.g. "A2-B1"
    shelf: int
    position: int
    gtin: str  # GTIN-14 of the product
    capacity: int
    camera: str
    zone: str
    x: float
    y: float
    scale: str | None = None


@dataclass(slots=True)
class Bay:
    bay_id: str
    aisle: str
    camera: str
    slots: list[Slot] = field(default_factory=list)


@dataclass(slots=True)
class Planogram:
    bays: dict[str, Bay]
    slots: dict[str, Slot]
    by_gtin: dict[str, list[Slot]]

    def slots_of(self, gtin: str) -> list[Slot]:
        """Slots that show ``gtin`` (GTIN-14), in planogram order."""
        return self.by_gtin.get(gtin, [])

    @property
    def cameras(self) -> dict[str, Bay]:
        return {bay.camera: bay for bay in self.bays.values()}

    @property
    def scales(self) -> dict[str, Slot]:
        return {s.scale: s for s in self.slots.values() if s.scale}


def camera_id(bay_id: str) -> str:
    return f"cam-{bay_id.lower()}"


def scale_id(slot_id: str) -> str:
    return f"scale-{slot_id.lower()}"


def capacity_for(product: Product) -> int:
    """Units a slot holds: bulky packs take fewer."""
    if product.unit_weight_g >= 2000:
        return 3
    if product.unit_weight_g >= 900:
        return 4
    if product.unit_weight_g <= 150:
        return 8
    return 6


def build_planogram(products: list[Product]) -> Planogram:
    """Lay products out by their catalog aisle and shelf, filling bays left to right."""
    by_place: dict[tuple[str, int], list[Product]] = defaultdict(list)
    for product in products:
        by_place[(product.aisle, product.shelf)].append(product)
    bays: dict[str, Bay] = {}
    slots: dict[str, Slot] = {}
    by_gtin: dict[str, list[Slot]] = defaultdict(list)
    for (aisle, shelf), items in sorted(by_place.items()):
        for index, product in enumerate(items):
            bay_no, position = divmod(index, SLOTS_PER_BAY_SHELF)
            bay_id = f"{aisle}-B{bay_no + 1}"
            bay = bays.setdefault(bay_id, Bay(bay_id, aisle, camera_id(bay_id)))
            slot_id = f"{bay_id}-S{shelf}-{position + 1:02d}"
            along = AISLE_Y[0] + bay_no * BAY_LENGTH_M + (position + 0.5) * BAY_LENGTH_M / SLOTS_PER_BAY_SHELF
            side = -1.0 if bay_no % 2 == 0 else 1.0  # bays alternate on the aisle's two sides
            slot = Slot(
                slot_id=slot_id,
                aisle=aisle,
                bay=bay_id,
                shelf=shelf,
                position=position + 1,
                gtin=product.gtin14,
                capacity=capacity_for(product),
                camera=bay.camera,
                zone=floor_zone(aisle),
                x=aisle_x(aisle) + side * 1.5,
                y=min(along, AISLE_Y[1]),
                scale=scale_id(slot_id) if product.category in WEIGHING_CATEGORIES else None,
            )
            bay.slots.append(slot)
            slots[slot_id] = slot
            by_gtin[product.gtin14].append(slot)
    return Planogram(bays, slots, dict(by_gtin))
