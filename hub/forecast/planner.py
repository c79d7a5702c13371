"""The hub's reorder run: sales -> forecasts -> suggestions, written for staff to decide on.

Split in three so the API keeps its one database connection on the event
loop's thread: :func:`gather` reads (fast), :func:`compute` forecasts (slow,
no database: run it in a worker thread), :func:`save` writes.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

import sqlite_utils

from hub.forecast import models, orders, promotions
from hub.forecast.backtest import run_backtest
from hub.forecast.demand import Series, build_series, sales_by_day
from hub.forecast.policy import ReorderPolicy, Suggestion, protection, suggest
from hub.forecast.predict import forecast
from hub.i18n import Message
from hub.i18n.message import dumps

log = logging.getLogger("hub.forecast")


@dataclass(frozen=True)
class Sku:
    gtin: str
    name: str
    category: str
    supplier: str
    pack_size: int
    lead_time_days: int


@dataclass
class Inputs:
    today: date
    skus: dict[str, Sku]
    series: dict[str, Series]
    on_hand: dict[str, int | None]
    on_order: dict[str, int]
    reserved: dict[str, int]


@dataclass
class Line:
    """The outcome for one SKU: a forecast, and a suggestion when something should be ordered."""

    sku: Sku
    demand_class: str
    adi: float | None
    cv2: float | None
    model: str | None
    mase: float | None
    rate: float
    protection_days: int
    quantile: float
    level: float
    suggestion: Suggestion | None
    on_hand: int | None
    on_order: int
    reserved: int
    notes: list[Message] = field(default_factory=list)


@dataclass
class Plan:
    today: date
    seconds: float
    horizon: int
    lines: list[Line]

    @property
    def suggestions(self) -> list[Line]:
        return [line for line in self.lines if line.suggestion is not None and line.suggestion.quantity > 0]


def _midnight(day: date, tz: tzinfo) -> float:
    return datetime.combine(day, datetime.min.time(), tzinfo=tz).timestamp()


def gather(db: sqlite_utils.Database, now: float, policy: ReorderPolicy,
           on_hand: Callable[[str], int | None], tz: tzinfo = UTC) -> Inputs:
    """Read what a run needs: the catalog, the sales history (days in the store's zone ``tz``), stock, orders,
    reservations. Today (not over yet) is left out of the history."""
    today = datetime.fromtimestamp(now, tz).date()
    start = today - timedelta(days=policy.history_days)
    skus = {r["gtin"]: Sku(r["gtin"], r["name"], r["category"], r["supplier"], r["pack_size"], r["lead_time_days"])
            for r in db.query("SELECT gtin, name, category, supplier, pack_size, lead_time_days FROM products")}
    begin, end = _midnight(start, tz), _midnight(today, tz)
    rows = db.execute("SELECT gtin, time, quantity FROM sales WHERE time >= ? AND time < ?", (begin, end)).fetchall()
    daily = sales_by_day([r for r in rows if r[0] in skus], tz)
    series = build_series(daily, start=start, end=today - timedelta(days=1), known=list(skus))
    for gtin, periods in promotions.calendar(db).items():
        if gtin in series:
            series[gtin].promotions = periods
    return Inputs(today, skus, series, {g: on_hand(g) for g in skus}, orders.on_order(db),
                  orders.reserved(db))


def compute(inputs: Inputs, policy: ReorderPolicy, n_jobs: int = 1) -> Plan:
    """Forecast every SKU and size its order (no database: safe in a worker thread)."""
    started = time.perf_counter()
    today = inputs.today
    longest = max((protection(today, s.lead_time_days, policy.terms(s.supplier)[0], policy.terms(s.supplier)[2])
                   for s in inputs.skus.values()), default=policy.horizon_days)
    horizon = max(policy.horizon_days, longest)
    backtest = run_backtest(inputs.series, horizon=policy.horizon_days, n_windows=policy.backtest_windows,
                            per_class=True, n_jobs=n_jobs)
    forecasts = forecast(inputs.series, backtest, horizon, n_jobs=n_jobs)
    lines = []
    for gtin, sku in sorted(inputs.skus.items()):
        review, min_units, working = policy.terms(sku.supplier)
        level = policy.level_for(sku.category)
        days = protection(today, sku.lead_time_days, review, working)
        fc = forecasts[gtin]
        expected, quantile = fc.demand_quantile(days, level)
        result = fc.result
        notes = list(result.notes)
        stock = inputs.on_hand.get(gtin)
        on_order, reserved = inputs.on_order.get(gtin, 0), inputs.reserved.get(gtin, 0)
        line = Line(sku, result.demand.kind, result.demand.adi, result.demand.cv2, fc.model, result.mase,
                    fc.daily_rate, days, quantile, level, None, stock, on_order, reserved, notes)
        if gtin in inputs.series:
            notes.extend(promotion_notes(inputs.series[gtin], fc.model, today, days, policy.history_days))
        if stock is None:
            notes.append(Message("note_stock_unknown"))
        else:
            if stock < 0:
                notes.append(Message("note_negative_stock", stock=stock))
            line.suggestion = suggest(today, rate=fc.daily_rate, expected=expected, quantile=quantile,
                                      on_hand=stock, on_order=on_order, reserved=reserved,
                                      pack_size=sku.pack_size, lead_days=sku.lead_time_days, review_days=review,
                                      level=level, min_units=min_units, min_packs=policy.min_order_packs,
                                      order_days=policy.order_days, working_days=working)
        lines.append(line)
    return Plan(today, time.perf_counter() - started, horizon, lines)


def promotion_notes(series: Series, model: str | None, today: date, days: int, history_days: int) -> list[Message]:
    """What staff should know of the promotions planned over the next ``days``: whether the forecast holds them."""
    out = []
    learnt_from = today - timedelta(days=min(models.INPUT_DAYS["CalendarRegression"], history_days))
    learnt = any(a < today and b >= learnt_from for a, b in series.promotions)
    for first, last in promotions.within(series.promotions, today, today + timedelta(days=days - 1)):
        code = ("note_promotion_in" if model in models.EXOGENOUS and learnt else
                "note_promotion_not_learnt" if not learnt else "note_promotion_not_chosen")
        out.append(Message(code, first=first.isoformat(), last=last.isoformat()))
    return out


def save(db: sqlite_utils.Database, plan: Plan, now: float, user: str | None) -> int:
    """Store the forecasts and new suggestions; earlier undecided suggestions are superseded."""
    with db.conn:
        run_id = db.conn.execute(
            "INSERT INTO forecast_runs (started, seconds, series, horizon, started_by) VALUES (?, ?, ?, ?, ?)",
            (now, plan.seconds, len(plan.lines), plan.horizon, user)).lastrowid
        db.conn.execute("UPDATE reorder_suggestions SET state='superseded' WHERE state='proposed'")
        for line in plan.lines:
            s = line.suggestion
            note = "; ".join(line.notes + ([s.reason] if s is not None else []))
            db.conn.execute(
                "INSERT INTO forecasts (gtin, run_id, demand_class, adi, cv2, model, mase, mean_daily, "
                "protection_days, demand_quantile, service_level, note) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(gtin) DO UPDATE SET run_id=excluded.run_id, demand_class=excluded.demand_class, "
                "adi=excluded.adi, cv2=excluded.cv2, model=excluded.model, mase=excluded.mase, "
                "mean_daily=excluded.mean_daily, protection_days=excluded.protection_days, "
                "demand_quantile=excluded.demand_quantile, service_level=excluded.service_level, note=excluded.note",
                (line.sku.gtin, run_id, line.demand_class, line.adi, line.cv2, line.model, line.mase, line.rate,
                 line.protection_days, line.quantile, line.level, note))
            if s is None or s.quantity <= 0:
                continue
            reason = s.reason + ("" if not line.notes else " (" + "; ".join(line.notes) + ")")
            db.conn.execute(
                "INSERT INTO reorder_suggestions (run_id, gtin, supplier, created, state, suggested_quantity, "
                "quantity, pack_size, order_by, reason, on_hand, on_order, reserved, reason_facts, notes) "
                "VALUES (?, ?, ?, ?, 'proposed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, line.sku.gtin, line.sku.supplier, now, s.quantity, s.quantity, line.sku.pack_size,
                 s.order_by.isoformat(), reason, line.on_hand, line.on_order, line.reserved,
                 json.dumps(s.facts.as_json()) if s.facts else None, dumps(line.notes)))
    log.info("reorder run", extra={"run": run_id, "skus": len(plan.lines), "suggestions": len(plan.suggestions),
                                   "seconds": round(plan.seconds, 2)})
    return int(run_id)
