"""Price elasticity of demand, learnt from the shop's own sales: how much more sells at a reduced price.

Markdown suggestions (hub/fresh/markdowns.py) need to know how many units a
discount sells. The shop's history holds the answer: days a product sold below
its regular price (a till line's ``unit_price_cents`` below the product's shelf
price, or a day of the ``promotions`` calendar) against its regular days. Each
reduced selling day gives one point

    x = log(average price paid / regular price),  y = log(units that day / mean units of a regular day)

and the elasticity ``e`` is the least-squares slope through the origin of
``y = e * x`` (numpy), so that sales multiply by ``(price ratio) ** e``.

A product with at least ``min_history_points`` points gets its own value; else
its category's (all its products' points pooled) when the category has enough;
else ``fresh.markdowns.default_elasticity``, said as such (docs/markdowns.md).
Reduced days with no sale give no price and no point (log 0); regular days
without a sale count as zero in the regular mean.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

import numpy as np
import sqlite_utils

from hub.fresh.settings import MarkdownSettings

#: how far back the history is read
HISTORY_DAYS = 365
#: a day whose average price is within this ratio of the regular price is a regular day (rounding of cents)
REGULAR_RATIO = 0.995
#: learnt values are kept within these bounds: a few noisy days never make demand rise with price
BOUNDS = (-10.0, 0.0)


@dataclass(frozen=True, slots=True)
class Elasticity:
    """An elasticity with where it comes from: ``product``, ``category`` or ``default`` (too little history)."""

    value: float
    points: int
    source: str

    def basis(self) -> dict[str, object]:
        """The clause that says where the figure comes from, for a suggestion's why sentence (a message kept as
        data, said by hub.fresh.markdowns.say: ``markdowns.basis_product``, ``_category`` or ``_default``)."""
        return {"code": f"markdowns.basis_{self.source}",
                "params": {"elasticity": round(float(self.value), 2), "points": self.points}}

    def as_json(self) -> dict[str, object]:
        return {"value": round(self.value, 3), "points": self.points, "source": self.source}


def fit(points: list[tuple[float, float]]) -> float:
    """The least-squares slope through the origin of ``y = e * x`` over ``(x, y)`` points, kept within BOUNDS."""
    xy = np.array(points, dtype=float)
    denominator = float(np.dot(xy[:, 0], xy[:, 0]))
    if denominator == 0.0:
        return 0.0
    slope = float(np.dot(xy[:, 0], xy[:, 1])) / denominator
    return min(max(slope, BOUNDS[0]), BOUNDS[1])


def _promoted_days(db: sqlite_utils.Database, first: date) -> dict[str, set[date]]:
    days: dict[str, set[date]] = defaultdict(set)
    for gtin, first_day, last_day in db.execute(
            "SELECT gtin, first_day, last_day FROM promotions WHERE last_day >= ?", [first.isoformat()]).fetchall():
        day, last = date.fromisoformat(first_day), date.fromisoformat(last_day)
        while day <= last:
            days[gtin].add(day)
            day += timedelta(days=1)
    return days


def product_points(db: sqlite_utils.Database, now: float, zone: tzinfo,
                   gtins: list[str] | None = None) -> dict[str, list[tuple[float, float]]]:
    """Every product's (log price ratio, log units ratio) points from its reduced selling days."""
    since = now - HISTORY_DAYS * 86400
    regular = {g: p for g, p in db.execute("SELECT gtin, price_cents FROM products").fetchall()}
    where, args = "time >= ? AND time < ?", [since, now]
    if gtins is not None:
        where += f" AND gtin IN ({','.join('?' * len(gtins))})"
        args += gtins
    units: dict[str, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    paid: dict[str, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    for gtin, time, quantity, price in db.execute(
            f"SELECT gtin, time, quantity, unit_price_cents FROM sales WHERE {where}", args).fetchall():
        day = datetime.fromtimestamp(time, zone).date()
        units[gtin][day] += quantity
        paid[gtin][day] += quantity * price
    today = datetime.fromtimestamp(now, zone).date()
    promoted = _promoted_days(db, today - timedelta(days=HISTORY_DAYS))
    out: dict[str, list[tuple[float, float]]] = {}
    for gtin, by_day in units.items():
        price = regular.get(gtin)
        if not price:
            continue
        reduced: list[tuple[float, float]] = []  # (price ratio, units)
        regular_days: list[date] = []
        first = min(by_day)
        day = first
        while day < today:  # today is not over: its sales are not a day's
            sold = by_day.get(day, 0.0)
            ratio = paid[gtin][day] / sold / price if sold > 0 else 1.0
            if ratio < REGULAR_RATIO or day in promoted.get(gtin, ()):
                if sold > 0 and ratio < REGULAR_RATIO:
                    reduced.append((ratio, sold))
            else:
                regular_days.append(day)
            day += timedelta(days=1)
        base = sum(by_day.get(d, 0.0) for d in regular_days) / len(regular_days) if regular_days else 0.0
        if base > 0 and reduced:
            out[gtin] = [(math.log(r), math.log(sold / base)) for r, sold in reduced]
    return out


def learn(points: dict[str, list[tuple[float, float]]], category: dict[str, str],
          settings: MarkdownSettings) -> tuple[dict[str, Elasticity], dict[str, Elasticity]]:
    """Elasticities per product and per category from their points (only those with enough points)."""
    by_product: dict[str, Elasticity] = {}
    pooled: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for gtin, pts in points.items():
        pooled[category.get(gtin) or ""].extend(pts)
        if len(pts) >= settings.min_history_points:
            by_product[gtin] = Elasticity(fit(pts), len(pts), "product")
    by_category = {c: Elasticity(fit(pts), len(pts), "category")
                   for c, pts in pooled.items() if len(pts) >= settings.min_history_points}
    return by_product, by_category


class Elasticities:
    """The elasticity each product's markdown uses: its own, else its category's, else the stated default."""

    def __init__(self, db: sqlite_utils.Database, settings: MarkdownSettings, now: float, zone: tzinfo) -> None:
        self.settings = settings
        points = product_points(db, now, zone)
        category = {g: c for g, c in db.execute("SELECT gtin, category FROM products").fetchall()}
        self.by_product, self.by_category = learn(points, category, settings)
        self._points = {g: len(p) for g, p in points.items()}

    def for_product(self, gtin: str, category: str | None) -> Elasticity:
        found = self.by_product.get(gtin) or self.by_category.get(category or "")
        if found is not None:
            return found
        return Elasticity(self.settings.default_elasticity, self._points.get(gtin, 0), "default")
