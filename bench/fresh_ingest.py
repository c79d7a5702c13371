"""Till receipts through ingest, with dated products kept by lot: lines per second (issue 21's lots).

Receipts of 3 lines (one of a dated product with open lots, two of plain products) go to
``Ingest.handle_batch`` in batches of 100, in process, on a real SQLite file: contract validation, dedup,
fusion, lot assignment (FEFO), alert rules and one commit per batch. Run the same script on a tree without
lots (before issue 21) for the ratio; the figures are in docs/fresh.md.

    python bench/fresh_ingest.py [--receipts 20000] [--products 300] [--dated 100]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from comptoir.clock import ManualClock
from comptoir.contract import PosReceipt
from comptoir.contract.fields import gtin_check_digit
from hub.catalog import import_products
from hub.config import FusionSettings
from hub.ingest import Ingest
from hub.store import open_database

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def gtin(n: int) -> str:
    body = f"0376100{n:06d}"
    return body + str(gtin_check_digit(body))


def shop(directory: Path, products: int, dated: int) -> Ingest:
    db = open_database(directory / "hub.sqlite")
    lines = ["gtin,name,brand,category,price_eur,unit_weight_g,aisle,shelf,pack_size,supplier,lead_time_days"]
    lines += [f"{gtin(i)},Produit {i},M,dairy,1.50,100,A1,S1,1,F,1" for i in range(products)]
    (directory / "catalog.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_products(db, directory / "catalog.csv")
    has_lots = "lots" in db.table_names()
    if has_lots:
        with db.conn:
            for i in range(dated):
                db.conn.execute("UPDATE products SET date_kind = 'use_by' WHERE gtin = ?", (gtin(i),))
                for k in range(3):
                    db.conn.execute("INSERT INTO lots (gtin, lot, expiry, date_kind, received, received_units, "
                                    "units) VALUES (?,?,?,?,?,?,?)",
                                    (gtin(i), f"L{k}", f"2026-01-{10 + k}", "use_by", 0, 10**6, 10**6))
    return Ingest(db, ManualClock(START), FusionSettings(), store="bench")


def receipts(count: int, products: int, dated: int) -> list[PosReceipt]:
    out = []
    for r in range(count):
        lines = [{"gtin": gtin(r % dated), "quantity": 1, "unit_price_cents": 150},
                 {"gtin": gtin(dated + r % (products - dated)), "quantity": 2, "unit_price_cents": 150},
                 {"gtin": gtin(dated + (r * 7) % (products - dated)), "quantity": 1, "unit_price_cents": 150}]
        out.append(PosReceipt.create(device="lane-1", seq=r + 1, time=START - timedelta(seconds=count - r),
                                     lane="lane-1", receipt_id=f"r{r}", total_cents=600, lines=lines))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=20_000)
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--dated", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ingest = shop(Path(tmp), args.products, args.dated)
        messages = receipts(args.receipts, args.products, args.dated)
        began = time.perf_counter()
        for i in range(0, len(messages), 100):
            ingest.handle_batch(messages[i:i + 100])
        took = time.perf_counter() - began
        stored = ingest.db.execute("SELECT COUNT(*) FROM sales").fetchone()[0]
        with_lot = ingest.db.execute("SELECT COUNT(*) FROM sales WHERE lot_id IS NOT NULL").fetchone()[0] \
            if "lot_id" in {c.name for c in ingest.db["sales"].columns} else 0
    print(f"{stored} sale lines ({with_lot} given a lot) in {took:.2f} s: {stored / took:,.0f} lines/s")


if __name__ == "__main__":
    main()
