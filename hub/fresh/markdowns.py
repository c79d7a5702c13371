"""Markdown suggestions that staff approve: for each open dated lot, the reduction (and when) that recovers most.

:func:`review` runs from the hub's tick every ``fresh.markdowns.run_every_s``
and on ``POST /api/markdowns/review``. For each open lot of a dated product
with units, it weighs every discount of ``fresh.markdowns.discounts_pct`` from
now or from a later day's opening against no markdown
(:mod:`hub.fresh.markdown_value` has the arithmetic) and keeps one suggestion
per lot, the best, when it beats no markdown by at least a cent.

The lot's demand: the product's latest forecast (``forecasts.mean_daily``),
else its mean sales a day over the last 28 days. Lots of one product compete:
shoppers take the freshest at full price, so only the lots with the latest
date share the product's rate (in proportion to their units); an older lot
sells only once marked down, then at the product's whole rate times the
discount's multiplier.

States: ``suggested`` -> ``approved`` or ``rejected`` by staff (who, when);
a newer, different best option makes the old suggestion ``superseded``; a
suggestion no longer worth it, or any markdown whose lot is gone or whose
window has passed, becomes ``ended``. An approved markdown stays until its end.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any

import sqlite_utils
from babel.dates import format_date

from hub.config import HubConfig
from hub.forecast.elasticity import Elasticities
from hub.fresh.markdown_value import LotFacts, Option, fallback, options
from hub.i18n import money, number, translate
from hub.i18n.catalog import locale

STATES = ("suggested", "approved", "rejected", "superseded", "ended")
#: days of sales a product's rate is read over when it has no forecast
RATE_DAYS = 28


class MarkdownError(ValueError):
    """A markdown that cannot be decided: ``kind`` is ``not_found`` or ``conflict`` (its state does not allow it)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class ReviewResult:
    suggested: int
    updated: int
    superseded: int
    ended: int
    lots: int


def message(code: str, **params: Any) -> dict[str, Any]:
    """A message kept as data. Parameter names say how :func:`say` writes them: ``*_cents`` as money,
    ``*_day`` (ISO date) as a day, floats as numbers, ``{"code": ...}`` as a nested message."""
    return {"code": code, "params": params}


def say(data: dict[str, Any] | str, lang: str) -> str:
    """A kept message in ``lang``, its money, days and numbers written as that language writes them."""
    found = json.loads(data) if isinstance(data, str) else data
    params: dict[str, Any] = {}
    for key, value in (found.get("params") or {}).items():
        if isinstance(value, dict) and "code" in value:
            params[key] = say(value, lang)
        elif key.endswith("_cents") and value is not None:
            params[key.removesuffix("_cents")] = money(int(value), lang)
        elif key.endswith("_day") and value:
            params[key.removesuffix("_day")] = format_date(date.fromisoformat(value), "d MMMM", locale=locale(lang))
        elif isinstance(value, float):
            params[key] = number(value, lang)
        else:
            params[key] = value
    return translate(found["code"], lang, **params)


def _hours(config: HubConfig) -> tuple[time, time]:
    return config.fusion.silence.opening_hours


def product_rates(db: sqlite_utils.Database, gtins: list[str], now: float) -> dict[str, float]:
    """Units a day each product sells: its latest forecast, else its mean over the last RATE_DAYS days."""
    marks = ",".join("?" * len(gtins))
    rates = {g: 0.0 for g in gtins}
    for gtin, sold in db.execute(f"SELECT gtin, SUM(quantity) FROM sales WHERE gtin IN ({marks}) AND time >= ? "
                                 "AND time < ? GROUP BY gtin", [*gtins, now - RATE_DAYS * 86400, now]).fetchall():
        rates[gtin] = max(0.0, float(sold or 0)) / RATE_DAYS
    for gtin, mean in db.execute(f"SELECT gtin, mean_daily FROM forecasts WHERE gtin IN ({marks})", gtins).fetchall():
        rates[gtin] = float(mean)
    return rates


#: a lot's units (alias ``l``): the book's for untagged goods; for tagged ones, its tags not sold nor gone (spec)
LOT_UNITS = ("(CASE WHEN EXISTS (SELECT 1 FROM lot_tags t WHERE t.lot_id = l.id) THEN (SELECT COUNT(*) FROM "
             "lot_tags t JOIN items i ON i.epc = t.epc WHERE t.lot_id = l.id AND i.state NOT IN ('sold', 'left')) "
             "ELSE l.units END)")


