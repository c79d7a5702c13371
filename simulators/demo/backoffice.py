"""The demo's back office: staff recording the untagged products' life in the hub as it happens.

Sales of untagged products go out on the till's link as receipts (barcode
only, no tags); deliveries, counts and noticed breakages go to the hub's
staff API (simulators/score/untagged.py says what is recorded and what is not).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from comptoir.clock import Clock
from comptoir.contract import PosReceipt
from comptoir.link import MqttLink
from simulators.score import HubClient, HubError
from simulators.score.untagged import BackOffice
from simulators.world import World

log = logging.getLogger("comptoir.demo")

class HttpDesk:
    """The back office's way to the hub: the till's MQTT link for sales, the staff API over HTTP for the rest."""

    def __init__(self, world: World, client: HubClient, link: MqttLink, lane: str) -> None:
        self.prices = {p.gtin14: int(Decimal(str(p.price_eur)) * 100) for p in world.untagged.products}
        self.client = client
        self.link = link
        self.lane = lane
        self._numbers = itertools.count(1)

    async def sell(self, gtin: str, quantity: int, when: datetime) -> None:
        price = self.prices[gtin]
        self.link.emit_many(PosReceipt, [{
            "lane": self.lane, "receipt_id": f"{self.lane}-loose-{when:%Y%m%d}-{next(self._numbers):05d}",
            "lines": [{"gtin": gtin, "quantity": quantity, "unit_price_cents": price, "epcs": []}],
            "total_cents": price * quantity, "time": when}])

    async def post(self, path: str, body: dict[str, Any], when: datetime) -> Any:
        return await asyncio.to_thread(self.client.post, path, body)  # the hub's clock is the world's, near enough


async def run_back_office(office: BackOffice, clock: Clock, every_s: float = 5.0) -> None:
    """Record what happened every ``every_s`` of clock time, until cancelled; a refusal is said and skipped."""
    while True:
        try:
            await office.drain()
        except HubError as exc:
            if " HTTP 4" in str(exc):
                log.warning("back office refused", extra={"why": str(exc)[:300]})
                office.skip(str(exc))
            else:  # the hub is away (a fault): the same event is tried again next time
                log.info("back office waits for the hub", extra={"why": str(exc)[:200]})
        await clock.sleep(every_s)
