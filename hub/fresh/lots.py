"""Lots: the dated batches of a product the shop holds, each with its date and units (docs/fresh.md).

A lot is one (GTIN, lot code, date) received; ``lots.units`` is what the shop holds of it by its own records:
+ received, - sold, - wasted, = counted. The product's book stock (hub/inventory/book.py) stays the sum the
rest of the hub reads; this table sits beside it and says *which dates* those units carry. A tagged item's
lot follows its EPC (``lot_tags``), and its sale takes it off that lot.

A till that reads no lot (a plain EAN scan) sells from the open lot that expires first (FEFO): that is an
assumption, stated in docs/architecture.md, corrected by a count by lot. When the till reads a 2D code (a
markdown label, a DataMatrix) the line names its lot and date and that lot is taken.

The open lots of a GTIN are read from the database the first time ingest needs them and then followed in
memory, so a receipt costs dictionary work; the changed lots are written in the batch's transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlite_utils

from hub.inventory.adjustments import StockError
from hub.inventory.records import SaleLine

DATE_KINDS = ("use_by", "best_before")
MAX_LOT = 20  # GS1 AI 10: up to 20 characters


class LotError(StockError):
    """A lot action that cannot be accepted; ``field`` names what is wrong (see StockError's kinds)."""


@dataclass(slots=True)
class OpenLot:
    """A lot with units in the shop, as ingest follows it."""

    id: int
    gtin: str
    lot: str
    expiry: str  # YYYY-MM-DD
    units: int


def check_lot_code(lot: str | None, where: str) -> str:
    """A lot code as stored: '' for none, else printable text of at most 20 characters (GS1 AI 10)."""
    text = (lot or "").strip()
    if len(text) > MAX_LOT:
        raise LotError(where, f"a lot code has at most {MAX_LOT} characters (got {len(text)})")
    if any(not c.isprintable() for c in text):
        raise LotError(where, "a lot code holds printable characters only")
    return text


class LotBook:
    """Open lots per GTIN, read lazily and kept in step with the sales ingest writes."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._open: dict[str, list[OpenLot]] = {}
        self._dirty: dict[int, OpenLot] = {}

    def open_lots(self, gtin: str) -> list[OpenLot]:
        """The GTIN's open lots, first to expire first (then first received)."""
        lots = self._open.get(gtin)
        if lots is None:
            lots = self._open[gtin] = [OpenLot(*row) for row in self.db.execute(
                "SELECT id, gtin, lot, expiry, units FROM lots WHERE gtin = ? AND closed IS NULL "
                "ORDER BY expiry, id", (gtin,))]
        return lots

    def forget(self, gtin: str) -> None:
        """After a staff action on lots (receiving, waste, a count): read the GTIN's lots again when needed."""
        self._open.pop(gtin, None)

    def clear(self) -> None:
        self._open.clear()
        self._dirty.clear()

    def take_sales(self, conn: sqlite3.Connection, sales: list[SaleLine], now: float) -> list[int | None]:
        """Take each sale line's units off its lot; the lot id of each line. The caller holds the transaction."""
        out: list[int | None] = []
        for line in sales:
            lots = self.open_lots(line.gtin)
            if not lots and line.lot is None and line.expiry is None:
                out.append(None)  # not a dated product (or none of it in stock by lot): nothing to follow
                continue
            out.append(self._sale(conn, line, lots))
        self._write(conn, now)
        return out

    def _sale(self, conn: sqlite3.Connection, line: SaleLine, lots: list[OpenLot]) -> int | None:
        named = self._named(conn, line, lots) if line.lot is not None or line.expiry is not None else None
        if line.quantity < 0:  # a return: back to the lot the till named, else not followed by lot
            if named is not None:
                self._move(named, -line.quantity, line.gtin)
                return named.id
            return None
        tagged = self._tagged(conn, line, lots)
        first: int | None = named.id if named else tagged[0] if tagged else None
        remaining = line.quantity - sum(1 for _ in tagged)
        if named is not None and remaining > 0:
            take = min(remaining, max(named.units, 0))
            self._move(named, -take, line.gtin)
            remaining -= take
        for lot in list(lots):  # FEFO for what the till did not name
            if remaining <= 0:
                break
            take = min(remaining, lot.units)
            if take > 0:
                first = lot.id if first is None else first
                self._move(lot, -take, line.gtin)
                remaining -= take
        if first is None and lots:
            first = lots[0].id
        return first

    def _tagged(self, conn: sqlite3.Connection, line: SaleLine, lots: list[OpenLot]) -> list[int]:
        """Lots of the line's tags read at the till (their date follows their EPC); each unit leaves its lot."""
        if not line.epcs or not lots:
            return []
        marks = ",".join("?" * len(line.epcs))
        found = [r[0] for r in conn.execute(f"SELECT lot_id FROM lot_tags WHERE epc IN ({marks})", line.epcs)]
        by_id = {lot.id: lot for lot in lots}
        for lot_id in found:
            if lot_id in by_id:
                self._move(by_id[lot_id], -1, line.gtin)
        return found

    def _named(self, conn: sqlite3.Connection, line: SaleLine, lots: list[OpenLot]) -> OpenLot | None:
        expiry = line.expiry.isoformat() if line.expiry else None
        for lot in lots:
            if (line.lot is None or lot.lot == line.lot) and (expiry is None or lot.expiry == expiry):
                return lot
        row = conn.execute("SELECT id, gtin, lot, expiry, units FROM lots WHERE gtin = ? AND (? IS NULL OR lot = ?) "
                           "AND (? IS NULL OR expiry = ?) ORDER BY id DESC LIMIT 1",
                           (line.gtin, line.lot, line.lot, expiry, expiry)).fetchone()
        if row is None:
            return None
        lot = OpenLot(*row)
        lots.append(lot)  # reopened by a return, or sold past a count that closed it: followed again
        lots.sort(key=lambda x: (x.expiry, x.id))
        return lot

    def _move(self, lot: OpenLot, delta: int, gtin: str) -> None:
        lot.units = max(lot.units + delta, 0)
        self._dirty[lot.id] = lot

    def _write(self, conn: sqlite3.Connection, now: float) -> None:
        if not self._dirty:
            return
        conn.executemany("UPDATE lots SET units = ?, closed = CASE WHEN ? = 0 THEN COALESCE(closed, ?) END "
                         "WHERE id = ?", [(lot.units, lot.units, now, lot.id) for lot in self._dirty.values()])
        for lot in self._dirty.values():
            if lot.units == 0:
                lots = self._open.get(lot.gtin)
                if lots is not None and lot in lots:
                    lots.remove(lot)
        self._dirty.clear()


# -- staff actions (receiving, waste, counts): the caller holds the transaction ---------------------------
def find_or_create(conn: sqlite3.Connection, gtin: str, lot: str, expiry: date, date_kind: str, now: float,
                   delivery_id: int | None = None) -> int:
    """The id of lot (gtin, lot, expiry), created when first received."""
    row = conn.execute("SELECT id FROM lots WHERE gtin = ? AND lot = ? AND expiry = ?",
                       (gtin, lot, expiry.isoformat())).fetchone()
    if row is not None:
        return int(row[0])
    return int(conn.execute(
        "INSERT INTO lots (gtin, lot, expiry, date_kind, received, delivery_id, received_units, units) "
        "VALUES (?,?,?,?,?,?,0,0)", (gtin, lot, expiry.isoformat(), date_kind, now, delivery_id)).lastrowid)


def receive_units(conn: sqlite3.Connection, lot_id: int, units: int) -> None:
    """Units of a lot come in: it is open again if it was closed."""
    conn.execute("UPDATE lots SET units = units + ?, received_units = received_units + ?, closed = NULL "
                 "WHERE id = ?", (units, units, lot_id))


def link_tags(conn: sqlite3.Connection, lot_id: int, epcs: list[str], now: float) -> None:
    """Tagged items of a lot: their date follows their EPC from now on."""
    conn.executemany("INSERT OR REPLACE INTO lot_tags (epc, lot_id, time) VALUES (?,?,?)",
                     [(epc, lot_id, now) for epc in epcs])


def take_units(conn: sqlite3.Connection, lot_id: int, units: int, now: float) -> None:
    """Units of a lot leave (waste): never below 0; the lot closes at 0."""
    conn.execute("UPDATE lots SET units = MAX(units - ?, 0) WHERE id = ?", (units, lot_id))
    conn.execute("UPDATE lots SET closed = ? WHERE id = ? AND units = 0 AND closed IS NULL", (now, lot_id))


def get_lot(db: sqlite_utils.Database, lot_id: int) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM lots WHERE id = ?", [lot_id]))
    if not rows:
        raise LotError("lot_id", f"no lot {lot_id}", "not_found")
    return rows[0]


def count_lot(db: sqlite_utils.Database, book: LotBook, lot_id: int, units: int, now: float) -> dict[str, Any]:
    """A count by lot: the lot holds ``units`` now (0 closes it; more reopens it)."""
    if not isinstance(units, int) or not 0 <= units <= 1_000_000:
        raise LotError("units", f"must be a whole number of units from 0 to 1000000 (got {units})")
    lot = get_lot(db, lot_id)
    with db.conn:
        db.conn.execute("UPDATE lots SET units = ?, closed = CASE WHEN ? = 0 THEN COALESCE(closed, ?) END "
                        "WHERE id = ?", (units, units, now, lot_id))
    book.forget(lot["gtin"])
    return get_lot(db, lot_id)


def open_lots(db: sqlite_utils.Database, gtin: str | None = None) -> list[dict[str, Any]]:
    """Open lots with their product, first to expire first."""
    sql = ("SELECT l.id, l.gtin, p.name, p.category, p.price_cents, p.cost_cents, l.lot, l.expiry, l.date_kind, "
           "l.units, l.received, l.received_units, l.delivery_id FROM lots l LEFT JOIN products p ON p.gtin = l.gtin "
           "WHERE l.closed IS NULL AND l.units > 0" + (" AND l.gtin = ?" if gtin else "") + " ORDER BY l.expiry, l.id")
    return list(db.query(sql, [gtin] if gtin else []))


def undated(db: sqlite_utils.Database, figure: Callable[[str], int | None]) -> list[dict[str, Any]]:
    """Dated products holding more units than their open lots account for: units to date (a delivery typed
    without dates, stock from before lots were kept). ``figure`` is the hub's figure of a product now."""
    held = dict(db.execute("SELECT gtin, SUM(units) FROM lots WHERE closed IS NULL GROUP BY gtin").fetchall())
    out = []
    for row in db.query("SELECT gtin, name, category, date_kind FROM products WHERE date_kind IS NOT NULL "
                        "ORDER BY name"):
        units = figure(row["gtin"]) or 0
        dated = int(held.get(row["gtin"]) or 0)
        if units > dated:
            out.append({**row, "units": units, "dated_units": dated, "undated_units": units - dated})
    return out
