"""Suggestions staff decide on, and the purchase orders they become.

States of a suggestion: ``proposed`` -> ``approved`` or ``rejected``;
``approved`` -> ``ordered`` (on a purchase order); a newer run marks the
still-undecided ones ``superseded``. A purchase order is ``open`` until a
delivery (counted at the dock by RFID, or entered by hand) closes it; what is
open counts as "on order" in the next run.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from typing import Any

import sqlite_utils

from hub.csv_cells import spreadsheet_safe
from hub.inventory import receiving
from hub.inventory.adjustments import Actor, StockError
from hub.inventory.fusion import Fusion


class OrderError(ValueError):
    """A request the workflow cannot accept; ``status`` is the HTTP status that says why."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


def on_order(db: sqlite_utils.Database) -> dict[str, int]:
    rows = db.execute(
        "SELECT l.gtin, SUM(MAX(l.quantity - l.received, 0)) FROM purchase_order_lines l "
        "JOIN purchase_orders o ON o.id = l.po_id WHERE o.state = 'open' GROUP BY l.gtin").fetchall()
    return {g: int(n) for g, n in rows}


def reserved(db: sqlite_utils.Database) -> dict[str, int]:
    return {g: int(n) for g, n in db.execute("SELECT gtin, quantity FROM stock_reservations WHERE quantity > 0")}


def set_reservation(db: sqlite_utils.Database, gtin: str, quantity: int, note: str, user: str, now: float) -> None:
    if quantity < 0:
        raise OrderError("quantity: a reservation cannot be negative", 422)
    with db.conn:
        db.conn.execute(
            "INSERT INTO stock_reservations (gtin, quantity, note, updated, updated_by) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(gtin) DO UPDATE SET quantity=excluded.quantity, note=excluded.note, "
            "updated=excluded.updated, updated_by=excluded.updated_by", (gtin, quantity, note, now, user))


_SUGGESTION_SQL = ("SELECT s.*, p.name FROM reorder_suggestions s LEFT JOIN products p ON p.gtin = s.gtin")


def suggestions(db: sqlite_utils.Database, state: str | None = "proposed", limit: int = 500,
                offset: int = 0) -> list[dict[str, Any]]:
    where, args = ("", []) if state is None else (" WHERE s.state = ?", [state])
    return list(db.query(_SUGGESTION_SQL + where + " ORDER BY s.order_by, s.supplier, s.id LIMIT ? OFFSET ?",
                         [*args, limit, offset]))


def suggestion(db: sqlite_utils.Database, suggestion_id: int) -> dict[str, Any]:
    rows = list(db.query(_SUGGESTION_SQL + " WHERE s.id = ?", [suggestion_id]))
    if not rows:
        raise OrderError(f"no suggestion {suggestion_id}", 404)
    return rows[0]


def _check_quantity(row: dict[str, Any], quantity: int) -> None:
    pack = max(int(row["pack_size"]), 1)
    if quantity < 1:
        raise OrderError("quantity: must be at least 1 (reject the suggestion to order nothing)", 422)
    if quantity % pack:
        raise OrderError(f"quantity: {quantity} is not a whole number of packs of {pack}", 422)


def decide(db: sqlite_utils.Database, suggestion_id: int, action: str, user: str, now: float,
           quantity: int | None = None, note: str | None = None) -> dict[str, Any]:
    """Approve (optionally with another quantity), edit the quantity, or reject a proposed suggestion."""
    row = suggestion(db, suggestion_id)
    if row["state"] != "proposed":
        raise OrderError(f"suggestion {suggestion_id} is {row['state']}, not proposed: it cannot be changed")
    new_quantity = row["quantity"] if quantity is None else quantity
    if action in ("approve", "edit"):
        _check_quantity(row, new_quantity)
    state = {"approve": "approved", "reject": "rejected", "edit": "proposed"}[action]
    with db.conn:
        db.conn.execute(
            "UPDATE reorder_suggestions SET state=?, quantity=?, decided_by=?, decided_at=?, note=COALESCE(?, note) "
            "WHERE id=?", (state, new_quantity, user, now, note, suggestion_id))
    return suggestion(db, suggestion_id)


