"""A hub database of the demo shop for the kiosk tests: the world's catalog, its stock, its receipts.

Stock is written as the hub's own tables hold it (``items`` rows in the
states ingest gives them) from the store world's ground truth, so the hub's
fusion computes shelf figures exactly as it does in production. A few
products are set apart for the tests: one out of stock on the shelf but
with units in the stockroom, one sold out everywhere, one never observed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from hub import catalog
from hub.store import open_database
from simulators.world import World
from simulators.world.catalog import default_catalog_path
from simulators.world.items import Status
from tests.kiosk.world_baskets import Receipt

NOW = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Scenario:
    #: GTIN-14 -> role in the tests
    empty_shelf: str  # 0 on the shelf, some in the backroom
    sold_out: str  # 0 anywhere
    unobserved: str  # no figure at all


def _gtin_of(db: sqlite_utils.Database, name_start: str, brand: str | None = None) -> str:
    sql = "SELECT gtin FROM products WHERE name LIKE ?" + (" AND brand = ?" if brand else "") + " ORDER BY gtin"
    row = db.execute(sql, [name_start + "%", *([brand] if brand else [])]).fetchone()
    assert row, f"no product {name_start!r} in the demo catalog"
    return row[0]


def build_shop(
    path: Path, receipts: list[Receipt] | None = None, seed: int = 3, now: datetime = NOW
) -> tuple[sqlite_utils.Database, Scenario]:
    db = open_database(path)
    catalog.import_products(db, default_catalog_path())
    scenario = Scenario(
        empty_shelf=_gtin_of(db, "Farine de blé T45"),
        sold_out=_gtin_of(db, "Piles AAA"),
        unobserved=_gtin_of(db, "Champagne"),
    )
    world = World(seed=seed, movers=False)
    t = now.timestamp()
    rows = []
    for n, item in enumerate(sorted(world.items.values(), key=lambda i: i.epc)):
        gtin = item.gtin
        if gtin == scenario.unobserved:
            continue
        state = "floor" if item.where.status == Status.ON_SHELF else "backroom"
        if gtin == scenario.sold_out or (gtin == scenario.empty_shelf and state == "floor"):
            state = "sold"
        since = t - 60.0 * (5 + (n % 50))  # each product's figure is between 5 and 55 minutes old
        rows.append(
            (
                item.epc,
                gtin,
                str(item.serial),
                state,
                item.where.zone if state != "sold" else None,
                since,
                since,
                1 if state == "sold" else 0,
            )
        )
    with db.conn:
        db.conn.executemany(
            "INSERT INTO items (epc, gtin, serial, state, zone, since, last_seen, paid) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    if receipts:
        write_receipts(db, receipts, now)
    return db, scenario


def write_receipts(db: sqlite_utils.Database, receipts: list[Receipt], now: datetime) -> None:
    """Sales as ingest writes them from POS receipts (one lane), with the loyalty links for carded ones."""
    prices = {g: p for g, p in db.execute("SELECT gtin, price_cents FROM products")}
    start = now.timestamp() - 86400.0 * 3
    with db.conn:
        for i, r in enumerate(receipts):
            t = start + i * 30.0
            total = sum(prices[g] for g in r.items)
            db.conn.execute(
                "INSERT INTO receipts (lane, receipt_id, msg_id, time, total_cents, currency) "
                "VALUES ('lane-1', ?, ?, ?, ?, 'EUR')",
                (r.basket_id, f"m-{r.basket_id}", t, total),
            )
            db.conn.executemany(
                "INSERT INTO sales (lane, receipt_id, time, gtin, quantity, unit_price_cents, tagged) "
                "VALUES ('lane-1', ?, ?, ?, 1, ?, 1)",
                [(r.basket_id, t, g, prices[g]) for g in r.items],
            )
            if r.customer_id:
                db.conn.execute(
                    "INSERT INTO loyalty_receipts (lane, receipt_id, customer_id, time) VALUES ('lane-1', ?, ?, ?)",
                    (r.basket_id, r.customer_id, t),
                )
