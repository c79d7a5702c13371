"""The untagged products in the score: the back office that records their life in the hub, and their accuracy.

:class:`BackOffice` is the shop's staff for the products no sensor sees: a
sale goes through the till, a breakage they notice becomes a ``damage``
adjustment, an order is placed and its delivery received against it (short
deliveries as counted), and a cycle count is entered and accepted, all
through the hub's API (docs/operations.md). Thefts and unnoticed breakages
are not recorded: the book drifts until the next count.

:class:`UntaggedAccuracy` is ``untagged_inventory_accuracy``: the share of
(sample, untagged product) pairs whose ``on_hand`` in the hub equals the
units really in the shop at some moment of the last ``latency_s``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import Any, Protocol

from simulators.world.untagged import StockEvent, UntaggedStock


class StockDesk(Protocol):
    """How the back office reaches the hub: a till for sales, the staff API for the rest."""

    async def sell(self, gtin: str, quantity: int, when: datetime) -> None: ...

    async def post(self, path: str, body: dict[str, Any], when: datetime) -> Any:
        """``when``: the world's time of the event (a desk on the hub's own clock may ignore it)."""


class BackOffice:
    """Turns the untagged products' events into what staff do in the hub, in order, when :meth:`drain` runs."""

    def __init__(self, stock: UntaggedStock, desk: StockDesk) -> None:
        self.stock = stock
        self.desk = desk
        self.pending: deque[StockEvent] = deque()
        self.orders: dict[int, int] = {}  # the world's order -> the hub's purchase order
        self.done: dict[str, int] = {}
        self.refusals: list[str] = []
        self._unsubscribe = stock.subscribe(self.pending.append)

    def close(self) -> None:
        self._unsubscribe()

    async def drain(self) -> None:
        while self.pending:
            event = self.pending[0]
            await self.handle(event)
            self.pending.popleft()
            key = event.kind if event.recorded else f"{event.kind}_unrecorded"
            self.done[key] = self.done.get(key, 0) + 1

    def skip(self, why: str) -> None:
        """The hub refused the first pending event (a 4xx): it is left out, and counted as refused."""
        if self.pending:
            self.pending.popleft()
            self.done["refused"] = self.done.get("refused", 0) + 1
            self.refusals.append(why[:300])

    async def handle(self, e: StockEvent) -> None:
        def post(path: str, body: dict[str, Any]) -> Awaitable[Any]:
            return self.desk.post(path, body, e.time)

        if e.kind == "sold":
            for gtin, quantity in e.lines.items():
                await self.desk.sell(gtin, quantity, e.time)
        elif e.kind == "damaged" and e.recorded:
            await post("/api/stock/adjustments", {"lines": [
                {"gtin": g, "reason": "damage", "quantity": n, "note": "broken on the shelf"}
                for g, n in e.lines.items()]})
        elif e.kind == "ordered":
            order = await post("/api/stock/orders", {"supplier": e.supplier, "lines": [
                {"gtin": g, "quantity": n} for g, n in e.lines.items()]})
            self.orders[e.ref] = order["po_id"]
        elif e.kind == "delivered" and e.ref in self.orders:
            await post("/api/stock/deliveries", {"po_id": self.orders.pop(e.ref), "close": True, "lines": [
                {"gtin": g, "quantity": n} for g, n in e.lines.items()]})
        elif e.kind == "count" and e.lines:
            count = await post("/api/stock/counts", {"scope": "category" if e.scope else "all",
                                                     "scope_value": e.scope})
            await post(f"/api/stock/counts/{count['id']}/entries", {"entries": [
                {"gtin": g, "counted": n} for g, n in e.lines.items()]})
            await post(f"/api/stock/counts/{count['id']}/accept", {})


class UntaggedAccuracy:
    """Samples the hub's figures of the untagged products against their truth."""

    def __init__(self, stock: UntaggedStock, latency_s: float = 60.0) -> None:
        self.stock = stock
        self.latency_s = latency_s
        self.right = 0
        self.total = 0
        self.wrong: list[dict[str, Any]] = []
        self._units = dict(stock.units)
        self._former: deque[tuple[datetime, str, int]] = deque()
        self._unsubscribe = stock.subscribe(self._on_event)

    def close(self) -> None:
        self._unsubscribe()

    def _on_event(self, event: StockEvent) -> None:
        for gtin in event.lines:
            if self._units.get(gtin) != self.stock.units[gtin]:
                self._former.append((event.time, gtin, self._units[gtin]))
                self._units[gtin] = self.stock.units[gtin]

    def values_within(self, now: datetime, window_s: float) -> dict[str, set[int]]:
        """Per product, every value its units took in the last ``window_s`` (the current one included)."""
        horizon = now - timedelta(seconds=window_s)
        while self._former and self._former[0][0] < horizon:
            self._former.popleft()
        values = {g: {n} for g, n in self._units.items()}
        for _, gtin, units in self._former:
            values[gtin].add(units)
        return values

    def sample(self, inventory: dict[str, dict[str, Any]], now: datetime, since: datetime | None = None) -> None:
        """Compare the hub's rows (GTIN -> ``/api/inventory`` row) with the truth; ``since``: when they were read."""
        window = self.latency_s + (max(0.0, (now - since).total_seconds()) if since is not None else 0.0)
        truth = self.values_within(now, window)
        for gtin, values in truth.items():
            row = inventory.get(gtin)
            self.total += 1
            if row is not None and row["on_hand"] in values:
                self.right += 1
            elif len(self.wrong) < 50:
                self.wrong.append({"time": now.isoformat(), "gtin": gtin, "truth": sorted(values),
                                   "hub": None if row is None else row["on_hand"]})

    def accuracy(self) -> float | None:
        return round(self.right / self.total, 4) if self.total else None
