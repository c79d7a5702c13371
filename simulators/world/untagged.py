"""Products without tags or a watched shelf: sold by barcode, damaged, stolen, ordered, delivered and counted.

No reader, camera or scale sees them, so the hub knows them only by its
book (hub/inventory/book.py). This model is their truth: units in the shop
per product, and every event that moves them, which the shop's staff (the
demo's back office, simulators/score/untagged.py) turn into what staff do:
till receipts, adjustments, purchase orders, deliveries received, counts.
Some events nobody records (a theft, a breakage swept up unnoticed): they
are the drift a count corrects.

It runs on the world's timeline as movers of its own, with its own random
generator, so adding untagged products leaves the tagged shop's day as it was.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from simulators.world.catalog import Product

if TYPE_CHECKING:
    from simulators.world.world import Process, World

DAY_S = 86400.0


@dataclass(frozen=True, slots=True)
class UntaggedParams:
    """How the untagged products live. Rates are per simulated day; times in simulated seconds."""

    opening_units: tuple[int, int] = (10, 24)  # units of each product at opening (inclusive range)
    sales_per_day: float = 5.0  # units sold per product per day (mean)
    damage_per_day: float = 0.6  # breakages per day over all untagged products
    damage_recorded: float = 0.7  # share of breakages staff notice and record as an adjustment
    theft_per_day: float = 0.3  # thefts per day over all untagged products (never recorded)
    order_below: int = 6  # an order leaves when units plus those on order fall below this
    order_units: int = 18  # units per order line
    lead_s: float = DAY_S  # from order to delivery
    short_ship: float = 0.25  # share of deliveries one unit short on one line
    count_every_s: float = 3 * 3600.0  # a cycle count of one category of them this often (categories in turn)


@dataclass(frozen=True, slots=True)
class StockEvent:
    """Something that moved untagged stock (``kind``: sold, damaged, stolen, ordered, delivered, count).

    ``lines``: GTIN-14 -> units (for ``count``: the units there really are); ``recorded``: staff know of it;
    ``ref``: the order an ``ordered``/``delivered`` pair belongs to, ``scope``: the category a count covers.
    """

    time: datetime
    kind: str
    lines: dict[str, int]
    recorded: bool = True
    ref: int = 0
    scope: str = ""
    supplier: str = ""


Listener = Callable[[StockEvent], None]


@dataclass
class UntaggedStock:
    """The truth of the untagged products; subscribe to hear every :class:`StockEvent`."""

    world: World
    products: list[Product]
    params: UntaggedParams = field(default_factory=UntaggedParams)
    seed: int = 1

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed * 7919 + 17)
        self.by_gtin = {p.gtin14: p for p in self.products}
        low, high = self.params.opening_units
        self.units = {p.gtin14: self.rng.randint(low, high) for p in self.products}
        self.on_order: dict[str, int] = {}
        self.events: list[StockEvent] = []
        self._listeners: list[Listener] = []
        self._orders = itertools.count(1)
        self.categories = sorted({p.category for p in self.products})
        if self.products:
            self.world.spawn(self._sales())
            self.world.spawn(self._losses())
            self.world.spawn(self._counts(), delay_s=self.params.count_every_s)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _emit(self, kind: str, lines: dict[str, int], **extra: object) -> None:
        event = StockEvent(self.world.now, kind, lines, **extra)  # type: ignore[arg-type]
        self.events.append(event)
        for listener in list(self._listeners):
            listener(event)

    def _gtins(self) -> list[str]:
        return sorted(self.units)

    # -- movers --------------------------------------------------------------------------
    def _sales(self) -> Process:
        rate = len(self.products) * self.params.sales_per_day / DAY_S
        while True:
            yield self.rng.expovariate(rate)
            gtin = self.rng.choice(self._gtins())
            quantity = min(self.units[gtin], 1 if self.rng.random() < 0.8 else 2)
            if quantity:
                self.units[gtin] -= quantity
                self._emit("sold", {gtin: quantity})
                self._maybe_order(gtin)

    def _losses(self) -> Process:
        p = self.params
        rate = (p.damage_per_day + p.theft_per_day) / DAY_S
        while True:
            yield self.rng.expovariate(rate)
            gtin = self.rng.choice(self._gtins())
            if not self.units[gtin]:
                continue
            self.units[gtin] -= 1
            if self.rng.random() < p.damage_per_day / (p.damage_per_day + p.theft_per_day):
                self._emit("damaged", {gtin: 1}, recorded=self.rng.random() < p.damage_recorded)
            else:
                self._emit("stolen", {gtin: 1}, recorded=False)
            self._maybe_order(gtin)

    def _maybe_order(self, gtin: str) -> None:
        if gtin in self.on_order or self.units[gtin] >= self.params.order_below:
            return
        ref = next(self._orders)
        self.on_order[gtin] = self.params.order_units
        self._emit("ordered", {gtin: self.params.order_units}, ref=ref, supplier=self.by_gtin[gtin].supplier)
        self.world.spawn(self._delivery(ref, gtin), delay_s=self.params.lead_s)

    def _delivery(self, ref: int, gtin: str) -> Process:
        quantity = self.on_order.pop(gtin)
        if self.rng.random() < self.params.short_ship:
            quantity -= 1
        self.units[gtin] += quantity
        self._emit("delivered", {gtin: quantity}, ref=ref)
        yield 0.0

    def _counts(self) -> Process:
        for category in itertools.cycle(self.categories):
            self.count(category)
            yield self.params.count_every_s

    def count(self, category: str = "") -> None:
        """Staff count one category of the untagged products (``""``: all of them) now."""
        lines = {g: n for g, n in self.units.items() if not category or self.by_gtin[g].category == category}
        self._emit("count", lines, scope=category)
