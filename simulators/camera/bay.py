"""What one camera looks at: a bay of shelves, each shelf a row of planogram slots.

The renderer needs only this description and the current facings per slot;
it is built from the store world's planogram (see :mod:`simulators.camera.world_bays`)
or drawn at random for training data (:func:`random_bay`).
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field

from simulators.world import Product, World, load_catalog
from simulators.world.planogram import SHELVES_PER_BAY


@dataclass(frozen=True, slots=True)
class SlotSpec:
    """One slot of a shelf: which product, and how many facings it holds when full."""

    slot_id: str
    gtin: str
    capacity: int
    name: str = ""
    category: str = ""
    price_eur: float | None = None
    kind: str | None = None  # package kind, from the world's catalog
    rgb: tuple[int, int, int] | None = None  # pack colour, from the world's catalog


@dataclass(frozen=True, slots=True)
class ShelfSpec:
    slots: tuple[SlotSpec, ...]


@dataclass(frozen=True, slots=True)
class BaySpec:
    """A bay as seen by ``camera_id``: shelves from top to bottom."""

    bay_id: str
    camera_id: str
    shelves: tuple[ShelfSpec, ...]
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def slots(self) -> list[SlotSpec]:
        return [slot for shelf in self.shelves for slot in shelf.slots]

    def full_facings(self) -> dict[str, int]:
        return {slot.slot_id: slot.capacity for slot in self.slots}


_WORDS = (
    "Bio",
    "Gourmet",
    "Maison",
    "Ferme",
    "Soleil",
    "Provence",
    "Normandie",
    "Bretagne",
    "Alpes",
    "Jardin",
    "Lait",
    "Cafe",
    "The",
    "Pates",
    "Riz",
    "Huile",
    "Sucre",
    "Farine",
    "Biscuit",
    "Jus",
    "Eau",
    "Soupe",
    "Chips",
    "Miel",
    "Confiture",
    "Lessive",
    "Savon",
    "Sel",
    "Moutarde",
    "Olive",
    "Choco",
    "Cereales",
)
_CATEGORIES = (
    "epicerie",
    "boissons",
    "conserves",
    "biscuits",
    "petit-dejeuner",
    "hygiene",
    "entretien",
    "snacks",
    "condiments",
    "cremerie",
)


def _gtin13(rng: random.Random) -> str:
    body = "".join(str(rng.randrange(10)) for _ in range(12))
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


@functools.cache
def catalog_products() -> tuple[Product, ...]:
    return tuple(load_catalog())


def slot_for(product: Product, slot_id: str, capacity: int) -> SlotSpec:
    return SlotSpec(
        slot_id=slot_id,
        gtin=product.gtin14,
        capacity=capacity,
        name=product.name,
        category=product.category,
        price_eur=float(product.price_eur),
        kind=product.package,
        rgb=product.colour,
    )


def world_bay(world: World, bay_id: str) -> BaySpec:
    """The bay ``bay_id`` of the world's planogram, shelves from the top (shelf 1) down."""
    try:
        bay = world.planogram.bays[bay_id]
    except KeyError:
        known = ", ".join(sorted(world.planogram.bays))
        raise KeyError(f"no bay {bay_id!r} in the planogram; known: {known}") from None
    shelves: dict[int, list[SlotSpec]] = {}
    for slot in sorted(bay.slots, key=lambda s: (s.shelf, s.position)):
        shelves.setdefault(slot.shelf, []).append(slot_for(world.by_gtin[slot.gtin], slot.slot_id, slot.capacity))
    # every level of the bay, bare ones too: a bay whose products fill one shelf is still five shelves high, and
    # drawing that one shelf over the whole bay would stretch its products to shapes no camera (nor detector) sees
    levels = range(1, max(SHELVES_PER_BAY, *shelves) + 1) if shelves else range(1, SHELVES_PER_BAY + 1)
    return BaySpec(
        bay_id=bay.bay_id, camera_id=bay.camera, shelves=tuple(ShelfSpec(tuple(shelves.get(n, []))) for n in levels)
    )


def random_bay(rng: random.Random, *, bay_id: str = "R1-B1", camera_id: str = "cam-train") -> BaySpec:
    """A random but plausible bay, for training data: 3-5 shelves of 2-6 slots, 2-8 facings each.

    Half the products come from the world's catalog (the looks the shop's
    cameras will see), half are invented (so the detector learns packages,
    not a list of products).
    """
    catalog = catalog_products()
    shelves = []
    for s in range(rng.randint(3, 5)):
        slots = []
        for k in range(rng.randint(2, 6)):
            slot_id, capacity = f"{bay_id}-S{s + 1}-{k + 1:02d}", rng.randint(2, 8)
            if catalog and rng.random() < 0.5:
                slots.append(slot_for(rng.choice(catalog), slot_id, capacity))
                continue
            slots.append(
                SlotSpec(
                    slot_id=slot_id,
                    gtin=_gtin13(rng),
                    capacity=capacity,
                    name=f"{rng.choice(_WORDS)} {rng.choice(_WORDS)}",
                    category=rng.choice(_CATEGORIES),
                    price_eur=round(rng.uniform(0.8, 12.0), 2),
                )
            )
        shelves.append(ShelfSpec(tuple(slots)))
    return BaySpec(bay_id=bay_id, camera_id=camera_id, shelves=tuple(shelves))


def random_facings(bay: BaySpec, rng: random.Random, *, empty_rate: float = 0.15) -> dict[str, int]:
    """Facings for every slot: some empty, some partly sold, some full."""
    facings = {}
    for slot in bay.slots:
        roll = rng.random()
        if roll < empty_rate:
            facings[slot.slot_id] = 0
        elif roll < empty_rate + 0.35:
            facings[slot.slot_id] = slot.capacity
        else:
            facings[slot.slot_id] = rng.randint(1, slot.capacity)
    return facings
