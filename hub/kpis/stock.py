"""The stock figures: on-shelf availability, inventory accuracy, turnover and days of cover per category."""

from __future__ import annotations

from collections import defaultdict

import sqlite_utils

from hub.kpis.period import Figure, Period, categories, ratio, unit_costs

DAY_S = 86400.0
Segment = tuple[float, float, int | None, int | None]  # from, to, on hand, shelf


def segments(db: sqlite_utils.Database, start: float, stop: float) -> dict[str, list[Segment]]:
    """Each product's stock figures as steps over [start, stop): a stock_history row holds until the next one.
    The row before ``start`` gives the figures at ``start``; before a product's first row it is not observed."""
    found: dict[str, list[Segment]] = defaultdict(list)
    rows = db.execute(
        "SELECT gtin, time, on_hand, shelf FROM stock_history h WHERE time < ? AND (time >= ? OR time = ("
        "SELECT MAX(time) FROM stock_history p WHERE p.gtin = h.gtin AND p.time < ?)) ORDER BY gtin, time",
        (stop, start, start)).fetchall()
    for index, (gtin, when, on_hand, shelf) in enumerate(rows):
        following = rows[index + 1] if index + 1 < len(rows) and rows[index + 1][0] == gtin else None
        begin, until = max(when, start), following[1] if following else stop
        if until > begin:
            found[gtin].append((begin, until, on_hand, shelf))
    return found


def availability(db: sqlite_utils.Database, period: Period, now: float) -> list[Figure]:
    """On-shelf availability = the share of product-time observed in the period during which the product had
    units on the shelf: from ``stock_history`` (every change of a product's figures, written by ingest), the
    shelf figure where the shelf is watched (camera or scale), else the units on hand. Time runs from the
    period's start (or the product's first record) to its end (or now); opening hours are not known to the hub,
    so nights count like days. Stock-out rate = 1 - availability. ``out_of_stock_alerts`` = alerts of that kind
    raised in the period, for comparison."""
    observed = out = 0.0
    products = set()
    for gtin, steps in segments(db, period.start, min(period.end, now)).items():
        for begin, until, on_hand, shelf in steps:
            units = shelf if shelf is not None else on_hand
            if units is None:
                continue
            products.add(gtin)
            observed += until - begin
            if units <= 0:
                out += until - begin
    alerts = db.execute("SELECT COUNT(*) FROM alerts WHERE kind = 'out_of_stock' AND raised_at >= ? AND "
                        "raised_at < ?", (period.start, period.end)).fetchone()[0]
    parts = {"products": len(products), "observed_hours": round(observed / 3600, 2),
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


def _mean_on_hand(steps: list[Segment]) -> tuple[float, float]:
    """(time-weighted mean units on hand, seconds observed)."""
    seen = [(until - begin, on_hand) for begin, until, on_hand, _ in steps if on_hand is not None]
    span = sum(length for length, _ in seen)
    return (sum(length * units for length, units in seen) / span if span else 0.0), span


def by_category(db: sqlite_utils.Database, period: Period, now: float) -> list[dict[str, object]]:
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
    for gtin, steps in segments(db, period.start, stop).items():
        cat, (cost, known) = cats.get(gtin, "?"), costs.get(gtin, (0, False))
        mean, _span = _mean_on_hand(steps)
        rows[cat]["stock_value_cents"] += mean * cost
        rows[cat]["units_now"] += next((s[2] for s in reversed(steps) if s[2] is not None), 0) or 0
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

