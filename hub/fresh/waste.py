"""Waste: units thrown away (expired, damaged) or given (donated), each valued at cost, with who, when, which lot.

Each waste row writes one stock adjustment in the same transaction (reason ``expired``, ``damage`` or
``donated``), so the book stock falls with it, and takes the units off its lot. Its value is quantity x the
catalog's unit cost; when the cost is unknown the shelf price is used and ``unit_cost_cents`` stays NULL, so
the row says its value is at shelf price (docs/fresh.md). "Waste value" counts expired + damaged; donated
is its own figure (spec of issue 21).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from hub.csv_cells import spreadsheet_safe
from hub.fresh.lots import LotBook, LotError, get_lot, take_units
from hub.inventory import adjustments
from hub.inventory.adjustments import MAX_NOTE, Actor, Change
from hub.inventory.book import BookStock
from hub.inventory.records import Product
from hub.inventory.settings import FusionSettings

#: waste reason -> the stock adjustment reason it writes
REASONS: dict[str, str] = {"expired": "expired", "damaged": "damage", "donated": "donated"}
MAX_QUANTITY = 100_000
MAX_EPCS = 1000


class WasteError(LotError):
    """Waste that cannot be recorded; ``field`` names what is wrong. Nothing was written."""


@dataclass(frozen=True)
class WasteIn:
    gtin: str
    quantity: int
    reason: str
    lot_id: int | None = None
    note: str = ""
    epcs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stock:
    """What recording waste touches in the hub's memory: the products, the book, the lots, the figures."""

    db: sqlite_utils.Database
    products: dict[str, Product]
    book: BookStock
    lots: LotBook
    figure: Callable[[str], int | None]
    settings: FusionSettings


def record(stock: Stock, waste: WasteIn, actor: Actor, now: float) -> dict[str, Any]:
    """Check, then write the waste row, its stock adjustment and its lot's units in one transaction."""
    db = stock.db
    if waste.reason not in REASONS:
        raise WasteError("reason", f"{waste.reason!r} is not one of {', '.join(REASONS)}")
    if waste.gtin not in stock.products:
        raise WasteError("gtin", f"no product with GTIN {waste.gtin} in the catalog", "not_found")
    if not isinstance(waste.quantity, int) or not 1 <= waste.quantity <= MAX_QUANTITY:
        raise WasteError("quantity", f"must be a whole number from 1 to {MAX_QUANTITY} (got {waste.quantity})")
    if len(waste.note) > MAX_NOTE:
        raise WasteError("note", f"at most {MAX_NOTE} characters")
    if len(waste.epcs) > MAX_EPCS:
        raise WasteError("epcs", f"at most {MAX_EPCS} tags")
    lot_id = waste.lot_id
    if lot_id is None and waste.epcs:  # a tagged item's lot follows its EPC
        marks = ",".join("?" * len(waste.epcs))
        found = db.execute(f"SELECT DISTINCT lot_id FROM lot_tags WHERE epc IN ({marks})", waste.epcs).fetchall()
        lot_id = found[0][0] if len(found) == 1 else None
    if lot_id is not None:
        lot = get_lot(db, lot_id)
        if lot["gtin"] != waste.gtin:
            raise WasteError("lot_id", f"lot {lot_id} is of {lot['gtin']}, not {waste.gtin}")
    product = db.execute("SELECT price_cents, cost_cents FROM products WHERE gtin = ?", (waste.gtin,)).fetchone()
    price, cost = int(product[0]), product[1]
    value = waste.quantity * (cost if cost is not None else price)
    planned = adjustments.plan([Change(waste.gtin, REASONS[waste.reason], waste.quantity, waste.note)],
                               stock.products, stock.figure, actor, stock.settings)
    with db.conn:
        adjustment_id = adjustments.write(db.conn, planned, actor, now, "waste")[0]
        waste_id = int(db.conn.execute(
            "INSERT INTO waste (time, gtin, lot_id, quantity, reason, unit_cost_cents, value_cents, price_cents, "
            "user, note, epcs, adjustment_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (now, waste.gtin, lot_id, waste.quantity, waste.reason, cost, value, price, actor.username,
             waste.note, ",".join(waste.epcs), adjustment_id)).lastrowid)
        db.conn.execute("UPDATE stock_adjustments SET ref_id = ? WHERE id = ?", (waste_id, adjustment_id))
        if lot_id is not None:
            take_units(db.conn, lot_id, waste.quantity, now)
        if waste.epcs:
            db.conn.executemany("DELETE FROM lot_tags WHERE epc = ?", [(e,) for e in waste.epcs])
    stock.book.forget(waste.gtin)
    stock.lots.forget(waste.gtin)
    return search(db, ids=[waste_id])[0]


_COLUMNS = ("w.id, w.time, w.gtin, p.name, p.category, w.lot_id, l.lot, l.expiry, w.quantity, w.reason, "
            "w.unit_cost_cents, w.value_cents, w.price_cents, w.user, w.note, w.epcs, w.adjustment_id")


def search(db: sqlite_utils.Database, *, ids: list[int] | None = None, since: float | None = None,
           until: float | None = None, reason: str | None = None, limit: int = 500, offset: int = 0,
           ) -> list[dict[str, Any]]:
    """The waste log, newest first; ``at_cost`` says whether a row's value is at cost or at shelf price."""
    where, args = [], []
    if ids is not None:
        where.append(f"w.id IN ({','.join('?' * len(ids))})")
        args += ids
    if since is not None:
        where.append("w.time >= ?")
        args.append(since)
    if until is not None:
        where.append("w.time < ?")
        args.append(until)
    if reason:
        where.append("w.reason = ?")
        args.append(reason)
    sql = (f"SELECT {_COLUMNS} FROM waste w LEFT JOIN products p ON p.gtin = w.gtin LEFT JOIN lots l "
           "ON l.id = w.lot_id" + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY w.id DESC LIMIT ? OFFSET ?")
    return [dict(row, at_cost=row["unit_cost_cents"] is not None) for row in db.query(sql, [*args, limit, offset])]


CSV_HEADER = ("id", "time", "gtin", "name", "category", "lot", "expiry", "quantity", "reason", "unit_cost_eur",
              "value_eur", "valued_at", "shelf_price_eur", "user", "note")


def _eur(cents: int | None) -> float | None:
    return None if cents is None else round(cents / 100, 2)


def as_csv(rows: list[dict[str, Any]], when: Callable[[float], str | None]) -> str:
    """The waste log as CSV; text typed by people or imported cannot run as a spreadsheet formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for r in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in (
            r["id"], when(r["time"]), r["gtin"], r["name"] or "", r["category"] or "", r["lot"] or "",
            r["expiry"] or "", r["quantity"], r["reason"], _eur(r["unit_cost_cents"]), _eur(r["value_cents"]),
            "cost" if r["at_cost"] else "shelf_price", _eur(r["price_cents"]), r["user"], r["note"])])
    return out.getvalue()
