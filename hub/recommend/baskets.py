"""Baskets (the products of one receipt), from the hub's sales or from a CSV file."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils


@dataclass
class Basket:
    basket_id: str
    items: list[str] = field(default_factory=list)  # distinct products, in receipt order
    customer_id: str | None = None
    ts: str | None = None


class BasketFileError(ValueError):
    """The basket CSV is malformed; the message names the file, line and column."""


def from_database(db: sqlite_utils.Database, since: float | None = None) -> list[Basket]:
    """Every receipt's sold products (returns left out), oldest first."""
    sql = ("SELECT lane, receipt_id, gtin, MIN(time) FROM sales WHERE quantity > 0"
           + (" AND time >= ?" if since is not None else "")
           + " GROUP BY lane, receipt_id, gtin ORDER BY MIN(time), lane, receipt_id, MIN(id)")
    baskets: dict[tuple[str, str], Basket] = {}
    for lane, receipt, gtin, _ in db.execute(sql, [since] if since is not None else []):
        basket = baskets.setdefault((lane, receipt), Basket(f"{lane}/{receipt}"))
        basket.items.append(gtin)
    return list(baskets.values())


def from_csv(path: Path) -> list[Basket]:
    """Read ``basket_id,product_id[,customer_id,ts]``; one row per product in a basket."""
    try:
        handle = open(path, newline="", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise BasketFileError(f"{path}: {exc.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        for needed in ("basket_id", "product_id"):
            if needed not in columns:
                raise BasketFileError(f"{path}: missing column {needed!r} (columns: {', '.join(columns) or 'none'})")
        baskets: dict[str, Basket] = {}
        for line, row in enumerate(reader, start=2):
            basket_id = (row.get("basket_id") or "").strip()
            product = (row.get("product_id") or "").strip()
            if not basket_id or not product:
                raise BasketFileError(f"{path}:{line}: empty basket_id or product_id")
            basket = baskets.setdefault(basket_id, Basket(basket_id))
            customer = (row.get("customer_id") or "").strip() or None
            stamp = (row.get("ts") or "").strip() or None
            if customer:
                if basket.customer_id not in (None, customer):
                    raise BasketFileError(f"{path}:{line}: basket {basket_id} has two customers")
                basket.customer_id = customer
            if stamp:
                basket.ts = stamp
            if product not in basket.items:
                basket.items.append(product)
    return list(baskets.values())
