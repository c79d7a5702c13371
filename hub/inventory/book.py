"""Book stock: what the shop should hold of a product by its own records, for the products no sensor counts.

On hand by the book = the last count + units received - units sold +/- other
adjustments since (docs/operations.md, "Book stock"). Every term but the
sales is a row of ``stock_adjustments``; the sales are the tills' lines. A
product's book starts at its first adjustment (a count or a delivery); before
that it has none. A sale whose time is before the book's start is already in
the count it starts from and is not taken again.

The figure is read from the database the first time a product is asked for
and then kept up to date in memory: an adjustment forgets it (it is read
again after the adjustment's transaction), a sale applied by ingest takes its
units off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sqlite_utils

from hub.inventory.states import SOURCE_CONFIDENCE


@dataclass(slots=True)
class BookEntry:
    """A product's book figure and the record it starts from."""

    units: int
    since: float  # when the count was made (or the first delivery/adjustment) the figure starts from
    basis: str  # the reason of that record: "count", or "received", "damage", ... when never counted


def book_confidence(half_life_days: float, age_s: float) -> float:
    """Full book confidence at the count, halving every ``half_life_days`` after it."""
    return round(SOURCE_CONFIDENCE["book"] * math.pow(0.5, max(age_s, 0.0) / (half_life_days * 86400)), 3)


class BookStock:
    """Book figures per GTIN, read lazily from the database and followed in memory."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._entries: dict[str, BookEntry | None] = {}

    def get(self, gtin: str) -> BookEntry | None:
        if gtin not in self._entries:
            self._entries[gtin] = read_entry(self.db, gtin)
        return self._entries[gtin]

    def sold(self, gtin: str, quantity: int, t: float) -> None:
        """A till line applied by ingest (negative: a return): the book follows if it has been read."""
        entry = self._entries.get(gtin)
        if entry is not None and t > entry.since:
            entry.units -= quantity

    def forget(self, gtin: str) -> None:
        """After an adjustment's transaction: the next read takes the figure from the database again."""
        self._entries.pop(gtin, None)

    def clear(self) -> None:
        self._entries.clear()


def read_entry(db: sqlite_utils.Database, gtin: str) -> BookEntry | None:
    """The book figure of ``gtin`` from the database alone (None: no count, delivery or adjustment yet)."""
    base = db.execute(
        "SELECT id, MIN(time, COALESCE(counted_at, time)), after, reason FROM stock_adjustments "
        "WHERE gtin = ? AND reason = 'count' ORDER BY id DESC LIMIT 1", (gtin,)).fetchone()
    if base is None:
        base = db.execute("SELECT id - 1, time, before, reason FROM stock_adjustments WHERE gtin = ? "
                          "ORDER BY id LIMIT 1", (gtin,)).fetchone()
        if base is None:
            return None
    base_id, since, units, basis = base
    moved = db.execute("SELECT COALESCE(SUM(delta), 0) FROM stock_adjustments WHERE gtin = ? AND id > ?",
                       (gtin, base_id)).fetchone()[0]
    sold = db.execute("SELECT COALESCE(SUM(quantity), 0) FROM sales WHERE gtin = ? AND time > ?",
                      (gtin, since)).fetchone()[0]
    return BookEntry(int(units) + int(moved) - int(sold), float(since), basis)
