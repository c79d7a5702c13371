"""What the inventory slice reads: catalog rows, the fused view of a SKU with its reorder point, counts of
tagged items per zone and state, the latest RFID snapshot counts."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from hub.folding import fold
from hub.http.deps import HubState
from hub.http.params import like
from hub.timeutil import ts

PRODUCT_COLUMNS = ("gtin, name, brand, category, price_cents, unit_weight_g, aisle, shelf, pack_size, supplier, "
                   "lead_time_days, reorder_point")
_TEXT_MATCH = "(name LIKE ? ESCAPE '\\' OR brand LIKE ? ESCAPE '\\' OR category LIKE ? ESCAPE '\\')"
#: the staff search: accents and case folded on both sides ("cafe" finds "Café", "CAFÉ" finds "café")
_FOLDED_MATCH = ("(comptoir_fold(name) LIKE ? ESCAPE '\\' OR comptoir_fold(brand) LIKE ? ESCAPE '\\' "
                 "OR comptoir_fold(category) LIKE ? ESCAPE '\\')")


def _folding(db: sqlite_utils.Database) -> None:
    """Teach this connection ``comptoir_fold`` (cheap to repeat: SQLite replaces the function)."""
    db.conn.create_function("comptoir_fold", 1, fold, deterministic=True)


def matching_rows(db: sqlite_utils.Database, q: str | None, columns: str = PRODUCT_COLUMNS) -> list[dict[str, Any]]:
    """Catalog rows whose name, brand or category holds ``q`` (accents and case folded), by name."""
    if not q:
        return [dict(r) for r in db.query(f"SELECT {columns} FROM products ORDER BY name")]
    _folding(db)
    return [dict(r) for r in db.query(f"SELECT {columns} FROM products WHERE {_FOLDED_MATCH} ORDER BY name",
                                      [like(fold(q))] * 3)]


def product_rows(db: sqlite_utils.Database, q: str | None, category: str | None, limit: int,
                 offset: int) -> list[dict[str, Any]]:
    """Catalog rows whose name, brand or category contains ``q`` (accents and case folded), in ``category``,
    by name."""
    where, args = [], []
    if q:
        _folding(db)
        where.append(_FOLDED_MATCH)
        args += [like(fold(q))] * 3
    if category:
        where.append("category = ?")
        args.append(category)
    sql = (f"SELECT {PRODUCT_COLUMNS} FROM products" + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY name LIMIT ? OFFSET ?")
    return [dict(r) for r in db.query(sql, [*args, limit, offset])]


def product_row(db: sqlite_utils.Database, gtin: str) -> dict[str, Any] | None:
    return next(iter(db.query(f"SELECT {PRODUCT_COLUMNS} FROM products WHERE gtin = ?", [gtin])), None)


def sku_view(hub: HubState, gtin: str) -> dict[str, Any]:
    """The fused figures of one SKU now, with the reorder point alerts use and why."""
    now = ts(hub.clock.now())
    view = hub.ingest.fusion.sku(gtin, now).as_json()
    point, why = hub.ingest.fusion.reorder_point(gtin, now)
    view["reorder_point"], view["reorder_reason"] = point, why
    return view


def known_gtins(hub: HubState, q: str | None) -> list[str]:
    """SKUs whose name or brand contains ``q`` (accents and case folded); without ``q``, every SKU the catalog, a
    tag or a slot names."""
    if q:
        _folding(hub.db)
        return [r[0] for r in hub.db.execute(
            "SELECT gtin FROM products WHERE comptoir_fold(name) LIKE ? ESCAPE '\\' "
            "OR comptoir_fold(brand) LIKE ? ESCAPE '\\' ORDER BY gtin", (like(fold(q)), like(fold(q))))]
    fusion = hub.ingest.fusion
    return sorted(set(fusion.products) | {g for g in fusion.rfid if g} | set(fusion.slots_by_gtin))


def is_known(hub: HubState, gtin: str) -> bool:
    fusion = hub.ingest.fusion
    return gtin in fusion.products or gtin in fusion.rfid or gtin in fusion.slots_by_gtin


def items_by_zone(db: sqlite_utils.Database, gtin: str | None = None) -> dict[str, dict[str, int]]:
    """zone (``(none)`` for an item in no zone) -> state -> tagged items, of one SKU or of all."""
    zones: dict[str, dict[str, int]] = {}
    if gtin is None:
        rows = db.execute("SELECT COALESCE(zone, '(none)'), state, COUNT(*) FROM items GROUP BY zone, state "
                          "ORDER BY zone")
    else:
        rows = db.execute("SELECT COALESCE(zone, '(none)'), state, COUNT(*) FROM items WHERE gtin = ? "
                          "GROUP BY zone, state", (gtin,))
    for zone, state, count in rows:
        zones.setdefault(zone, {})[state] = count
    return zones


def snapshot_counts(db: sqlite_utils.Database, gtin: str) -> dict[str, dict[str, int]]:
    """reader -> zone -> count of ``gtin`` in that reader's latest RFID snapshot."""
    snapshots: dict[str, dict[str, int]] = {}
    for reader, zone, count in db.execute("SELECT reader, zone, count FROM snapshot_counts WHERE gtin = ?", (gtin,)):
        snapshots.setdefault(reader, {})[zone] = count
    return snapshots


_KIOSK_COLUMNS = "gtin, name, brand, category, price_cents, aisle, shelf"


def kiosk_rows(db: sqlite_utils.Database, words: list[str], limit: int) -> list[dict[str, Any]]:
    """Products with every one of ``words`` in their name, brand or category, by name."""
    where = " AND ".join([_TEXT_MATCH] * len(words))
    args = [a for w in words for a in (like(w),) * 3]
    return list(db.query(f"SELECT {_KIOSK_COLUMNS} FROM products WHERE {where} ORDER BY name LIMIT ?",
                         [*args, limit]))


def kiosk_row(db: sqlite_utils.Database, gtin: str) -> dict[str, Any] | None:
    return next(iter(db.query(f"SELECT {_KIOSK_COLUMNS} FROM products WHERE gtin = ?", [gtin])), None)
