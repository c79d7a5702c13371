"""Shared set-up of the markdown tests: a real hub database with dated dairy products and their lots (SQL, as the
lots helper's receiving is not needed to suggest a markdown)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tests.hub.support import reference_database

YOGHURT, CREAM, BREAD = "03000000000014", "03000000000021", "03000000000038"
#: Monday 2 March 2026, 10:00 in Paris
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC).timestamp()


def dated_database(directory: Path) -> Any:
    """The test catalog plus three dated products (cost prices set), opening hours 8:00-20:00 (the default)."""
    db = reference_database(directory)
    db.execute("INSERT INTO products (gtin, name, brand, category, price_cents, unit_weight_g, aisle, shelf, "
               "pack_size, supplier, lead_time_days, date_kind, cost_cents) VALUES "
               f"('{YOGHURT}', 'Yaourt nature x4', 'Ferme', 'dairy', 300, 500, 'F1', 'S1', 1, 'Ferme', 1, "
               "'use_by', 150), "
               f"('{CREAM}', 'Crème fraîche 20 cl', 'Ferme', 'dairy', 200, 200, 'F1', 'S2', 1, 'Ferme', 1, "
               "'best_before', 100), "
               f"('{BREAD}', 'Pain de mie', 'Four', 'bakery', 250, 500, 'B1', 'S1', 1, 'Four', 1, "
               "'best_before', NULL)")
    db.conn.commit()
    return db


def add_lot(db: Any, gtin: str, lot: str, expiry: date, units: int, date_kind: str = "use_by",
            received: float = NOW - 86400) -> int:
    cursor = db.execute("INSERT INTO lots (gtin, lot, expiry, date_kind, received, received_units, units) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)", [gtin, lot, expiry.isoformat(), date_kind, received,
                                                         units, units])
    db.conn.commit()
    return int(cursor.lastrowid)


def add_sales(db: Any, gtin: str, day_times: list[tuple[float, int, int]]) -> None:
    """(time, quantity, unit price in cents) till lines."""
    db.conn.executemany("INSERT INTO sales (lane, receipt_id, time, gtin, quantity, unit_price_cents, tagged) "
                        "VALUES ('1', ?, ?, ?, ?, ?, 0)",
                        [(f"r{i}", t, gtin, q, p) for i, (t, q, p) in enumerate(day_times)])
    db.conn.commit()
