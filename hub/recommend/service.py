"""Recommendations served at the kiosk: only products on the shelf now, each with its reason.

The co-occurrence and popularity models are rebuilt from the sales table
when new sales have arrived (checked at most every ``refresh_s`` seconds of
wall time), so a request costs dictionary look-ups and one stock read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from hub.inventory.facts import ProductFacts, StockReader
from hub.privacy.consent import has_consent
from hub.privacy.customers import purchases
from hub.recommend import baskets
from hub.recommend.cooccurrence import CoOccurrence, Popularity


@dataclass(frozen=True)
class Suggestion:
    kind: str  # together | buy_again | popular
    facts: ProductFacts
    together: int | None = None  # receipts holding both products (kind together)
    times_bought: int | None = None  # units the customer bought before (kind buy_again)


class Recommender:
    def __init__(self, db: sqlite_utils.Database, stock: StockReader, min_support: int = 2, refresh_s: float = 60.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.db = db
        self.stock = stock
        self.min_support = min_support
        self.refresh_s = refresh_s
        self.monotonic = monotonic
        self._checked = -float("inf")
        self._signature: tuple[int, int] | None = None
        self.model = CoOccurrence(min_support=min_support)
        self.popularity = Popularity()

    def refresh(self, force: bool = False) -> None:
        now = self.monotonic()
        if not force and now - self._checked < self.refresh_s:
            return
        self._checked = now
        signature = tuple(self.db.execute("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM sales").fetchone())
        if signature != self._signature or force:
            self._signature = signature
            found = [b.items for b in baskets.from_database(self.db)]
            self.model = CoOccurrence(min_support=self.min_support).fit(found)
            self.popularity = Popularity().fit(found)

    def for_product(self, gtin: str | None, now: float, customer: str | None = None, k: int = 5,
                    exclude: tuple[str, ...] = ()) -> tuple[list[Suggestion], bool]:
        """Up to ``k`` suggestions on the shelf now, and whether personal data was used (consent given)."""
        self.refresh()
        skip = {gtin, *exclude}
        wanted: list[tuple[str, str, int | None]] = []
        if gtin:
            for pairing in self.model.neighbours.get(gtin, ())[: 4 * k]:
                wanted.append(("together", pairing.gtin, pairing.together))
        personalised = bool(customer) and has_consent(self.db, customer or "")
        if personalised:
            for bought, units, _ in purchases(self.db, customer or "")[: 4 * k]:
                wanted.append(("buy_again", bought, units))
        for popular in self.popularity.top(k=4 * k):
            wanted.append(("popular", popular, None))
        facts = self.stock.facts(list(dict.fromkeys(g for _, g, _ in wanted if g not in skip)), now)
        chosen: list[Suggestion] = []
        seen: set[str] = set()
        for kind, candidate, figure in wanted:
            fact = facts.get(candidate)
            if candidate in skip or candidate in seen or fact is None or not fact.on_shelf:
                continue
            seen.add(candidate)
            chosen.append(Suggestion(kind, fact, together=figure if kind == "together" else None,
                                     times_bought=figure if kind == "buy_again" else None))
            if len(chosen) >= k:
                break
        return chosen, personalised
