"""Till receipts: sales and returns, and the paid credits that match units sold by GTIN to tags leaving the shop.

A receipt line that lists EPCs pays (or, negative, returns) those items
directly; its units without a tag read at the till become a *credit* of the
GTIN, taken by the next items of that GTIN that leave within
``paid_credit_hours`` (docs/fusion.md, "Paid without a tag read").
"""

from __future__ import annotations

from collections import defaultdict

from comptoir.contract import PosReceipt
from hub.inventory.items import ItemBook
from hub.inventory.records import BatchChanges, Credit, Receipt, SaleLine
from hub.inventory.settings import FusionSettings
from hub.inventory.states import ItemState
from hub.timeutil import ts


class Credits:
    """Units sold by GTIN and not yet matched to a tag, with what changed since the last write."""

    def __init__(self, settings: FusionSettings) -> None:
        self.settings = settings
        self.pending: dict[str, list[Credit]] = defaultdict(list)  # gtin -> credits, oldest first
        self.taken: dict[int, int] = {}  # stored credit id -> units remaining, to write
        self.new: list[tuple[str, Credit]] = []  # credits not stored yet, to write

    def clear(self) -> None:
        self.pending.clear()
        self.taken.clear()
        self.new.clear()

    def add(self, gtin: str, units: int, t: float, changes: BatchChanges) -> None:
        credit = Credit(None, units, t)
        self.pending[gtin].append(credit)
        self.new.append((gtin, credit))
        changes.credits_changed.add(gtin)

    def take(self, gtin: str, t: float, changes: BatchChanges) -> bool:
        """Match one unit sold by GTIN (no tag read at the till) to a tag leaving the shop at ``t``."""
        pending = self.pending.get(gtin)
        if not pending:
            return False
        horizon = self.settings.paid_credit_hours * 3600
        for credit in pending:
            if credit.remaining > 0 and abs(t - credit.time) <= horizon:
                credit.remaining -= 1
                if credit.id is not None:
                    self.taken[credit.id] = credit.remaining
                changes.credits_changed.add(gtin)
                return True
        return False

    def waiting(self, gtin: str, now: float) -> int:
        """Units sold by GTIN in the last ``paid_credit_hours`` whose tag has not left yet."""
        horizon = self.settings.paid_credit_hours * 3600
        return sum(c.remaining for c in self.pending.get(gtin) or [] if c.remaining > 0 and now - c.time <= horizon)


class Sales:
    """Applies receipts: the sale lines to store, the items they pay or take back, the credits they leave."""

    def __init__(self, book: ItemBook, credits: Credits) -> None:
        self.book = book
        self.credits = credits
        self.rates: dict[str, float] = {}  # gtin -> units sold per day (a cache the reorder point reads)

    def receipt(self, m: PosReceipt, changes: BatchChanges) -> None:
        t = ts(m.time)
        changes.receipts.append(Receipt(m.lane, m.receipt_id, m.msg_id, t, m.total_cents, m.currency))
        book = self.book
        for line in m.lines:
            changes.sales.append(SaleLine(m.lane, m.receipt_id, t, line.gtin, line.quantity, line.unit_price_cents,
                                          len(line.epcs), line.lot, line.expiry, tuple(line.epcs)))
            changes.gtins.add(line.gtin)
            self.rates.pop(line.gtin, None)
            for epc in line.epcs:
                item, _ = book.get(epc, line.gtin, None, t)
                if line.quantity >= 0:
                    item.paid = True
                    changes.back_in.add(epc)
                    book.set_state(epc, item, ItemState.SOLD, t, changes)
                else:  # a return: the item is back on the shop's side of the till
                    item.paid = False
                    book.set_state(epc, item, ItemState.FLOOR, t, changes)
            untagged = line.quantity - len(line.epcs)
            if line.quantity > 0 and untagged > 0:
                self.credits.add(line.gtin, untagged, t, changes)

    def settle_exit(self, epc: str, t: float, changes: BatchChanges) -> bool:
        """At the end of an unpaid exit's grace: is the item settled (paid, back, or paid by a sale since)?

        A sale by GTIN recorded during the grace (a receipt delayed upstream, after the passage) pays the
        item as it would have at the gate, with the exit's own time ``t``.
        """
        item = self.book.items.get(epc)
        if item is None or item.state != ItemState.LEFT or item.paid:
            return True
        if item.gtin and self.credits.take(item.gtin, t, changes):
            item.paid = True
            self.book.set_state(epc, item, ItemState.SOLD, item.since, changes)
            return True
        return False
