"""The facade ingest drives: apply a batch's messages, write what changed, answer per-SKU figures.

The rules are written down in docs/fusion.md and live in the files beside
this one; :class:`Fusion` only routes messages to them and holds them
together. State is kept in memory (loaded from the database at start) and
the changed rows are written back in the batch's transaction by
:meth:`Fusion.write`.
"""

from __future__ import annotations

import sqlite_utils

from comptoir.contract import (
    GatePassage,
    Message,
    PosReceipt,
    ScaleWeight,
    ShelfCounts,
    ZoneEvent,
    ZoneEvents,
    ZoneSnapshot,
)
from hub.fresh.lots import LotBook
from hub.inventory import reorder, store
from hub.inventory.book import BookStock
from hub.inventory.claims import ReaderClaims
from hub.inventory.items import ItemBook
from hub.inventory.records import BatchChanges, Claim, Item, Product, ScaleReading, SlotReading, ZoneCount
from hub.inventory.reference import Reference
from hub.inventory.reorder import ReorderModel, ReorderPoint
from hub.inventory.sales import Credits, Sales
from hub.inventory.settings import FusionSettings
from hub.inventory.shelf import ShelfReadings
from hub.inventory.states import ItemState
from hub.inventory.view import SkuView, sku_view
from hub.timeutil import ts


class Fusion:
    """The hub's picture of the shop, fed message by message."""

    def __init__(self, db: sqlite_utils.Database, settings: FusionSettings, reorder_model: ReorderModel | None = None,
                 ) -> None:
        self.db = db
        self.settings = settings
        self.reorder_model = reorder_model or ReorderModel()
        self.reference = Reference(db)
        self.book = ItemBook()
        self.credits = Credits(settings)
        self.sales = Sales(self.book, self.credits)
        self.claims = ReaderClaims(self.book, self.reference, self.credits, settings)
        self.shelf = ShelfReadings(self.reference)
        self.stock_book = BookStock(db)
        self.lots = LotBook(db)  # which dates the units carry, for dated products (hub/fresh/lots.py)
        self.load()

    # -- what other parts read ----------------------------------------------------------
    @property
    def items(self) -> dict[str, Item]:
        return self.book.items

    @property
    def rfid(self) -> dict[str | None, dict[ItemState, int]]:
        """GTIN -> item state -> tagged items."""
        return self.book.counts

    @property
    def rivals(self) -> dict[str, dict[str, Claim]]:
        return self.claims.rivals

    @property
    def products(self) -> dict[str, Product]:
        return self.reference.products

    @property
    def slots(self) -> dict[str, dict]:
        return self.reference.slots

    @property
    def slots_by_gtin(self) -> dict[str, list[str]]:
        return self.reference.slots_by_gtin

    @property
    def zones(self) -> dict[str, str]:
        return self.reference.zones

    @property
    def slot_readings(self) -> dict[str, SlotReading]:
        return self.shelf.slot_readings

    @property
    def scale_readings(self) -> dict[str, ScaleReading]:
        return self.shelf.scale_readings

    # -- loading ---------------------------------------------------------------------
    def load(self) -> None:
        self.load_reference()
        self.book.clear()
        self.claims.rivals.clear()
        self.credits.clear()
        self.stock_book.clear()
        self.lots.clear()
        store.load(self.db, self.book, self.claims, self.shelf, self.credits)

    def load_reference(self) -> None:
        """(Re)read products, planogram and zones, which `comptoir hub import-*` may change."""
        self.reference.load()
        self.sales.rates.clear()
        self.lots.clear()  # lots may have changed with it (another process received or wasted)

    # -- applying messages ---------------------------------------------------------------
    def apply(self, message: Message, changes: BatchChanges) -> None:
        if isinstance(message, ZoneEvents):
            zone_event = self.claims.zone_event
            for event in message.events:
                zone_event(message.device, event, ts(event.time), changes)
        elif isinstance(message, ZoneEvent):
            self.claims.zone_event(message.device, message, ts(message.time), changes)
        elif isinstance(message, GatePassage):
            self.claims.gate(message, changes)
        elif isinstance(message, PosReceipt):
            self.sales.receipt(message, changes)
            t = ts(message.time)
            for line in message.lines:
                self.stock_book.sold(line.gtin, line.quantity, t)
        elif isinstance(message, ShelfCounts):
            self.shelf.camera(message, changes)
        elif isinstance(message, ScaleWeight):
            self.shelf.scale(message, changes)
        elif isinstance(message, ZoneSnapshot):
            t = ts(message.time)
            for zone, counts in message.zones.items():
                for gtin, count in counts.items():
                    changes.snapshots.append(ZoneCount(message.device, zone, gtin, count, t))

    def device_unavailable(self, device: str, t: float, changes: BatchChanges) -> None:
        """A device said down by its status at ``t``: a scale's count is unknown until it weighs again."""
        self.shelf.scale_down(device, t, changes)

    def settle_exit(self, epc: str, t: float, changes: BatchChanges) -> bool:
        """At the end of an unpaid exit's grace: is the item settled (paid, back, or paid by a sale since)?"""
        return self.sales.settle_exit(epc, t, changes)

    # -- writing -------------------------------------------------------------------------
    def write(self, changes: BatchChanges) -> None:
        """Write what a batch changed; the caller holds the transaction."""
        lot_ids = (self.lots.take_sales(self.db.conn, changes.sales, max(s.time for s in changes.sales))
                   if changes.sales else None)
        store.write(self.db.conn, changes, self.claims, self.shelf, self.credits, lot_ids)

    def forget_pending(self) -> None:
        """After a failed transaction: reload, so memory matches the database again."""
        self.load()

    # -- per-SKU figures -------------------------------------------------------------------
    def sku(self, gtin: str, now: float) -> SkuView:
        """Every figure the hub has for one SKU, each with its source, age and confidence."""
        return sku_view(gtin, now, self.settings, self.reference, self.book, self.shelf, self.credits,
                        self.stock_book.get(gtin))

    def figure(self, gtin: str, now: float) -> int | None:
        """The hub's figure of a product now, the one an adjustment starts from: sensors', else the book's."""
        return self.sku(gtin, now).on_hand

    def daily_rate(self, gtin: str, now: float) -> float:
        """Units of ``gtin`` sold per day over the reorder model's window (cached until its next sale)."""
        rate = self.sales.rates.get(gtin)
        if rate is None:
            days = self.reorder_model.rate_window_days
            rate = max(0.0, store.units_sold_since(self.db, gtin, now - days * 86400) / days)
            self.sales.rates[gtin] = rate
        return rate

    def reorder_point(self, gtin: str, now: float) -> ReorderPoint:
        return reorder.point(self.reorder_model, self.products.get(gtin), lambda: self.daily_rate(gtin, now))
