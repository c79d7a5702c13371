"""The stock figures: on-shelf availability, inventory accuracy, turnover and days of cover per category."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlite_utils

from hub.kpis.period import Figure, Period, categories, ratio, unit_costs

DAY_S = 86400.0


@dataclass(frozen=True)
class Stocked:
    """One product's stock over a stretch of time, in seconds: observed (a units figure known), with no units
    on the shelf (the shelf figure, else units on hand), on-hand known, and units on hand x seconds."""

    observed: float
    out: float
    on_hand_span: float
    unit_seconds: float


#: stock_history as steps (a row holds until the product's next row), the row before the start included,
#: summed per product in SQLite: the history holds up to a row a minute per product, too many for Python.
STEPS = """
WITH rows AS (
    SELECT h.gtin, h.time, h.on_hand, h.shelf FROM products p JOIN stock_history h ON h.rowid = (
        SELECT rowid FROM stock_history WHERE gtin = p.gtin AND time < :start ORDER BY time DESC LIMIT 1)
    UNION ALL
    SELECT h.gtin, h.time, h.on_hand, h.shelf FROM products p CROSS JOIN stock_history h
        ON h.gtin = p.gtin AND h.time >= :start AND h.time < :stop),
steps AS (
    SELECT gtin, MAX(time, :start) AS begin, COALESCE(LEAD(time) OVER (PARTITION BY gtin ORDER BY time), :stop)
        - MAX(time, :start) AS span, on_hand, COALESCE(shelf, on_hand) AS units FROM rows)
SELECT gtin, SUM(CASE WHEN units IS NOT NULL THEN span ELSE 0 END),
       SUM(CASE WHEN units <= 0 THEN span ELSE 0 END),
       SUM(CASE WHEN on_hand IS NOT NULL THEN span ELSE 0 END),
       SUM(CASE WHEN on_hand IS NOT NULL THEN span * on_hand ELSE 0 END)
FROM steps WHERE span > 0 GROUP BY gtin
"""


def stocked(db: sqlite_utils.Database, start: float, stop: float) -> dict[str, Stocked]:
    """Each catalog product's stock over [start, stop), from stock_history: a row holds until the next one, the
    row before ``start`` gives the figures at ``start``; before a product's first row it is not observed."""
    if stop <= start:
        return {}
    return {gtin: Stocked(*sums) for gtin, *sums in db.execute(STEPS, {"start": start, "stop": stop})}


def on_hand_at(db: sqlite_utils.Database, moment: float) -> dict[str, int]:
    """Each catalog product's last known units on hand before ``moment``."""
    return {gtin: units for gtin, units in db.execute(
        "SELECT p.gtin, (SELECT on_hand FROM stock_history WHERE gtin = p.gtin AND time < ? AND on_hand IS NOT NULL "
        "ORDER BY time DESC LIMIT 1) FROM products p", (moment,)) if units is not None}


def availability(db: sqlite_utils.Database, period: Period, now: float,
                 seen: dict[str, Stocked] | None = None) -> list[Figure]:
    """On-shelf availability = the share of product-time observed in the period during which the product had
    units on the shelf: from ``stock_history`` (every change of a product's figures, written by ingest), the
    shelf figure where the shelf is watched (camera or scale), else the units on hand. Time runs from the
    period's start (or the product's first record) to its end (or now); opening hours are not known to the hub,
    so nights count like days. Stock-out rate = 1 - availability. ``out_of_stock_alerts`` = alerts of that kind
    raised in the period, for comparison."""
    if seen is None:
        seen = stocked(db, period.start, min(period.end, now))
    found = [s for s in seen.values() if s.observed > 0]
    observed, out = sum(s.observed for s in found), sum(s.out for s in found)
    alerts = db.execute("SELECT COUNT(*) FROM alerts WHERE kind = 'out_of_stock' AND raised_at >= ? AND "
                        "raised_at < ?", (period.start, period.end)).fetchone()[0]
    parts = {"products": len(found), "observed_hours": round(observed / 3600, 2),
             "out_hours": round(out / 3600, 2), "out_of_stock_alerts": alerts}
    share = ratio(observed - out, observed)
    return [Figure("availability", share, "fraction", parts),
            Figure("stockout_rate", None if share is None else 1 - share, "fraction", parts)]


def inventory_accuracy(db: sqlite_utils.Database, period: Period) -> Figure:
    """Inventory accuracy = the share of lines of counts accepted in the period (count_results with an expected
    figure) whose expected units equal the counted ones. ``variance_cents`` = SUM(|counted - expected| * price
    recorded with the count); ``net_variance_cents`` keeps the sign (negative: fewer than the book said)."""
    lines = db.execute(
        "SELECT r.expected, r.counted, r.price_cents FROM count_results r JOIN stock_counts c ON c.id = r.count_id "
        "WHERE c.state = 'accepted' AND c.closed >= ? AND c.closed < ? AND r.expected IS NOT NULL",
        (period.start, period.end)).fetchall()
    exact = sum(1 for expected, counted, _ in lines if expected == counted)
    variance = sum(abs(counted - expected) * price for expected, counted, price in lines)
    net = sum((counted - expected) * price for expected, counted, price in lines)
    return Figure("inventory_accuracy", ratio(exact, len(lines)), "fraction",
                  {"lines": len(lines), "exact": exact, "variance_cents": variance, "net_variance_cents": net})


def by_category(db: sqlite_utils.Database, period: Period, now: float,
                seen: dict[str, Stocked] | None = None) -> list[dict[str, object]]:
    """Per category: turnover = cost of goods sold in the period (units sold * cost) / average stock value at
    cost (time-weighted units on hand from stock_history * cost), for the period, not annualised; days of cover
    = units on hand at the period's end (now, for a period that runs on) / mean units sold per day of the
    period so far. Values at cost use cost_cents, else the shelf price (``products_without_cost``)."""
    costs, cats = unit_costs(db), categories(db)
    stop = min(period.end, now)
    days = max((stop - period.start) / DAY_S, 0.0)
    rows: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    lacking: dict[str, set[str]] = defaultdict(set)
    for gtin, sold in db.execute("SELECT gtin, SUM(quantity) FROM sales WHERE time >= ? AND time < ? GROUP BY gtin",
                                 (period.start, period.end)):
        cat, (cost, known) = cats.get(gtin, "?"), costs.get(gtin, (0, False))
        rows[cat]["units_sold"] += sold
        rows[cat]["cogs_cents"] += sold * cost
        if not known:
            lacking[cat].add(gtin)
    now_units = on_hand_at(db, stop)
    for gtin, product in (stocked(db, period.start, stop) if seen is None else seen).items():
        cat, (cost, known) = cats.get(gtin, "?"), costs.get(gtin, (0, False))
        mean = product.unit_seconds / product.on_hand_span if product.on_hand_span else 0.0
        rows[cat]["stock_value_cents"] += mean * cost
        rows[cat]["units_now"] += now_units.get(gtin, 0)
        if not known:
            lacking[cat].add(gtin)
    out = []
    for cat in sorted(rows):
        row = rows[cat]
        daily = row["units_sold"] / days if days else 0.0
        out.append({"category": cat, "turnover": ratio(row["cogs_cents"], row["stock_value_cents"]),
                    "days_of_cover": ratio(row["units_now"], daily),
                    "cogs_cents": round(row["cogs_cents"]), "stock_value_cents": round(row["stock_value_cents"]),
                    "units_sold": int(row["units_sold"]), "units_now": int(row["units_now"]),
                    "mean_daily_units": round(daily, 3), "products_without_cost": len(lacking[cat])})
    return out

