"""The store world: items, the people who move them, and the ground truth.

Everything happens on the world's own timeline: :meth:`World.advance_to`
runs every scheduled step up to a time, so the same seed gives the same
shop at the same simulated instant however fast or slow the caller drives
it. :meth:`World.run` follows an injectable clock (a ``SimulatedClock`` at
``speed=60`` runs an hour a minute).

Movers are generator functions that ``yield`` the seconds to wait before
their next step; later issues add their own (a POS lane, a camera's
occluding shopper) with :meth:`World.spawn`.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import defaultdict
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from comptoir.clock import Clock, utc
from simulators.world.catalog import Product, load_catalog
from simulators.world.items import Item, Status, Where, sgtin96
from simulators.world.layout import AISLES, GATE_HALF_DEPTH_M, GATE_X, GATE_Y, ZONES, floor_zone
from simulators.world.planogram import Planogram, Slot, build_planogram
from simulators.world.untagged import UntaggedParams, UntaggedStock

Process = Generator[float, None, None]
DEFAULT_START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class WorldParams:
    """How busy the shop is. Times are in simulated seconds."""

    products: int | None = None  # use this many catalog products (spread over all aisles); None = all
    shelf_fill: float = 0.8  # share of each slot's capacity filled at opening
    backroom_units: int = 4  # units of each product in the backroom at opening
    shopper_every_s: float = 120.0  # mean time between shoppers (exponential)
    picks: tuple[int, int] = (1, 5)  # items a shopper takes (inclusive range)
    dwell_s: tuple[float, float] = (20.0, 90.0)  # time spent in an aisle
    checkout_s: tuple[float, float] = (30.0, 90.0)
    theft_rate: float = 0.02  # share of shoppers who leave one item unpaid
    gate_transit_s: float = 4.0  # time to walk through the exit gate
    gate_steps: int = 8  # positions along the way, for the gate antennas' RSSI
    restock_every_s: float = 900.0
    restock_below: float = 0.5  # restock a slot under this share of its capacity
    staff_walk_s: float = 40.0  # backroom <-> aisle
    delivery_every_s: float = 4 * 3600.0
    delivery_units: int = 6  # units per low product in a delivery
    dock_dwell_s: float = 1800.0  # a delivery waits this long at the dock before it is put away
    untagged_products: int = 0  # catalog products set apart as untagged (simulators/world/untagged.py)
    untagged: UntaggedParams = field(default_factory=UntaggedParams)


@dataclass(frozen=True, slots=True)
class Change:
    """Something happened to an item (``kind``: picked, moved, placed, paid, left, delivered, stored)."""

    time: datetime
    kind: str
    epc: str
    before: Where | None
    after: Where


Listener = Callable[[Change], None]


@dataclass(slots=True)
class _Actor:
    actor_id: str
    zone: str
    x: float
    y: float
    carrying: list[str] = field(default_factory=list)


def pick_products(products: list[Product], count: int | None) -> list[Product]:
    """``count`` products spread evenly over the catalog (so every aisle keeps some)."""
    if count is None or count >= len(products):
        return list(products)
    step = len(products) / count
    return [products[int(i * step)] for i in range(count)]


class World:
    """One deterministic shop. Not thread-safe: drive it from one task."""

    def __init__(
        self,
        seed: int = 1,
        *,
        params: WorldParams | None = None,
        start: datetime = DEFAULT_START,
        catalog: list[Product] | None = None,
        movers: bool = True,
    ) -> None:
        self.seed = seed
        self.params = params or WorldParams()
        self.rng = random.Random(seed)
        self.now = utc(start)
        every = catalog if catalog is not None else load_catalog()
        # untagged products are set apart first, spread over the catalog, so that the tagged shop is the same
        # whatever the number of products asked for; with none (the default), nothing changes
        loose = pick_products(every, self.params.untagged_products) if self.params.untagged_products else []
        self.products = pick_products([p for p in every if p not in loose], self.params.products)
        self.by_gtin = {p.gtin14: p for p in self.products}
        self.planogram: Planogram = build_planogram(self.products)
        self.zones = ZONES
        self.items: dict[str, Item] = {}
        self._in_zone: dict[str | None, set[str]] = defaultdict(set)
        self._in_slot: dict[str, list[str]] = defaultdict(list)
        self._serials: dict[str, int] = defaultdict(int)
        self._listeners: list[Listener] = []
        self._queue: list[tuple[datetime, int, Process]] = []
        self._order = itertools.count()
        self._ids = itertools.count(1)
        self._stock()
        self.untagged = UntaggedStock(self, loose if movers else [], self.params.untagged, seed)
        if movers:
            self.spawn(self._shoppers())
            self.spawn(self._restocker(), delay_s=self.params.restock_every_s)
            self.spawn(self._deliveries(), delay_s=self.params.delivery_every_s)

    # -- ground truth -------------------------------------------------------
    def where(self, epc: str) -> Where:
        return self.items[epc].where

    def ground_truth(self) -> dict[str, Where]:
        """Every item's true location now."""
        return {epc: item.where for epc, item in self.items.items()}

    def items_in_zone(self, zone: str) -> list[Item]:
        return [self.items[epc] for epc in sorted(self._in_zone.get(zone, ()))]

    def slot_items(self, slot_id: str) -> list[Item]:
        return [self.items[epc] for epc in self._in_slot.get(slot_id, [])]

    def facings(self, slot_id: str) -> int:
        """Units on the slot now (what a camera counts when nothing hides them)."""
        return len(self._in_slot.get(slot_id, ()))

    def units_on_scale(self, scale_id: str) -> int:
        slot = self.planogram.scales.get(scale_id)
        if slot is None:
            raise KeyError(f"no scale {scale_id!r} in the planogram")
        return self.facings(slot.slot_id)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every :class:`Change`; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    # -- time -----------------------------------------------------------------
    def spawn(self, process: Process, delay_s: float = 0.0) -> None:
        """Start a mover: a generator that yields seconds to wait between its steps."""
        self._schedule(self.now + timedelta(seconds=delay_s), process)

    def advance_to(self, when: datetime) -> int:
        """Run every step due up to ``when``; returns how many ran."""
        when = utc(when)
        ran = 0
        while self._queue and self._queue[0][0] <= when:
            at, _, process = heapq.heappop(self._queue)
            self.now = max(self.now, at)
            ran += 1
            try:
                wait = next(process)
            except StopIteration:
                continue
            self._schedule(self.now + timedelta(seconds=max(0.0, wait)), process)
        self.now = max(self.now, when)
        return ran

    def skip_to(self, when: datetime) -> None:
        """Move the world's time on to ``when`` with nothing happening in between: the shop was closed.

        Every pending step is put off by the same gap, so the day starts at ``when`` as it would have at ``now``
        (the demo opens once every device is up, however long the machine took to start them).
        """
        gap = utc(when) - self.now
        if gap <= timedelta(0):
            return
        self._queue = [(at + gap, order, process) for at, order, process in self._queue]
        heapq.heapify(self._queue)
        self.now += gap

    def advance(self, seconds: float) -> int:
        return self.advance_to(self.now + timedelta(seconds=seconds))

    async def run(self, clock: Clock, step_s: float = 0.5) -> None:
        """Follow ``clock`` forever, ``step_s`` of its time at a time."""
        while True:
            self.advance_to(clock.now())
            await clock.sleep(step_s)

    def _schedule(self, at: datetime, process: Process) -> None:
        heapq.heappush(self._queue, (at, next(self._order), process))

    # -- changing items -------------------------------------------------------
    def _place(self, item: Item, where: Where, kind: str) -> None:
        before = item.where if item.epc in self.items else None
        if before is not None:
            self._in_zone[before.zone].discard(item.epc)
            if before.slot is not None:
                self._in_slot[before.slot].remove(item.epc)
        item.where = where
        self.items[item.epc] = item
        self._in_zone[where.zone].add(item.epc)
        if where.slot is not None:
            self._in_slot[where.slot].append(item.epc)
        change = Change(self.now, kind, item.epc, before, where)
        for listener in list(self._listeners):
            listener(change)

    def new_item(self, product: Product, where: Where, kind: str = "delivered") -> Item:
        """Tag a new unit of ``product`` (next serial) and put it at ``where``."""
        self._serials[product.gtin14] += 1
        serial = self._serials[product.gtin14]
        item = Item(sgtin96(product.gtin14, serial), product, serial, where)
        self._place(item, where, kind)
        return item

    def _jitter(self, zone: str) -> tuple[float, float]:
        z = self.zones[zone]
        return (self.rng.uniform(z.x0 + 0.3, z.x1 - 0.3), self.rng.uniform(z.y0 + 0.3, z.y1 - 0.3))

    def _stock(self) -> None:
        for slot in self.planogram.slots.values():
            product = self.by_gtin[slot.gtin]
            for _ in range(max(1, round(slot.capacity * self.params.shelf_fill))):
                self.new_item(product, self._on_slot(slot), "stocked")
        for product in self.products:
            for _ in range(self.params.backroom_units):
                self.new_item(product, self._in_backroom(), "stocked")

    def _in_backroom(self) -> Where:
        return Where(Status.BACKROOM, "backroom", None, None, *self._jitter("backroom"))

    @staticmethod
    def _on_slot(slot: Slot) -> Where:
        return Where(Status.ON_SHELF, slot.zone, slot.slot_id, None, slot.x, slot.y)

    def _move_actor(self, actor: _Actor, zone: str, x: float, y: float, kind: str = "moved") -> None:
        actor.zone, actor.x, actor.y = zone, x, y
        for epc in actor.carrying:
            item = self.items[epc]
            self._place(item, Where(Status.CARRIED, zone, None, actor.actor_id, x, y), kind)

    def _take(self, actor: _Actor, item: Item) -> None:
        actor.carrying.append(item.epc)
        self._place(item, Where(Status.CARRIED, actor.zone, None, actor.actor_id, actor.x, actor.y), "picked")

    def pick(self, slot_id: str, carrier: str = "shopper-scripted") -> Item:
        """A scripted shopper takes the front unit off ``slot_id`` (scenes and tests); KeyError if it is empty."""
        units = self.slot_items(slot_id)
        if not units:
            raise KeyError(f"slot {slot_id!r} is empty")
        slot = self.planogram.slots[slot_id]
        item = units[-1]
        self._place(item, Where(Status.CARRIED, slot.zone, None, carrier, slot.x, slot.y), "picked")
        return item

    # -- movers ---------------------------------------------------------------
    def _shoppers(self) -> Process:
        while True:
            yield self.rng.expovariate(1.0 / self.params.shopper_every_s)
            self.spawn(self._shopper(f"shopper-{next(self._ids)}"))

    def _shopper(self, shopper_id: str) -> Process:
        p = self.params
        me = _Actor(shopper_id, "checkout", *self._jitter("checkout"))
        for _ in range(self.rng.randint(*p.picks)):
            aisle = self.rng.choice(AISLES)
            zone = floor_zone(aisle)
            self._move_actor(me, zone, *self._jitter(zone))
            yield self.rng.uniform(*p.dwell_s)
            slots = [s for s in self.planogram.slots.values() if s.aisle == aisle and self.facings(s.slot_id)]
            if slots:
                slot = self.rng.choice(slots)
                self._move_actor(me, zone, slot.x, slot.y)
                self._take(me, self.slot_items(slot.slot_id)[-1])
        if not me.carrying:
            return
        self._move_actor(me, "checkout", GATE_X + self.rng.uniform(-6, 6), 17.5)
        yield self.rng.uniform(*p.checkout_s)
        unpaid = self.rng.choice(me.carrying) if self.rng.random() < p.theft_rate else None
        for epc in me.carrying:
            if epc != unpaid:
                item = self.items[epc]
                item.paid = True
                self._place(item, item.where, "paid")
        # through the gate: from inside its plane to outside, in steps
        start_y, end_y = GATE_Y - GATE_HALF_DEPTH_M - 0.5, GATE_Y + GATE_HALF_DEPTH_M + 1.0
        for step in range(p.gate_steps + 1):
            y = start_y + (end_y - start_y) * step / p.gate_steps
            self._move_actor(me, "exit", GATE_X + self.rng.uniform(-0.3, 0.3), y)
            yield p.gate_transit_s / p.gate_steps
        for epc in me.carrying:
            item = self.items[epc]
            self._place(item, Where(Status.SOLD if item.paid else Status.STOLEN, None), "left")
        me.carrying.clear()

    def _restocker(self) -> Process:
        p = self.params
        while True:
            low = [s for s in self.planogram.slots.values() if self.facings(s.slot_id) < s.capacity * p.restock_below]
            staff = _Actor(f"staff-{next(self._ids)}", "backroom", *self._jitter("backroom"))
            plan: list[tuple[Slot, list[str]]] = []
            for slot in low:
                stock = sorted(
                    e
                    for e in self._in_zone["backroom"]
                    if self.items[e].gtin == slot.gtin and self.items[e].where.status == Status.BACKROOM
                )
                units = stock[: slot.capacity - self.facings(slot.slot_id)]
                if units:
                    plan.append((slot, units))
            for slot, units in plan:
                for epc in units:
                    self._take(staff, self.items[epc])
                self._move_actor(staff, slot.zone, slot.x, slot.y)
                yield p.staff_walk_s
                for epc in units:
                    staff.carrying.remove(epc)
                    self._place(self.items[epc], self._on_slot(slot), "placed")
                self._move_actor(staff, "backroom", *self._jitter("backroom"))
                yield p.staff_walk_s
            yield p.restock_every_s

    def _deliveries(self) -> Process:
        p = self.params
        while True:
            in_back: dict[str, int] = defaultdict(int)
            for epc in self._in_zone["backroom"]:
                in_back[self.items[epc].gtin] += 1
            low = [prod for prod in self.products if in_back[prod.gtin14] < p.backroom_units // 2 + 1]
            delivered = [
                self.new_item(prod, Where(Status.DOCK, "dock", None, None, *self._jitter("dock")))
                for prod in low
                for _ in range(p.delivery_units)
            ]
            yield p.dock_dwell_s
            for item in delivered:
                if item.where.status == Status.DOCK:
                    self._place(item, self._in_backroom(), "stored")
            yield max(0.0, p.delivery_every_s - p.dock_dwell_s)

    def shoppers_now(self) -> Iterable[str]:
        """Ids of actors carrying something (for observers such as a camera)."""
        return sorted({i.where.carrier for i in self.items.values() if i.where.carrier})
