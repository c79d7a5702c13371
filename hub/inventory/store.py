"""The inventory's SQL: reading its state at start, writing what a batch changed in the batch's transaction.

The state lives in memory so that a batch of thousands of events costs
dictionary updates; these functions are the only place that knows its
tables (``items``, ``item_claims``, ``slot_counts``, ``scale_counts``,
``snapshot_counts``, ``receipts``, ``sales``, ``paid_credits``).
"""

from __future__ import annotations

import sqlite3

import sqlite_utils

from hub.inventory.claims import ReaderClaims
from hub.inventory.items import ItemBook
from hub.inventory.records import BatchChanges, Claim, Credit, Item, ScaleReading, SlotReading
from hub.inventory.sales import Credits
from hub.inventory.shelf import ShelfReadings
from hub.inventory.states import ItemState

_NO_CLAIM = (None, None, None, None)


def load(db: sqlite_utils.Database, book: ItemBook, claims: ReaderClaims, shelf: ShelfReadings,
         credits: Credits) -> None:
    """Fill the (cleared) in-memory state from the database."""
    for epc, gtin, serial, state, zone, since, last_seen, paid, rssi, claimed, reader, antenna in db.execute(
        "SELECT epc, gtin, serial, state, zone, since, last_seen, paid, claim_rssi, claim_time, claim_reader, "
        "claim_antenna FROM items"
    ):
        claim = Claim(rssi, claimed, reader, antenna) if claimed is not None and reader is not None else None
        book.add_loaded(epc, Item(gtin, serial, ItemState(state), zone, since, last_seen, bool(paid), claim))
    for epc, zone, rssi, claimed, reader, antenna in db.execute(
        "SELECT epc, zone, rssi, time, reader, antenna FROM item_claims"
    ):
        claims.rivals.setdefault(epc, {})[zone] = Claim(rssi, claimed, reader, antenna)
    for slot, gtin, camera, state, facings, capacity, confidence, time in db.execute(
        "SELECT slot, gtin, camera, state, facings, capacity, confidence, time FROM slot_counts"
    ):
        shelf.add_loaded_slot(slot, SlotReading(gtin, state, facings, capacity, confidence, time, camera))
    for scale, slot, gtin, status, grams, units, stable, time in db.execute(
        "SELECT scale, slot, gtin, status, grams, units, stable, time FROM scale_counts"
    ):
        shelf.add_loaded_scale(scale, ScaleReading(slot, gtin, status, grams, units, bool(stable), time))
    for cid, gtin, remaining, time in db.execute(
        "SELECT id, gtin, remaining, time FROM paid_credits WHERE remaining > 0 ORDER BY id"
    ):
        credits.pending[gtin].append(Credit(cid, remaining, time))


def write(conn: sqlite3.Connection, changes: BatchChanges, claims: ReaderClaims, shelf: ShelfReadings,
          credits: Credits, lot_ids: list[int | None] | None = None) -> None:
    """Write what a batch changed; the caller holds the transaction. ``lot_ids``: each sale line's lot."""
    if changes.items:
        conn.executemany(
            "INSERT INTO items (epc, gtin, serial, state, zone, since, last_seen, paid, claim_rssi, claim_time, "
            "claim_reader, claim_antenna) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(epc) DO UPDATE SET gtin=excluded.gtin, state=excluded.state, zone=excluded.zone, "
            "since=excluded.since, last_seen=excluded.last_seen, paid=excluded.paid, "
            "claim_rssi=excluded.claim_rssi, claim_time=excluded.claim_time, "
            "claim_reader=excluded.claim_reader, claim_antenna=excluded.claim_antenna",
            [(e, i.gtin, i.serial, i.state.value, i.zone, i.since, i.last_seen, int(i.paid), *(i.claim or _NO_CLAIM))
             for e, i in changes.items.items()],
        )
    if changes.claims:
        rivals = claims.rivals
        conn.executemany("DELETE FROM item_claims WHERE epc = ?", [(e,) for e in changes.claims])
        conn.executemany(
            "INSERT INTO item_claims (epc, zone, rssi, time, reader, antenna) VALUES (?,?,?,?,?,?)",
            [(e, zone, *claim) for e in changes.claims for zone, claim in rivals.get(e, {}).items()],
        )
    if changes.slots:
        conn.executemany(
            "INSERT OR REPLACE INTO slot_counts (slot, gtin, camera, state, facings, capacity, confidence, time) "
            "VALUES (?,?,?,?,?,?,?,?)",
            [(s, r.gtin, r.camera, r.state, r.facings, r.capacity, r.confidence, r.time)
             for s in changes.slots for r in [shelf.slot_readings[s]]],
        )
    if changes.scales:
        conn.executemany(
            "INSERT OR REPLACE INTO scale_counts (scale, slot, gtin, status, grams, units, stable, time) "
            "VALUES (?,?,?,?,?,?,?,?)",
            [(d, r.slot, r.gtin, r.status, r.grams, r.units, int(r.stable), r.time)
             for d in changes.scales for r in [shelf.scale_readings[d]]],
        )
    if changes.snapshots:
        conn.executemany(
            "INSERT OR REPLACE INTO snapshot_counts (reader, zone, gtin, count, time) VALUES (?,?,?,?,?)",
            [(s.reader, s.zone, s.gtin, s.count, s.time) for s in changes.snapshots],
        )
    if changes.receipts:
        conn.executemany(
            "INSERT OR IGNORE INTO receipts (lane, receipt_id, msg_id, time, total_cents, currency) "
            "VALUES (?,?,?,?,?,?)",
            [(r.lane, r.receipt_id, r.msg_id, r.time, r.total_cents, r.currency) for r in changes.receipts],
        )
    if changes.sales:
        conn.executemany(
            "INSERT INTO sales (lane, receipt_id, time, gtin, quantity, unit_price_cents, tagged, lot_id) "
            "VALUES (?,?,?,?,?,?,?,?)",
            [(s.lane, s.receipt_id, s.time, s.gtin, s.quantity, s.unit_price_cents, s.tagged, lot)
             for s, lot in zip(changes.sales, lot_ids or [None] * len(changes.sales), strict=True)],
        )
    if credits.taken:
        conn.executemany("UPDATE paid_credits SET remaining=? WHERE id=?", [(r, i) for i, r in credits.taken.items()])
        credits.taken.clear()
    for gtin, credit in credits.new:
        cur = conn.execute("INSERT INTO paid_credits (gtin, remaining, time) VALUES (?,?,?)",
                           (gtin, credit.remaining, credit.time))
        credit.id = cur.lastrowid
    credits.new.clear()


def units_sold_since(db: sqlite_utils.Database, gtin: str, since: float) -> int:
    """Units of ``gtin`` the tills sold (net of returns) from ``since`` on."""
    return db.execute("SELECT COALESCE(SUM(quantity), 0) FROM sales WHERE gtin = ? AND time >= ?",
                      (gtin, since)).fetchone()[0]
