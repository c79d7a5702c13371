"""A till lane that turns the world's payments into receipts.

The world marks each paid item with a ``paid`` change carrying the shopper as
``carrier``; every item one shopper pays at one instant is one receipt. The
till reads the tags it sells (``epcs`` on each line), as an RFID-equipped
till does, so the hub knows exactly which items left paid.
"""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from comptoir.contract import PosReceipt
from comptoir.link import MqttLink
from simulators.world import Change, World

log = logging.getLogger("comptoir.sim.pos")


@dataclass(slots=True)
class _Basket:
    time: datetime
    epcs: list[str] = field(default_factory=list)


class Till:
    """Collects the world's payments; :meth:`flush` publishes one receipt per paying shopper.

    ``read_tags``: put the sold items' EPCs on the receipt lines (a till with an RFID pad);
    off, the till only scans barcodes and the hub matches sales to tags by GTIN.
    """

    def __init__(self, world: World, link: MqttLink, *, lane: str = "till-1", read_tags: bool = True) -> None:
        self.world = world
        self.link = link
        self.lane = lane
        self.read_tags = read_tags
        self.receipts = 0
        self.units = 0
        self._pending: dict[str, _Basket] = {}
        self._numbers = itertools.count(1)
        self._unsubscribe = world.subscribe(self._on_change)

    def _on_change(self, change: Change) -> None:
        if change.kind != "paid" or change.after.carrier is None:
            return
        basket = self._pending.setdefault(change.after.carrier, _Basket(change.time))
        basket.epcs.append(change.epc)

    def receipt_fields(self, shopper: str, basket: _Basket) -> dict[str, object]:
        """The fields of one receipt: a line per GTIN, prices from the catalog, the event's own time."""
        by_gtin: dict[str, list[str]] = defaultdict(list)
        for epc in basket.epcs:
            by_gtin[self.world.items[epc].gtin].append(epc)
        lines = []
        total = 0
        for gtin, epcs in sorted(by_gtin.items()):
            cents = int(Decimal(str(self.world.by_gtin[gtin].price_eur)) * 100)
            total += cents * len(epcs)
            lines.append({
                "gtin": gtin,
                "quantity": len(epcs),
                "unit_price_cents": cents,
                "epcs": epcs if self.read_tags else [],
            })
        number = next(self._numbers)
        return {
            "lane": self.lane,
            "receipt_id": f"{self.lane}-{basket.time:%Y%m%d}-{number:05d}",
            "lines": lines,
            "total_cents": total,
            "time": basket.time,
        }

    def flush(self) -> int:
        """Publish every receipt completed so far (one outbox transaction); returns how many."""
        if not self._pending:
            return 0
        pending, self._pending = self._pending, {}
        fields = [self.receipt_fields(shopper, basket) for shopper, basket in pending.items()]
        self.link.emit_many(PosReceipt, fields)
        self.receipts += len(fields)
        self.units += sum(len(b.epcs) for b in pending.values())
        log.debug("receipts published", extra={"lane": self.lane, "count": len(fields)})
        return len(fields)

    def close(self) -> None:
        self._unsubscribe()
