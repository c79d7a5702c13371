"""Stock over time: a ``stock_history`` row per change of a SKU's figures, written in the change's transaction.

Ingest calls :meth:`StockHistory.record` with the SKU views of a batch,
inside the transaction that stores the batch, so the history has every
change the inventory applied (the live event bus, which drops its oldest
events when a listener falls behind, is not in the way). The dashboard's
product chart reads the table (hub/web/data.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import sqlite_utils

from hub.inventory.view import SkuView

Figures = tuple[int | None, int | None, int | None, int | None]  # on hand, backroom, floor, shelf


class StockHistory:
    """Parameter: ``step_s``, shop seconds within which further changes of one SKU update its newest row rather
    than add one: at most one row per SKU per step however busy the shop, each row ending with the step's last
    figures."""

    def __init__(self, db: sqlite_utils.Database, step_s: float = 60.0) -> None:
        self.db = db
        self.step_s = step_s
        self._newest: dict[str, tuple[Figures, float, int]] = {}  # gtin -> (figures, time, rowid) of its newest row
        self.recorded = 0  # rows added since start

    def forget(self) -> None:
        """After a failed transaction: what was noted may not have been stored; read it again when needed."""
        self._newest.clear()

    def record(self, conn: sqlite3.Connection, views: Iterable[SkuView], now: float) -> None:
        """Note each SKU whose figures changed: a new row past the step, else its newest row updated.

        The caller holds the transaction.
        """
        updates = []
        for view in views:
            figures = view.stock()
            gtin = view.gtin
            last = self._newest.get(gtin) or self._read_newest(gtin)
            if last is not None and last[0] == figures:
                continue
            if last is not None and now - last[1] < self.step_s:
                updates.append((*figures, last[2]))
                self._newest[gtin] = (figures, last[1], last[2])
                continue
            cursor = conn.execute(
                "INSERT INTO stock_history (gtin, time, on_hand, backroom, floor, shelf) VALUES (?,?,?,?,?,?)",
                (gtin, now, *figures))
            self._newest[gtin] = (figures, now, cursor.lastrowid or 0)
            self.recorded += 1
        if updates:
            conn.executemany("UPDATE stock_history SET on_hand=?, backroom=?, floor=?, shelf=? WHERE rowid=?", updates)

    def _read_newest(self, gtin: str) -> tuple[Figures, float, int] | None:
        row = self.db.execute(
            "SELECT on_hand, backroom, floor, shelf, time, rowid FROM stock_history WHERE gtin=? "
            "ORDER BY time DESC LIMIT 1", (gtin,)).fetchone()
        if row is None:
            return None
        self._newest[gtin] = (tuple(row[:4]), row[4], row[5])  # type: ignore[assignment]
        return self._newest[gtin]
