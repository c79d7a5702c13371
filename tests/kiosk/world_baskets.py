"""Receipts from the store world, for the recommender's tests and benchmark.

The world's built-in shoppers pick a random aisle, then a random product:
their baskets hold no "goes together" signal at all, so a recommender cannot
beat popularity on them (the test checks it is not worse). Real shoppers
come with a purpose, so this module spawns *mission shoppers* into the same
world through its public API (``World.spawn``, ``World.pick``): each follows
a shopping mission (breakfast, pasta dinner, laundry...), often carries a
loyalty card, and favours products it bought before. Their receipts, plus
those of the built-in shoppers (read from the world's ``paid`` changes), are
the baskets.
"""

from __future__ import annotations

import csv
import random
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from simulators.world import World, WorldParams
from simulators.world.world import Change

#: Missions: name -> words, one of which a product's folded name must contain.
MISSIONS: dict[str, list[str]] = {
    "breakfast": ["croissant", "pain", "baguette", "beurre", "confiture", "cafe", "lait", "jus", "miel", "brioche"],
    "pasta": ["spaghetti", "penne", "fusilli", "tagliatelle", "sauce", "pesto", "emmental", "parmesan", "tomate"],
    "apero": ["chips", "cacahuete", "pistache", "biere", "tuc", "monaco", "saucisson", "olive", "cidre"],
    "laundry": ["lessive", "adoucissant", "javel", "eponge", "vaisselle", "nettoyant", "gants"],
    "baby": ["couche", "bledine", "petits pots", "lait", "mouchoir"],
    "pets": ["chien", "chat"],
    "baking": ["farine", "sucre", "levure", "oeuf", "beurre", "vanille", "chocolat a cuire", "cacao"],
    "salad": ["huile", "vinaigre", "moutarde", "tomate", "mache", "avocat", "citron", "echalote"],
    "hygiene": ["dentifrice", "brosse", "shampooing", "gel douche", "deodorant", "papier toilette"],
}


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


@dataclass
class Receipt:
    basket_id: str
    items: list[str]
    customer_id: str | None
    ts: str


class BasketRecorder:
    """Spawns mission shoppers into ``world`` and records every receipt of the day."""

    def __init__(
        self, world: World, seed: int = 11, customers: int = 60, every_s: float = 90.0, card_share: float = 0.7
    ) -> None:
        self.world = world
        self.rng = random.Random(seed)
        self.every_s = every_s
        self.card_share = card_share
        self.receipts: list[Receipt] = []
        self.by_mission: dict[str, list[str]] = {}
        for mission, words in MISSIONS.items():
            gtins = [p.gtin14 for p in world.products if any(w in _fold(p.name) for w in words)]
            if len(gtins) >= 3:
                self.by_mission[mission] = gtins
        names = sorted(self.by_mission)
        self.customers = {f"card-{i:04d}": (self.rng.choice(names), []) for i in range(customers)}
        self._carried: dict[str, list[str]] = defaultdict(list)
        self._count = 0
        world.subscribe(self._on_change)
        world.spawn(self._arrivals())

    def _on_change(self, change: Change) -> None:
        """Receipts of the world's own shoppers: the items they paid, grouped by shopper."""
        if change.kind == "paid" and change.before is not None and change.before.carrier:
            self._carried[change.before.carrier].append(self.world.items[change.epc].gtin)
        elif change.kind == "left" and change.before is not None and change.before.carrier:
            items = self._carried.pop(change.before.carrier, [])
            if items:
                self._record(list(dict.fromkeys(items)), None)

    def _record(self, items: list[str], customer: str | None) -> None:
        self._count += 1
        self.receipts.append(Receipt(f"r{self._count:06d}", items, customer, self.world.now.isoformat()))

    def _arrivals(self):
        n = 0
        while True:
            yield self.rng.expovariate(1.0 / self.every_s)
            n += 1
            self.world.spawn(self._mission_shopper(f"mission-{n}"))

    def _mission_shopper(self, shopper: str):
        customer = None
        if self.rng.random() < self.card_share:
            customer = self.rng.choice(sorted(self.customers))
            mission, favourites = self.customers[customer]
            if self.rng.random() < 0.3:
                mission = self.rng.choice(sorted(self.by_mission))
        else:
            mission, favourites = self.rng.choice(sorted(self.by_mission)), []
        pool = self.by_mission[mission]
        wanted = self.rng.sample(pool, k=min(len(pool), self.rng.randint(2, 5)))
        if favourites and self.rng.random() < 0.6:
            wanted[0] = self.rng.choice(favourites)
        if self.rng.random() < 0.3:
            wanted.append(self.rng.choice(self.world.products).gtin14)  # an impulse buy
        taken = []
        for gtin in dict.fromkeys(wanted):
            yield self.rng.uniform(20, 60)
            for slot in self.world.planogram.slots_of(gtin):
                if self.world.facings(slot.slot_id):
                    self.world.pick(slot.slot_id, carrier=shopper)
                    taken.append(gtin)
                    break
        if taken:
            if customer is not None:
                self.customers[customer][1].extend(taken[:2])
            self._record(taken, customer)


def world_receipts(
    hours: float = 24.0, seed: int = 5, products: int | None = None, mission_every_s: float = 90.0
) -> list[Receipt]:
    """Run a world for ``hours`` simulated hours with mission shoppers; return every receipt."""
    world = World(seed=seed, params=WorldParams(products=products, restock_every_s=600.0))
    recorder = BasketRecorder(world, seed=seed + 1, every_s=mission_every_s)
    world.advance(hours * 3600.0)
    return recorder.receipts


def write_csv(receipts: list[Receipt], path, with_customers: bool = True) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["basket_id", "product_id", "customer_id", "ts"] if with_customers else ["basket_id", "product_id"]
        )
        for r in receipts:
            for gtin in r.items:
                writer.writerow(
                    [r.basket_id, gtin, r.customer_id or "", r.ts] if with_customers else [r.basket_id, gtin]
                )