def create_purchase_orders(db: sqlite_utils.Database, user: str, now: float) -> list[int]:
    """One purchase order per supplier from the approved suggestions not yet ordered."""
    approved = list(db.query("SELECT id, gtin, supplier, quantity FROM reorder_suggestions "
                             "WHERE state = 'approved' AND po_id IS NULL ORDER BY supplier, id"))
    by_supplier: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in approved:
        by_supplier[row["supplier"]].append(row)
    created = []
    with db.conn:
        for supplier, rows in sorted(by_supplier.items()):
            po_id = db.conn.execute(
                "INSERT INTO purchase_orders (supplier, state, created, created_by) VALUES (?, 'open', ?, ?)",
                (supplier, now, user)).lastrowid
            totals: dict[str, int] = defaultdict(int)
            for row in rows:
                totals[row["gtin"]] += row["quantity"]
                db.conn.execute("UPDATE reorder_suggestions SET state='ordered', po_id=? WHERE id=?",
                                (po_id, row["id"]))
            for gtin, quantity in totals.items():
                db.conn.execute("INSERT INTO purchase_order_lines (po_id, gtin, quantity) VALUES (?, ?, ?)",
                                (po_id, gtin, quantity))
            created.append(int(po_id))
    return created


def purchase_order(db: sqlite_utils.Database, po_id: int) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM purchase_orders WHERE id = ?", [po_id]))
    if not rows:
        raise OrderError(f"no purchase order {po_id}", 404)
    po = rows[0]
    po["lines"] = list(db.query(
        "SELECT l.gtin, p.name, l.quantity, l.received, p.pack_size FROM purchase_order_lines l "
        "LEFT JOIN products p ON p.gtin = l.gtin WHERE l.po_id = ? ORDER BY l.gtin", [po_id]))
    return po


def purchase_orders(db: sqlite_utils.Database, state: str | None = None) -> list[dict[str, Any]]:
    where, args = ("", []) if state is None else (" WHERE state = ?", [state])
    return [purchase_order(db, r["id"]) for r in db.query(
        "SELECT id FROM purchase_orders" + where + " ORDER BY id DESC LIMIT 200", args)]


def purchase_order_csv(db: sqlite_utils.Database, po_id: int) -> str:
    """The order as the supplier receives it: one line per product, in units and packs.

    Names and suppliers come from imported files: a cell a spreadsheet would run as a formula is written as text.
    """
    po = purchase_order(db, po_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["order", "supplier", "gtin", "name", "quantity", "pack_size", "packs"])
    for line in po["lines"]:
        pack = max(int(line["pack_size"] or 1), 1)
        writer.writerow([spreadsheet_safe(cell) for cell in (
            po_id, po["supplier"], line["gtin"], line["name"] or "", line["quantity"], pack, line["quantity"] // pack)])
    return out.getvalue()


def receive(fusion: Fusion, po_id: int, user: str, role: str, now: float, lines: dict[str, int] | None = None,
            from_dock: bool = False, close: bool = False) -> dict[str, Any]:
    """Record a delivery (by hand, or counted at the dock); the order closes once every line is in or on ``close``.

    Quantities are what arrived in total so far for each product (a count, so
    entering it twice does not double it); what is new enters stock at once
    (hub/inventory/receiving.py, one ``received`` adjustment per product).
    """
    db = fusion.db
    po = purchase_order(db, po_id)
    if po["state"] != "open":
        raise OrderError(f"purchase order {po_id} is {po['state']}: nothing more can be received")
    known = {line["gtin"]: line["received"] for line in po["lines"]}
    new: dict[str, int] = {}
    for gtin, quantity in (lines or {}).items():
        if gtin not in known:
            raise OrderError(f"lines: {gtin} is not on purchase order {po_id}", 422)
        if quantity < 0:
            raise OrderError(f"lines: received quantity for {gtin} cannot be negative", 422)
        if quantity < known[gtin]:
            raise OrderError(f"lines: {quantity} received in all for {gtin} is below the {known[gtin]} already "
                             "received; record a return to the supplier as an adjustment instead", 422)
        new[gtin] = quantity - known[gtin]
    try:
        receiving.receive(fusion, Actor(user, role), now, po_id,
                          receiving.Delivery(counted=new, from_dock=from_dock, close=close))
    except StockError as exc:
        raise OrderError(str(exc), 409 if exc.kind == "conflict" else 404 if exc.kind == "not_found" else 422) \
            from None
    return purchase_order(db, po_id)
