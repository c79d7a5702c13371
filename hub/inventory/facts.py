"""Product facts, read from the hub: catalog row plus the fused shelf figure and its time.

For the kiosk and the recommendations alike (both read them here, neither
through the other).

Only product-level figures leave this module: how many units are on the
sales floor and when that was counted; never tags, devices or item rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils

from comptoir.catalog_csv import LABEL_COLUMNS
from hub.inventory.fusion import Fusion
from hub.inventory.labels import canonical, states

_COLUMNS = ("gtin, name, brand, category, price_cents, unit_weight_g, aisle, shelf, pack_size, "
            + ", ".join(LABEL_COLUMNS) + ", allergens")
_BASIC = 9  # the columns before the labels


@dataclass(frozen=True)
class ProductFacts:
    gtin: str
    name: str
    brand: str
    category: str
    price_cents: int
    unit_weight_g: float
    aisle: str
    shelf: str
    pack_size: int
    on_shelf: int | None  # units on the sales floor; None when no sensor has reported
    in_backroom: bool  # some units in the stockroom (said as such, never counted to the customer)
    updated_at: float | None  # UNIX time of the figure on_shelf comes from
    labels: tuple[str, ...] = ()  # label columns the catalog states as yes ("organic", "gluten_free", ...)
    allergens: str | None = None  # the catalog's allergens cell: ';'-separated, '' for none, None when not stated
    book: bool = False  # on_shelf is the book stock (no sensor counts it), since ``updated_at``: the last count

    def states(self, name: str) -> bool:
        """The catalog states property ``name`` (a label, or ``allergen:<name>`` for "free of")."""
        return states({label: 1 for label in self.labels}, self.allergens, name)

    @property
    def price_eur(self) -> float:
        return self.price_cents / 100


class StockReader:
    """Reads product facts from the database and the hub's live fusion state."""

    def __init__(self, db: sqlite_utils.Database, fusion: Fusion) -> None:
        self.db = db
        self.fusion = fusion

    def facts(self, gtins: list[str], now: float) -> dict[str, ProductFacts]:
        if not gtins:
            return {}
        marks = ",".join("?" * len(gtins))
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM products WHERE gtin IN ({marks})", gtins).fetchall()
        return {row[0]: self._facts(row, now) for row in rows}

    def _facts(self, row: tuple[Any, ...], now: float) -> ProductFacts:
        view = self.fusion.sku(row[0], now).as_json()
        floor = view["floor"]["units"]
        ages = [a for a in (view["floor"]["age_s"], view["shelf"]["age_s"]) if a is not None]
        backroom = view["backroom"]["units"]
        labels = tuple(c for c, v in zip(LABEL_COLUMNS, row[_BASIC:_BASIC + len(LABEL_COLUMNS)], strict=True) if v == 1)
        if floor is None and view["on_hand_source"] == "book":
            # no sensor sees it: the shop's own records are all there is, and the kiosk says so
            return ProductFacts(*row[:_BASIC], on_shelf=view["on_hand"], in_backroom=False,
                                updated_at=view["book"]["since"], labels=labels, allergens=row[-1], book=True)
        return ProductFacts(*row[:_BASIC], on_shelf=floor, in_backroom=bool(backroom),
                            updated_at=(now - min(ages)) if ages and floor is not None else None,
                            labels=labels, allergens=row[-1])

    def stating(self, name: str) -> set[str]:
        """GTINs whose catalog row states property ``name`` (a label column, or ``allergen:<x>``: free of x)."""
        name = canonical(name)
        if name.startswith("allergen:"):
            allergen = name.split(":", 1)[1]
            rows = self.db.execute("SELECT gtin FROM products WHERE allergens IS NOT NULL AND "
                                   "instr(';' || allergens || ';', ?) = 0", [f";{allergen};"])
        elif name in LABEL_COLUMNS:
            rows = self.db.execute(f"SELECT gtin FROM products WHERE {name} = 1")  # a known column name, not input
        else:
            return set()
        return {row[0] for row in rows}

    def category_members(self, category: str, exclude: str) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT gtin FROM products WHERE category = ? AND gtin != ?",
                                              [category, exclude])]
