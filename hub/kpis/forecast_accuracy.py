"""Forecast accuracy: the stored forecasts against the sales that followed them."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import sqlite_utils

from hub.kpis.period import Figure, Period


def forecast_wape(db: sqlite_utils.Database, period: Period, now: float) -> Figure:
    """WAPE = SUM(|units sold that day - forecast daily mean|) / SUM(units sold) over the product-days where both
    exist: a product whose stored forecast (table ``forecasts``, its run's start and horizon) covers the day, the
    day in the period, from the run's day (the planner's day 0) and over by now. ``n`` = those product-days.
    The hub keeps only each product's newest forecast, so a period before the last run has no pairs (None)."""
    today = period.day_of(now)
    sold: dict[tuple[str, date], int] = defaultdict(int)
    for gtin, when, quantity in db.execute("SELECT gtin, time, quantity FROM sales WHERE time >= ? AND time < ?",
                                           (period.start, period.end)):
        sold[gtin, period.day_of(when)] += quantity
    error = actual = 0.0
    n = 0
    rows = db.execute("SELECT f.gtin, f.mean_daily, r.started, r.horizon FROM forecasts f "
                      "JOIN forecast_runs r ON r.id = f.run_id").fetchall()
    for gtin, mean_daily, started, horizon in rows:
        first_day = period.day_of(started)  # the planner's horizon starts on its run's day
        for offset in range(int(horizon)):
            day = first_day + timedelta(days=offset)
            if day < period.first or day > period.last or day >= today:
                continue
            units = sold.get((gtin, day), 0)
            error += abs(units - mean_daily)
            actual += units
            n += 1
    value = error / actual if actual else None
    return Figure("forecast_wape", value, "fraction",
                  {"n": n, "products": len(rows), "units_sold": round(actual), "abs_error_units": round(error, 2)})
