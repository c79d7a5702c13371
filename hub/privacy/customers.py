"""A loyalty customer's data: linking receipts to a card, export (art. 15 and 20) and erasure (art. 17).

What is personal here: the link between a loyalty id and receipts, and the
consent ledger. Sales themselves stay, anonymous, for stock and forecasting.
Erasure removes every row that names the customer; the record of the
request keeps only its kind, time, staff member and row count.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from hub.privacy.consent import check_customer, history
from hub.timeutil import iso


def link_receipt(db: sqlite_utils.Database, customer_id: str, lane: str, receipt_id: str, now: float) -> bool:
    """Attach a receipt to a loyalty card (the card was scanned at the till); False if the receipt is unknown."""
    check_customer(customer_id)
    row = db.execute("SELECT time FROM receipts WHERE lane = ? AND receipt_id = ?", [lane, receipt_id]).fetchone()
    if row is None:
        return False
    with db.conn:
        db.conn.execute("INSERT OR REPLACE INTO loyalty_receipts (lane, receipt_id, customer_id, time) "
                        "VALUES (?, ?, ?, ?)", (lane, receipt_id, customer_id, row[0]))
    return True


def purchases(db: sqlite_utils.Database, customer_id: str) -> list[tuple[str, int, float]]:
    """(gtin, units, last time) of what the customer bought, most recent first."""
    return [tuple(r) for r in db.execute(
        "SELECT s.gtin, SUM(s.quantity), MAX(s.time) FROM loyalty_receipts l JOIN sales s "
        "ON s.lane = l.lane AND s.receipt_id = l.receipt_id WHERE l.customer_id = ? AND s.quantity > 0 "
        "GROUP BY s.gtin ORDER BY MAX(s.time) DESC", [customer_id])]


def export(db: sqlite_utils.Database, customer_id: str) -> dict[str, Any]:
    """Everything held about the customer, as portable JSON."""
    check_customer(customer_id)
    receipts = []
    for lane, receipt_id, time in db.execute(
            "SELECT lane, receipt_id, time FROM loyalty_receipts WHERE customer_id = ? ORDER BY time", [customer_id]):
        lines = [{"gtin": g, "name": n, "quantity": q, "unit_price_eur": p / 100} for g, n, q, p in db.execute(
            "SELECT s.gtin, COALESCE(p.name, ''), s.quantity, s.unit_price_cents FROM sales s LEFT JOIN products p "
            "ON p.gtin = s.gtin WHERE s.lane = ? AND s.receipt_id = ? ORDER BY s.id", [lane, receipt_id])]
        receipts.append({"lane": lane, "receipt_id": receipt_id, "time": iso(time), "lines": lines})
    consents = [{"purpose": e.purpose, "action": e.action, "time": iso(e.time), "recorded_by": e.recorded_by}
                for e in history(db, customer_id)]
    return {"customer_id": customer_id, "consents": consents, "receipts": receipts}


def erase(db: sqlite_utils.Database, customer_id: str, now: float, handled_by: str) -> int:
    """Delete every row naming the customer; return how many were deleted."""
    check_customer(customer_id)
    with db.conn:
        removed = db.conn.execute("DELETE FROM loyalty_receipts WHERE customer_id = ?", [customer_id]).rowcount
        removed += db.conn.execute("DELETE FROM consent_ledger WHERE customer_id = ?", [customer_id]).rowcount
        db.conn.execute("INSERT INTO privacy_requests (kind, time, handled_by, rows) VALUES ('erasure', ?, ?, ?)",
                        (now, handled_by, removed))
    return removed


def note_export(db: sqlite_utils.Database, now: float, handled_by: str, rows: int) -> None:
    with db.conn:
        db.conn.execute("INSERT INTO privacy_requests (kind, time, handled_by, rows) VALUES ('export', ?, ?, ?)",
                        (now, handled_by, rows))


def customer_tables(db: sqlite_utils.Database) -> list[str]:
    """Tables with a ``customer_id`` column (the erasure test checks every one of them)."""
    return [t for t in db.table_names() if "customer_id" in db[t].columns_dict]