def open_lots(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Open lots of dated products that still hold units, with what the suggestion needs of their product."""
    rows = db.execute(
        f"SELECT l.id, l.gtin, l.lot, l.expiry, l.date_kind, {LOT_UNITS} AS held, p.name, p.category, "
        "p.price_cents, p.cost_cents FROM lots l JOIN products p ON p.gtin = l.gtin "
        "WHERE l.closed IS NULL AND held > 0 ORDER BY l.gtin, l.expiry").fetchall()
    keys = ("id", "gtin", "lot", "expiry", "date_kind", "units", "name", "category", "price_cents", "cost_cents")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def lot_rates(lots: list[dict[str, Any]], rates: dict[str, float]) -> dict[int, float]:
    """Each lot's full-price rate: the freshest lots of a product (latest date) share its rate by units, older
    lots get none (shoppers take the freshest)."""
    out: dict[int, float] = {}
    freshest: dict[str, str] = {}
    for lot in lots:
        freshest[lot["gtin"]] = max(freshest.get(lot["gtin"], ""), lot["expiry"])
    for gtin, latest in freshest.items():
        group = [lot for lot in lots if lot["gtin"] == gtin and lot["expiry"] == latest]
        held = sum(lot["units"] for lot in group)
        for lot in lots:
            if lot["gtin"] == gtin:
                out[lot["id"]] = rates.get(gtin, 0.0) * lot["units"] / held if lot in group else 0.0
    return out


def _why(lot: dict[str, Any], none: Option, best: Option, kind: str, basis: dict[str, Any], now: float,
         zone: tzinfo) -> dict[str, Any]:
    later = best.start > now
    params: dict[str, Any] = {
        "left": lot["units"], "full_units": round(none.full_units), "date_day": lot["expiry"],
        "pct": best.discount_pct, "units": round(best.sold), "recovered_cents": best.value_cents,
        "instead_cents": none.value_cents, "fallback": message(f"markdowns.fallback_{kind}"), "basis": basis}
    if later:
        params["start_day"] = datetime.fromtimestamp(best.start, zone).date().isoformat()
    return message("markdowns.why_later" if later else "markdowns.why_now", **params)


def end_stale(db: sqlite_utils.Database, now: float) -> int:
    """Suggested and approved markdowns whose window passed or whose lot is gone (closed, no units) end."""
    cursor = db.execute(
        "UPDATE markdowns SET state = 'ended' WHERE state IN ('suggested', 'approved') AND (end <= ? OR lot_id IN "
        f"(SELECT l.id FROM lots l WHERE l.closed IS NOT NULL OR {LOT_UNITS} <= 0) OR lot_id NOT IN "
        "(SELECT id FROM lots))",
        [now])
    return cursor.rowcount


def review(db: sqlite_utils.Database, config: HubConfig, now: float) -> ReviewResult:
    """Suggest, update, supersede and end markdowns from the lots as they are now (one transaction)."""
    settings, zone, hours = config.fresh.markdowns, config.zone, _hours(config)
    counts = {"suggested": 0, "updated": 0, "superseded": 0, "ended": 0}
    with db.conn:
        counts["ended"] += end_stale(db, now)
        if not settings.enabled:
            return ReviewResult(**counts, lots=0)
        lots = open_lots(db)
        rates = product_rates(db, sorted({lot["gtin"] for lot in lots}), now) if lots else {}
        full_rates = lot_rates(lots, rates)
        elasticities = Elasticities(db, settings, now, zone) if lots else None
        for lot in lots:
            current = db.execute("SELECT id, state, discount_pct, start FROM markdowns WHERE lot_id = ? AND state "
                                 "IN ('suggested', 'approved') ORDER BY id DESC", [lot["id"]]).fetchone()
            if current is not None and current[1] == "approved":
                continue  # an approved markdown stays until its end
            facts = LotFacts(lot["units"], date.fromisoformat(lot["expiry"]), lot["date_kind"], lot["price_cents"],
                             lot["cost_cents"])
            assert elasticities is not None
            elasticity = elasticities.for_product(lot["gtin"], lot["category"])
            none, found = options(facts, full_rates[lot["id"]], rates.get(lot["gtin"], 0.0), elasticity.value,
                                  settings, now, zone, hours)
            best = max(found, key=lambda o: (o.value_cents, -o.start, -o.discount_pct), default=None)
            if none.end <= now or best is None or best.value_cents < none.value_cents + 1:
                if current is not None:
                    db.execute("UPDATE markdowns SET state = 'ended' WHERE id = ?", [current[0]])
                    counts["ended"] += 1
                continue
            kind, per_unit = fallback(facts, settings)
            row = {"units": lot["units"], "regular_cents": lot["price_cents"], "discount_pct": best.discount_pct,
                   "price_cents": best.price_cents, "start": best.start, "end": best.end,
                   "expected_units": round(best.sold, 2), "expected_cents": best.value_cents, "fallback": kind,
                   "fallback_cents": round(best.leftover * per_unit),
                   "why": json.dumps(_why(lot, none, best, kind, elasticity.basis(), now, zone), ensure_ascii=False)}
            same_start = current is not None and (current[3] == best.start or (current[3] <= now and best.start == now))
            if current is not None and current[2] == best.discount_pct and same_start:
                sets = ", ".join(f"{k} = ?" for k in row)
                db.execute(f"UPDATE markdowns SET {sets} WHERE id = ?", [*row.values(), current[0]])
                counts["updated"] += 1
                continue
            if current is not None:
                db.execute("UPDATE markdowns SET state = 'superseded' WHERE id = ?", [current[0]])
                counts["superseded"] += 1
            db["markdowns"].insert({"gtin": lot["gtin"], "lot_id": lot["id"], "state": "suggested", "created": now,
                                    **row})
            counts["suggested"] += 1
    return ReviewResult(**counts, lots=len(lots))


def decide(db: sqlite_utils.Database, markdown_id: int, approve: bool, user: str, now: float) -> dict[str, Any]:
    """Approve or reject a suggestion (any staff member: the manager threshold of adjustments does not apply)."""
    row = db.execute("SELECT state FROM markdowns WHERE id = ?", [markdown_id]).fetchone()
    if row is None:
        raise MarkdownError(f"markdown {markdown_id} does not exist", "not_found")
    if row[0] != "suggested":
        raise MarkdownError(f"markdown {markdown_id} is {row[0]}: only a suggested one can be decided", "conflict")
    with db.conn:
        db.execute("UPDATE markdowns SET state = ?, decided = ?, decided_by = ? WHERE id = ?",
                   ["approved" if approve else "rejected", now, user, markdown_id])
    return get(db, markdown_id)


def mark_printed(db: sqlite_utils.Database, ids: list[int], now: float) -> None:
    with db.conn:
        db.conn.executemany("UPDATE markdowns SET printed = ? WHERE id = ?", [(now, i) for i in ids])


_SELECT = ("SELECT m.*, p.name, l.lot, l.expiry, l.date_kind, "
           "(SELECT COALESCE(SUM(s.quantity), 0) FROM sales s WHERE s.lot_id = m.lot_id AND m.decided_by IS NOT NULL "
           " AND s.unit_price_cents <= m.price_cents AND s.time BETWEEN m.start AND m.end) AS sold_units, "
           "(SELECT COALESCE(SUM(s.quantity * s.unit_price_cents), 0) FROM sales s WHERE s.lot_id = m.lot_id "
           " AND m.decided_by IS NOT NULL AND s.unit_price_cents <= m.price_cents AND s.time BETWEEN m.start AND "
           " m.end) AS recovered_cents "
           "FROM markdowns m LEFT JOIN products p ON p.gtin = m.gtin LEFT JOIN lots l ON l.id = m.lot_id")


def _rows(db: sqlite_utils.Database, where: str, args: list[Any]) -> list[dict[str, Any]]:
    cursor = db.execute(f"{_SELECT} WHERE {where} ORDER BY m.start, m.id", args)
    keys = [c[0] for c in cursor.description]
    return [dict(zip(keys, row, strict=True)) for row in cursor.fetchall()]


def get(db: sqlite_utils.Database, markdown_id: int) -> dict[str, Any]:
    rows = _rows(db, "m.id = ?", [markdown_id])
    if not rows:
        raise MarkdownError(f"markdown {markdown_id} does not exist", "not_found")
    return rows[0]


def listing(db: sqlite_utils.Database, states: list[str] | None = None) -> list[dict[str, Any]]:
    """Markdowns in ``states`` (all when None), with units sold at the reduced price and money recovered (the
    spec's definition: sales of the lot at or below the markdown's price within its window, once decided)."""
    if not states:
        return _rows(db, "1", [])
    return _rows(db, f"m.state IN ({','.join('?' * len(states))})", list(states))


def by_ids(db: sqlite_utils.Database, ids: list[int]) -> list[dict[str, Any]]:
    rows = _rows(db, f"m.id IN ({','.join('?' * len(ids))})", list(ids)) if ids else []
    missing = sorted(set(ids) - {r["id"] for r in rows})
    if missing:
        raise MarkdownError(f"markdown {missing[0]} does not exist", "not_found")
    return rows


class Schedule:
    """Runs :func:`review` from the hub's tick once every ``fresh.markdowns.run_every_s``."""

    def __init__(self, db: sqlite_utils.Database, config: HubConfig) -> None:
        self.db, self.config = db, config
        self.last: float | None = None

    def tick(self, now: float) -> ReviewResult | None:
        if self.last is not None and now - self.last < self.config.fresh.markdowns.run_every_s:
            return None
        self.last = now
        return review(self.db, self.config, now)
