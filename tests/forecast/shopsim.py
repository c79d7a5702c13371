"""A daily-level simulation of the store world's sales and deliveries, for a year of reorder decisions.

The item-level world (simulators/world) moves every shopper and tag; a year
of it takes far too long for CI, so this runs the same shop one day at a
time: products, pack sizes, suppliers and lead times come from the world's
catalog, daily demand from its shopper rate (``WorldParams.shopper_every_s``
and ``picks``) shaped per product (weekly rhythm, intermittent, growing,
seasonal; optionally a promotion week every few weeks, from a calendar the
hub may or may not be given), sales are what stock allows (a stock-out loses the sale, and the
hub only sees sales, as in a real shop), and deliveries arrive after the
supplier's lead time in working days. The reorder side is pluggable: the
hub's planner (forecast + policy, staff approving every suggestion) or a
fixed min/max rule.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from hub.forecast.demand import Series
from hub.forecast.planner import Inputs, Sku, compute
from hub.forecast.policy import ReorderPolicy, arrival, pack_quantity
from simulators.world import WorldParams, load_catalog
from simulators.world.world import pick_products

SHAPES = ("weekly", "intermittent", "growing", "summer", "weekly")


@dataclass
class Product:
    sku: Sku
    shape: str
    rate: float  # mean units a day
    promotions: list[tuple[date, date]] = field(default_factory=list)  # first and last day of each
    lift: float = 3.0  # demand during a promotion, times the ordinary

    def promoted(self, day: date) -> bool:
        return any(first <= day <= last for first, last in self.promotions)


@dataclass
class Outcome:
    demand: int = 0
    sold: int = 0
    stock_days: float = 0.0  # sum over days and products of units on hand at closing
    days: int = 0
    orders: int = 0
    promotion_demand: int = 0
    promotion_sold: int = 0

    @property
    def fill_rate(self) -> float:
        return self.sold / self.demand if self.demand else 1.0

    @property
    def promotion_fill_rate(self) -> float:
        return self.promotion_sold / self.promotion_demand if self.promotion_demand else 1.0

    @property
    def average_stock(self) -> float:
        return self.stock_days / self.days if self.days else 0.0


def shop_products(count: int) -> list[Product]:
    """``count`` products of the world's catalog, with a daily rate from the world's shopper traffic."""
    params = WorldParams()
    catalog = load_catalog()
    picks_per_day = 86400 / params.shopper_every_s * sum(params.picks) / 2
    per_product = picks_per_day / len(catalog)
    out = []
    for i, p in enumerate(pick_products(catalog, count)):
        shape = SHAPES[i % len(SHAPES)]
        rate = per_product * (0.15 if shape == "intermittent" else 0.6 + 0.2 * i)
        sku = Sku(p.gtin14, p.name, p.category, p.supplier, max(p.pack_size, 1), p.lead_time_days)
        out.append(Product(sku, shape, rate))
    return out


def with_promotions(products: list[Product], start: date, days: int, every: int = 56, length: int = 7) -> list[Product]:
    """The same products, each on promotion ``length`` days in every ``every`` (staggered from one to the next)."""
    out = []
    for i, p in enumerate(products):
        first = start + timedelta(days=10 + i * every // max(len(products), 1))
        periods = []
        while first < start + timedelta(days=days):
            periods.append((first, first + timedelta(days=length - 1)))
            first += timedelta(days=every)
        out.append(Product(p.sku, p.shape, p.rate, periods, p.lift))
    return out


def daily_demand(product: Product, day: date, rng: np.random.Generator, start: date) -> int:
    t = (day - start).days
    mean = product.rate * (product.lift if product.promoted(day) else 1.0)
    if product.shape == "weekly":
        mean *= (0.8, 0.7, 0.8, 0.9, 1.1, 1.6, 1.1)[day.weekday()]
    elif product.shape == "growing":
        mean *= 0.6 + t / 400
    elif product.shape == "summer":
        mean *= 1 + 0.8 * math.sin(2 * math.pi * t / 365)
    if product.shape == "intermittent":
        return int(rng.random() < 0.3) * int(rng.integers(1, 4)) * max(1, round(mean / 0.6))
    return int(rng.poisson(max(mean, 0.0)))


Reorder = Callable[[date, dict[str, int], dict[str, int], dict[str, Series]], dict[str, int]]


@dataclass
class Shop:
    products: list[Product]
    start: date
    seed: int = 7
    history_days: int = 120
    on_hand: dict[str, int] = field(default_factory=dict)
    pipeline: dict[date, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    sales: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def run(self, days: int, reorder: Reorder, review_weekday: int = 0) -> Outcome:
        """Warm up ``history_days`` with plenty of stock (history only), then run ``days`` days of decisions."""
        rng = np.random.default_rng(self.seed)
        sim_start = self.start + timedelta(days=self.history_days)
        for i in range(self.history_days):
            day = self.start + timedelta(days=i)
            for p in self.products:
                self.sales[p.sku.gtin].append(daily_demand(p, day, rng, self.start))
        for p in self.products:
            self.on_hand[p.sku.gtin] = math.ceil(p.rate * 14) + p.sku.pack_size
        outcome = Outcome()
        for i in range(days):
            day = sim_start + timedelta(days=i)
            for gtin, units in self.pipeline.pop(day, {}).items():
                self.on_hand[gtin] += units
            if day.weekday() == review_weekday:
                on_order: dict[str, int] = defaultdict(int)
                for when, lines in self.pipeline.items():
                    if when > day:
                        for gtin, units in lines.items():
                            on_order[gtin] += units
                series = {
                    g: Series(g, day - timedelta(days=len(s)), np.asarray(s, dtype=float))
                    for g, s in self.sales.items()
                }
                for gtin, units in reorder(day, dict(self.on_hand), dict(on_order), series).items():
                    if units > 0:
                        sku = next(p.sku for p in self.products if p.sku.gtin == gtin)
                        self.pipeline[arrival(day, sku.lead_time_days)][gtin] += units
                        outcome.orders += 1
            for p in self.products:
                want = daily_demand(p, day, rng, self.start)
                sold = min(want, self.on_hand[p.sku.gtin])
                self.on_hand[p.sku.gtin] -= sold
                self.sales[p.sku.gtin].append(sold)
                outcome.demand += want
                outcome.sold += sold
                if p.promoted(day):
                    outcome.promotion_demand += want
                    outcome.promotion_sold += sold
                outcome.stock_days += self.on_hand[p.sku.gtin]
            outcome.days += 1
        return outcome


def hub_reorder(products: list[Product], policy: ReorderPolicy, calendar: bool = True) -> Reorder:
    """The hub's planner; staff approve every suggestion as proposed. ``calendar``: staff entered the promotions."""
    skus = {p.sku.gtin: p.sku for p in products}
    promotions = {p.sku.gtin: p.promotions if calendar else [] for p in products}

    def decide(day: date, on_hand: dict[str, int], on_order: dict[str, int], series: dict[str, Series]) -> dict:
        recent = {
            g: Series(g, s.end - timedelta(days=min(len(s.y), policy.history_days) - 1), s.y[-policy.history_days :],
                      promotions=promotions[g])
            for g, s in series.items()
        }
        plan = compute(Inputs(day, skus, recent, dict(on_hand), on_order, {}), policy)
        return {line.sku.gtin: line.suggestion.quantity for line in plan.lines if line.suggestion}

    return decide


def min_max_reorder(products: list[Product], factor: float, review_days: int = 7) -> Reorder:
    """A fixed min/max rule: min covers ``factor`` x the mean demand over lead time + review, max one review more.

    It even knows each product's true average rate (the hub must estimate it).
    """
    levels = {}
    for p in products:
        days = p.sku.lead_time_days * 7 / 5 + review_days
        low = math.ceil(factor * p.rate * days)
        levels[p.sku.gtin] = (low, low + math.ceil(p.rate * review_days), p.sku.pack_size)

    def decide(day: date, on_hand: dict[str, int], on_order: dict[str, int], series: dict[str, Series]) -> dict:
        out = {}
        for gtin, (low, high, pack) in levels.items():
            position = on_hand[gtin] + on_order.get(gtin, 0)
            if position <= low:
                out[gtin] = pack_quantity(high - position, pack)
        return out

    return decide
