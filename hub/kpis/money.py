"""The money figures: sales, waste, donations, shrink, money recovered by markdowns (spec of issue 21)."""

from __future__ import annotations

from datetime import date

import sqlite_utils

from hub.kpis.period import Figure, Period, ratio, unit_costs

WASTED = ("expired", "damaged")


def sales(db: sqlite_utils.Database, period: Period) -> list[Figure]:
    """Revenue = SUM(quantity * unit_price_cents) of the till's sales lines timed in the period; units = SUM(
    quantity); receipts = distinct (lane, receipt id) among those lines. A return is a negative line and counts
    as such."""
    revenue, units, lines, receipts = db.execute(
        "SELECT COALESCE(SUM(quantity * unit_price_cents), 0), COALESCE(SUM(quantity), 0), COUNT(*), "
        "COUNT(DISTINCT lane || '/' || receipt_id) FROM sales WHERE time >= ? AND time < ?",
        (period.start, period.end)).fetchone()
    return [Figure("revenue", revenue, "cents", {"lines": lines}),
            Figure("units_sold", units, "units", {"lines": lines}),
            Figure("receipts", receipts, "count", {"lines": lines})]


def revenue_net_of_waste(revenue: Figure, waste: Figure) -> Figure:
    """Revenue net of waste = revenue - waste value (issue 21's measure of whether markdowns paid: selling
    cheaper must not cost more than the waste it saves)."""
    return Figure("revenue_net_of_waste", int(revenue.value or 0) - int(waste.value or 0), "cents",
                  {"revenue_cents": revenue.value, "waste_cents": waste.value})


def waste_value(db: sqlite_utils.Database, period: Period) -> Figure:
    """Waste value = SUM(waste.value_cents) of rows with reason expired or damaged timed in the period (value at
    cost, at shelf price where the product had no cost: those rows are counted in ``rows_without_cost``).
    Donations are a figure of their own."""
    value, units, rows, no_cost = db.execute(
        "SELECT COALESCE(SUM(value_cents), 0), COALESCE(SUM(quantity), 0), COUNT(*), "
        "COALESCE(SUM(unit_cost_cents IS NULL), 0) FROM waste WHERE reason IN (?, ?) AND time >= ? AND time < ?",
        (*WASTED, period.start, period.end)).fetchone()
    return Figure("waste_value", value, "cents", {"units": units, "rows": rows, "rows_without_cost": no_cost})


def sold_at_cost(db: sqlite_utils.Database, period: Period) -> tuple[int, int]:
    """(cost value of the units sold in the period, how many of the products sold lacked a cost)."""
    costs = unit_costs(db)
    total, lacking = 0, set()
    for gtin, quantity in db.execute("SELECT gtin, SUM(quantity) FROM sales WHERE time >= ? AND time < ? "
                                     "GROUP BY gtin", (period.start, period.end)):
        cost, known = costs.get(gtin, (0, False))
        total += quantity * cost
        if not known:
            lacking.add(gtin)
    return total, len(lacking)


def waste_rate(db: sqlite_utils.Database, period: Period, waste: Figure | None = None) -> Figure:
    """Waste rate = waste value / (cost value of the units sold + waste value): the share of the goods that
    left the shop which left as waste. Units sold are valued at cost_cents, at shelf price when a product has
    no cost (``sold_products_without_cost``)."""
    waste = waste or waste_value(db, period)
    sold, lacking = sold_at_cost(db, period)
    wasted = int(waste.value or 0)
    return Figure("waste_rate", ratio(wasted, sold + wasted), "fraction",
                  {"waste_cents": wasted, "sold_at_cost_cents": sold, "sold_products_without_cost": lacking})


def donations(db: sqlite_utils.Database, period: Period) -> Figure:
    """Donations = SUM(waste.value_cents) of rows with reason donated in the period (at cost, else shelf
    price); not in the waste value."""
    value, units, rows, no_cost = db.execute(
        "SELECT COALESCE(SUM(value_cents), 0), COALESCE(SUM(quantity), 0), COUNT(*), "
        "COALESCE(SUM(unit_cost_cents IS NULL), 0) FROM waste WHERE reason = 'donated' AND time >= ? AND time < ?",
        (period.start, period.end)).fetchone()
    return Figure("donations", value, "cents", {"units": units, "rows": rows, "rows_without_cost": no_cost})


def shrink(db: sqlite_utils.Database, period: Period) -> Figure:
    """Shrink = the shelf price (products.price_cents today) of each item whose ``unpaid_item_exit`` alert was
    raised in the period, except those whose alert the hub resolved itself because the item came back (resolved
    with no staff resolution). Only tagged items raise the alert: untagged losses show in counts, not here."""
    rows = db.execute(
        "SELECT a.gtin, a.state, a.resolved_at, r.alert IS NOT NULL, p.price_cents FROM alerts a "
        "LEFT JOIN alert_resolutions r ON r.alert = a.id LEFT JOIN products p ON p.gtin = a.gtin "
        "WHERE a.kind = 'unpaid_item_exit' AND a.raised_at >= ? AND a.raised_at < ?",
        (period.start, period.end)).fetchall()
    value = exits = back = unknown = 0
    for _gtin, state, _resolved, by_staff, price in rows:
        if state == "resolved" and not by_staff:
            back += 1
            continue
        exits += 1
        if price is None:
            unknown += 1
        else:
            value += price
    return Figure("shrink", value, "cents",
                  {"exits": exits, "came_back": back, "items_without_price": unknown})


def markdown_recovered(db: sqlite_utils.Database, period: Period) -> Figure:
    """Money recovered by markdowns = SUM(quantity * unit_price_cents) of sales lines in the period whose lot has
    a markdown staff approved (state approved, or ended with decided_by set), sold at or below that markdown's
    price and within its [start, end]. A line matching two markdowns counts once."""
    value, units, lines = db.execute(
        "SELECT COALESCE(SUM(s.quantity * s.unit_price_cents), 0), COALESCE(SUM(s.quantity), 0), COUNT(*) "
        "FROM sales s WHERE s.time >= ? AND s.time < ? AND s.lot_id IS NOT NULL AND EXISTS ("
        "SELECT 1 FROM markdowns m WHERE m.lot_id = s.lot_id AND m.decided_by IS NOT NULL "
        "AND m.state IN ('approved', 'ended') AND s.unit_price_cents <= m.price_cents "
        "AND s.time >= m.start AND s.time <= m.end)", (period.start, period.end)).fetchone()
    return Figure("markdown_recovered", value, "cents", {"units": units, "lines": lines})


def daily(db: sqlite_utils.Database, period: Period) -> list[dict[str, object]]:
    """Each day of the period: revenue and waste value (expired + damaged), for the charts."""
    days: dict[date, dict[str, object]] = {
        d: {"day": d.isoformat(), "revenue_cents": 0, "waste_cents": 0} for d in period.days()}
    for when, cents in db.execute("SELECT time, quantity * unit_price_cents FROM sales WHERE time >= ? AND "
                                  "time < ?", (period.start, period.end)):
        row = days[period.day_of(when)]
        row["revenue_cents"] = int(row["revenue_cents"]) + cents  # type: ignore[call-overload]
    for when, cents in db.execute("SELECT time, COALESCE(value_cents, 0) FROM waste WHERE reason IN (?, ?) AND "
                                  "time >= ? AND time < ?", (*WASTED, period.start, period.end)):
        row = days[period.day_of(when)]
        row["waste_cents"] = int(row["waste_cents"]) + cents  # type: ignore[call-overload]
    return list(days.values())
