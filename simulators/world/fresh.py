"""Fresh food in the store world: dated lots, shoppers who reach for the freshest date, expiry, reduced labels.

The demo catalog's bakery, fresh produce, dairy and chilled meat
(:func:`simulators.world.catalog.fresh_rule` says which and their shelf
life) live here per lot: each delivery brings lots dated received + shelf
life +/- a day; shoppers come with a weekday and hourly shape and take the
unit with the latest date unless a reduced one is on the shelf (most shoppers
reach behind for the freshest: the old lot is what expires). A reduced label
(put on by the back office from an approved markdown) tempts a share of the
product's shoppers, and brings extra ones, by an elasticity per family that
is hidden from the hub: it has to learn it from the history or assume one.

Staff remove best-before lots past their date at the morning check and
use-by lots the evening of their date (``expired``), or give them away when
the markdown's fallback says ``donate``; they count the lots whose date is
near at the morning check, and order each evening for the next delivery.

Everything is a :class:`FreshEvent` on the world's timeline, with its own
seeded generator; :class:`FreshTruth` keeps the figures the hub's KPIs are
checked against.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from simulators.world.catalog import Product, cost_eur, fresh_rule

if TYPE_CHECKING:
    from simulators.world.world import Process, World

#: the hidden price response of each family (constant elasticity: demand x (1 - discount) ** elasticity)
ELASTICITY = {"bakery": -3.0, "produce": -2.5, "dairy": -2.0, "meat": -1.6}
#: mean units sold a day per product at the regular price (range, drawn once per product)
DEMAND = {"bakery": (8.0, 24.0), "produce": (3.0, 9.0), "dairy": (2.0, 6.0), "meat": (2.0, 6.0)}
#: delivery weekdays (Monday 0) and case sizes per family
DELIVERY_DAYS = {"bakery": (0, 1, 2, 3, 4, 5, 6), "produce": (0, 1, 2, 3, 4, 5), "dairy": (1, 4),
                 "meat": (0, 2, 4)}
CASE = {"bakery": 1, "produce": 3, "dairy": 6, "meat": 4}
WEEKDAY = (0.85, 0.85, 0.95, 0.95, 1.15, 1.45, 0.8)  # Monday .. Sunday
HOURS = tuple(range(8, 20))  # opening hours, local
HOUR_WEIGHT = (0.6, 0.8, 0.9, 1.0, 1.2, 1.0, 0.7, 0.7, 0.9, 1.3, 1.5, 1.2)


def family(product: Product) -> str | None:
    """bakery / produce / dairy / meat, or None for a product that is not fresh."""
    rule = fresh_rule(product)
    if rule is None:
        return None
    if product.category == "Boulangerie":
        return "bakery"
    if product.category == "Fruits et légumes":
        return "produce"
    return "meat" if rule[0] == "use_by" else "dairy"


def fresh_products(products: list[Product]) -> list[Product]:
    return [p for p in products if family(p) is not None]


@dataclass(frozen=True, slots=True)
class FreshParams:
    """How the fresh shelves live (rates per simulated day)."""

    timezone: str = "Europe/Paris"
    noise_cv: float = 0.25  # day-to-day variation of a product's demand (gamma multiplier)
    freshest_share: float = 0.8  # shoppers who reach for the latest date; the others take the front (oldest) unit
    safety: float = 0.25  # staff order this much above the expected demand until the next delivery
    check_days: int = 2  # the morning check counts the lots whose date is within this many days
    history_weeks: int = 8
    promotions: int = 4  # promotions in the history, at known discounts
    elasticity: dict[str, float] = field(default_factory=lambda: dict(ELASTICITY))


@dataclass(slots=True)
class Label:
    """A reduced price stuck on a lot's units (from an approved markdown's label)."""

    price_cents: int
    start: datetime
    end: datetime
    fallback: str  # donate / discard: what staff do with what is left at the end
    element_string: str  # what the till scans


@dataclass(slots=True)
class Lot:
    gtin: str
    lot: str
    expiry: date
    units: int
    received: datetime
    label: Label | None = None


@dataclass(frozen=True, slots=True)
class FreshEvent:
    """Something that moved fresh stock (``kind``: ordered, delivered, sold, expired, donated, count, morning).

    ``lots``: (gtin, lot, expiry, units) it concerns (for ``count``: the units there really are);
    ``price_cents``: a sale's unit price; ``label``: the element string of the reduced label sold, if any.
    """

    time: datetime
    kind: str
    lots: tuple[tuple[str, str, date, int], ...] = ()
    ref: int = 0
    supplier: str = ""
    price_cents: int = 0
    label: str | None = None
    fallback: str = ""


@dataclass
class FreshTruth:
    """What really happened, valued as the hub values it (at cost, in cents)."""

    cost: dict[str, int]
    sold_units: int = 0
    revenue_cents: int = 0
    reduced_units: int = 0
    recovered_cents: int = 0  # revenue of reduced units sold within their label's window
    wasted_units: int = 0
    wasted_cents: int = 0
    donated_units: int = 0
    donated_cents: int = 0
    demand: int = 0  # shoppers who came for a product
    missed: int = 0  # ... and found its shelf empty
    samples: int = 0  # (moment, product) pairs looked at by :meth:`FreshShop.sample_shelves`
    empty: int = 0  # ... with no unit in the shop

    def as_dict(self) -> dict[str, object]:
        return {"sold_units": self.sold_units, "revenue_cents": self.revenue_cents,
                "reduced_units": self.reduced_units, "recovered_cents": self.recovered_cents,
                "wasted_units": self.wasted_units, "wasted_cents": self.wasted_cents,
                "donated_units": self.donated_units, "donated_cents": self.donated_cents,
                "revenue_net_of_waste_cents": self.revenue_cents - self.wasted_cents,
                "missed_share": round(self.missed / self.demand, 4) if self.demand else None,
                "empty_share": round(self.empty / self.samples, 4) if self.samples else None}


Listener = Callable[[FreshEvent], None]


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


class FreshShop:
    """The fresh products' truth; subscribe to hear every :class:`FreshEvent`. Starts at the world's now."""

    def __init__(self, world: World, products: list[Product], params: FreshParams | None = None,
                 seed: int = 1) -> None:
        self.world = world
        self.params = params or FreshParams()
        self.zone = ZoneInfo(self.params.timezone)
        self.seed = seed
        self.rng = random.Random(seed * 104729 + 21)  # shoppers' choices, the extra shoppers a label brings
        self.demand_rng = random.Random(seed * 7607 + 3)  # who comes for what: the same with or without labels
        self.products = fresh_products(products)
        self.by_gtin = {p.gtin14: p for p in self.products}
        self.family = {p.gtin14: family(p) or "" for p in self.products}
        self.shelf_days = {p.gtin14: (fresh_rule(p) or ("", 0))[1] for p in self.products}
        self.date_kind = {p.gtin14: (fresh_rule(p) or ("", 0))[0] for p in self.products}
        self.price = {p.gtin14: cents(p.price_eur) for p in self.products}
        self.mean = {g: self.demand_rng.uniform(*DEMAND[f]) for g, f in sorted(self.family.items())}
        self.lots: dict[str, list[Lot]] = {g: [] for g in self.by_gtin}
        self.truth = FreshTruth(cost={p.gtin14: cents(cost_eur(p)) for p in self.products})
        self.events: list[FreshEvent] = []
        self._listeners: list[Listener] = []
        self._orders = itertools.count(1)
        self._lot_numbers = itertools.count(1)
        self.on_order: dict[int, dict[str, int]] = {}
        if self.products:
            world.spawn(self._days())  # a world started before 07:00 (local) lives that day whole

    # -- time -----------------------------------------------------------------------------
    def local_now(self) -> datetime:
        return self.world.now.astimezone(self.zone)

    def at(self, day: date, when: time) -> datetime:
        return datetime.combine(day, when, self.zone)

    def _seconds_until(self, day: date, when: time, days: int = 0) -> float:
        target = self.at(day + timedelta(days=days), when)
        return max(0.0, (target - self.world.now).total_seconds())

    # -- listeners ------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _emit(self, kind: str, **fields: object) -> FreshEvent:
        event = FreshEvent(self.world.now, kind, **fields)  # type: ignore[arg-type]
        self.events.append(event)
        for listener in list(self._listeners):
            listener(event)
        return event

    # -- truth ----------------------------------------------------------------------------
    def units(self, gtin: str) -> int:
        return sum(lot.units for lot in self.lots[gtin])

    def sample_shelves(self) -> None:
        """Note which products have no unit in the shop now (the truth of the stock-out rate, sampled)."""
        self.truth.samples += len(self.lots)
        self.truth.empty += sum(1 for gtin in self.lots if not self.units(gtin))

    def demand_on(self, gtin: str, day: date) -> float:
        """The mean units shoppers want on ``day`` at the regular price (weekday shape, no noise)."""
        return self.mean[gtin] * WEEKDAY[day.weekday()]

    def label(self, gtin: str, lot: str, expiry: date, label: Label) -> int:
        """Stick a reduced label on a lot's units (the back office, from an approved markdown); units labelled."""
        for candidate in self.lots.get(gtin, []):
            if candidate.lot == lot and candidate.expiry == expiry and candidate.units:
                candidate.label = label
                return candidate.units
        return 0

    # -- opening --------------------------------------------------------------------------
    def _opening_stock(self) -> None:
        """What is on the shelves when the fortnight starts: two lots of each product, the older half gone."""
        today = self.local_now().date()
        lines = []
        for gtin in sorted(self.by_gtin):
            days = self.shelf_days[gtin]
            for age in (max(0, days // 2), 0):
                units = max(1, round(self.mean[gtin] * self.demand_rng.uniform(0.5, 1.0)))
                lot = self._new_lot(gtin, today - timedelta(days=age), units)
                lines.append((gtin, lot.lot, lot.expiry, lot.units))
        self._emit("delivered", lots=tuple(lines), ref=0)

    def _new_lot(self, gtin: str, received: date, units: int) -> Lot:
        days = self.shelf_days[gtin]
        jitter = random.Random(f"{self.seed}-{gtin}-{received}").choice((-1, 0, 0, 1))  # same lot, same date
        expiry = received + timedelta(days=max(1, days + jitter))
        code = f"L{received:%y%m%d}{next(self._lot_numbers):03d}"
        lot = Lot(gtin, code, expiry, units, self.at(received, time(7, 0)))
        self.lots[gtin].append(lot)
        return lot

    # -- the days -------------------------------------------------------------------------
    def _days(self) -> Process:
        """Midnight to midnight, local: morning check, delivery, the labels, the shoppers, the evening."""
        self._opening_stock()  # here, not at construction: the back office has subscribed by the first step
        while True:
            today = self.local_now().date()
            yield self._seconds_until(today, time(7, 0))
            self._morning_check(today)
            self._deliver(today)
            self._count(today)
            yield 300.0
            self._emit("morning")  # the back office reads the hub's suggestions and puts the labels on now
            for hour, weight in zip(HOURS, HOUR_WEIGHT, strict=True):
                yield self._seconds_until(today, time(hour, 0))
                for when, gtin, extra in self._shoppers(today, hour, weight):
                    yield max(0.0, (when - self.world.now).total_seconds())
                    self._shop(gtin, extra)
            yield self._seconds_until(today, time(20, 0))
            self._evening(today)
            self._order(today)
            yield self._seconds_until(today, time(0, 0), days=1)

    def _day_noise(self, today: date) -> dict[str, float]:
        cv = self.params.noise_cv
        return {g: self.demand_rng.gammavariate(1 / cv**2, cv**2) for g in sorted(self.by_gtin)}

    def _shoppers(self, today: date, hour: int, weight: float) -> Iterator[tuple[datetime, str, bool]]:
        if hour == HOURS[0]:
            self._noise = self._day_noise(today)
        share = weight / sum(HOUR_WEIGHT)
        start = self.at(today, time(hour, 0))
        visits: list[tuple[datetime, str, bool]] = []
        for gtin in sorted(self.by_gtin):
            rate = self.demand_on(gtin, today) * self._noise[gtin] * share
            reduced = self._reduced(gtin, start + timedelta(minutes=30))
            extra = 0.0
            if reduced is not None:
                extra = rate * (self._uplift(gtin, reduced) - 1.0)
            for n, is_extra, rng in ((self._poisson(rate, self.demand_rng), False, self.demand_rng),
                                     (self._poisson(extra, self.rng), True, self.rng)):
                for _ in range(n):
                    visits.append((start + timedelta(seconds=rng.uniform(0, 3600)), gtin, is_extra))
        visits.sort()
        return iter(visits)

    @staticmethod
    def _poisson(mean: float, rng: random.Random) -> int:
        if mean <= 0:
            return 0
        limit, k, p = math.exp(-mean), 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                return k
            k += 1

    def _discount(self, gtin: str, lot: Lot) -> float:
        assert lot.label is not None
        return max(0.0, 1.0 - lot.label.price_cents / self.price[gtin])

    def _uplift(self, gtin: str, lot: Lot) -> float:
        """Demand at the reduced price over demand at the regular one: (1 - discount) ** elasticity."""
        elasticity = self.params.elasticity[self.family[gtin]]
        return (1.0 - min(0.95, self._discount(gtin, lot))) ** elasticity

    def _reduced(self, gtin: str, when: datetime) -> Lot | None:
        """The cheapest labelled lot on the shelf now, if any."""
        labelled = [lot for lot in self.lots[gtin]
                    if lot.units and lot.label is not None and lot.label.start <= when <= lot.label.end]
        return min(labelled, key=lambda lot: (lot.label.price_cents, lot.expiry)) if labelled else None  # type: ignore[union-attr]

    def _shop(self, gtin: str, extra: bool) -> None:
        """One shopper for one unit of ``gtin``: the reduced unit if tempted, else the freshest (or the front)."""
        now = self.world.now
        today = self.local_now().date()
        kind = self.date_kind[gtin]
        on_shelf = [lot for lot in self.lots[gtin]
                    if lot.units and (lot.expiry >= today if kind == "use_by" else True)]
        reduced = self._reduced(gtin, now)
        self.truth.demand += 1
        if reduced is not None:
            elasticity = self.params.elasticity[self.family[gtin]]
            tempted = 1.0 - (1.0 - self._discount(gtin, reduced)) ** (-elasticity)
            if extra or self.rng.random() < tempted:
                self._sell(reduced, reduced.label.price_cents, reduced.label)  # type: ignore[union-attr]
                return
        if extra:
            return  # came for the reduced units only: they are gone
        regular = [lot for lot in on_shelf if lot is not reduced]
        if not regular:
            self.truth.missed += 1
            return
        if self.rng.random() < self.params.freshest_share:
            choice = max(regular, key=lambda lot: (lot.expiry, lot.received))
        else:
            choice = min(regular, key=lambda lot: (lot.expiry, lot.received))
        price = choice.label.price_cents if choice.label and choice.label.start <= now else self.price[gtin]
        self._sell(choice, price, choice.label if price != self.price[gtin] else None)

    def _sell(self, lot: Lot, price: int, label: Label | None) -> None:
        lot.units -= 1
        self.truth.sold_units += 1
        self.truth.revenue_cents += price
        if label is not None:
            self.truth.reduced_units += 1
            self.truth.recovered_cents += price
        self._emit("sold", lots=((lot.gtin, lot.lot, lot.expiry, 1),), price_cents=price,
                   label=label.element_string if label else None)

    # -- staff ----------------------------------------------------------------------------
    def _remove(self, lots: list[Lot]) -> None:
        for lot in lots:
            donate = lot.label is not None and lot.label.fallback == "donate"
            kind = "donated" if donate else "expired"
            value = lot.units * self.truth.cost[lot.gtin]
            if donate:
                self.truth.donated_units += lot.units
                self.truth.donated_cents += value
            else:
                self.truth.wasted_units += lot.units
                self.truth.wasted_cents += value
            self._emit(kind, lots=((lot.gtin, lot.lot, lot.expiry, lot.units),))
            lot.units = 0
        self._prune()

    def _prune(self) -> None:
        for gtin, lots in self.lots.items():
            self.lots[gtin] = [lot for lot in lots if lot.units]

    def _morning_check(self, today: date) -> None:
        """Best-before lots past their date leave the shelf (use-by ones left the evening before)."""
        self._remove([lot for gtin in sorted(self.lots) for lot in self.lots[gtin] if lot.expiry < today])

    def _evening(self, today: date) -> None:
        """Use-by lots of today leave the shelf at closing: nobody may sell them tomorrow."""
        self._remove([lot for gtin in sorted(self.lots) for lot in self.lots[gtin]
                      if self.date_kind[gtin] == "use_by" and lot.expiry <= today])

    def _count(self, today: date) -> None:
        """The date check counts the lots whose date is near (the hub's by-lot book assumes oldest-first)."""
        horizon = today + timedelta(days=self.params.check_days)
        near = tuple((lot.gtin, lot.lot, lot.expiry, lot.units) for gtin in sorted(self.lots)
                     for lot in self.lots[gtin] if lot.expiry <= horizon)
        if near:
            self._emit("count", lots=near)

    def _next_delivery(self, gtin: str, after: date) -> date:
        days = DELIVERY_DAYS[self.family[gtin]]
        for step in range(1, 8):
            if (after + timedelta(days=step)).weekday() in days:
                return after + timedelta(days=step)
        return after + timedelta(days=7)

    def _order(self, today: date) -> None:
        """Each evening, per supplier: enough for the demand until the delivery after next, less what keeps."""
        tomorrow = today + timedelta(days=1)
        lines: dict[str, dict[str, int]] = {}
        for gtin in sorted(self.by_gtin):
            if tomorrow.weekday() not in DELIVERY_DAYS[self.family[gtin]]:
                continue
            following = self._next_delivery(gtin, tomorrow)
            need = sum(self.demand_on(gtin, tomorrow + timedelta(days=d))
                       for d in range((following - tomorrow).days)) * (1 + self.params.safety)
            keeps = sum(lot.units for lot in self.lots[gtin] if lot.expiry >= tomorrow)
            case = CASE[self.family[gtin]]
            units = max(0, math.ceil((need - keeps) / case) * case)
            if units:
                lines.setdefault(self.by_gtin[gtin].supplier, {})[gtin] = units
        for supplier, order in sorted(lines.items()):
            ref = next(self._orders)
            self.on_order[ref] = order
            self._emit("ordered", lots=tuple((g, "", tomorrow, n) for g, n in order.items()), ref=ref,
                       supplier=supplier)

    def _deliver(self, today: date) -> None:
        for ref in sorted(self.on_order):
            order = self.on_order.pop(ref)
            lines = []
            for gtin, units in order.items():
                lot = self._new_lot(gtin, today, units)
                lines.append((gtin, lot.lot, lot.expiry, units))
            self._emit("delivered", lots=tuple(lines), ref=ref)

    # -- history --------------------------------------------------------------------------
    def history(self) -> list[tuple[date, str, int, int]]:
        """The weeks before: (day, gtin, units sold, unit price in cents) per product per day, with a few
        promotions at known discounts (a family at 20-50 % off for two or three days); demand unconstrained."""
        rng = random.Random(self.seed * 31 + 5)
        start = self.local_now().date() - timedelta(weeks=self.params.history_weeks)
        days = [start + timedelta(days=d) for d in range(self.params.history_weeks * 7)]
        promos: list[tuple[str, set[date], float]] = []
        families = sorted(set(self.family.values()))
        for n in range(self.params.promotions):
            first = days[rng.randrange(7, len(days) - 7)]
            promos.append((families[n % len(families)], {first + timedelta(days=d) for d in range(rng.choice((2, 3)))},
                           rng.choice((0.2, 0.3, 0.4, 0.5))))
        rows = []
        for day in days:
            noise = {g: rng.gammavariate(1 / self.params.noise_cv**2, self.params.noise_cv**2)
                     for g in sorted(self.by_gtin)}
            for gtin in sorted(self.by_gtin):
                discount = next((d for f, when, d in promos if f == self.family[gtin] and day in when), 0.0)
                mean = self.demand_on(gtin, day) * noise[gtin]
                if discount:
                    mean *= (1 - discount) ** self.params.elasticity[self.family[gtin]]
                units = self._poisson(mean, rng)
                price = round(self.price[gtin] * (1 - discount))
                if units:
                    rows.append((day, gtin, units, price))
        return rows
