"""An unpaid exit waits ``exit_grace_s`` for a till receipt that reaches the hub in a later batch (docs/fusion.md).

After a broker restart the till's outbox and the gate's outbox replay independently, so a receipt can reach the
hub after the passage of the item it paid. The hub runs here in-process on a manual clock, fed through mosquitto.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from comptoir.clock import ManualClock
from comptoir.contract import GatePassage, HubAlert, Message, PosReceipt, ZoneEvents
from comptoir.link import MqttLink
from hub.config import FusionSettings, HubConfig
from hub.service import HubService
from tests.conftest import BrokerHandle
from tests.hub.support import NUTELLA, STORE, epc, reference_database

T0 = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)
GRACE_S = 20.0


class Shop:
    """A hub on a manual clock, the shop's devices (reader, gate, till) and a listener on the hub's alerts."""

    def __init__(self, hub: HubService, clock: ManualClock, devices: dict[str, MqttLink], alerts: list[HubAlert]):
        self.hub, self.clock, self.devices, self.alerts = hub, clock, devices, alerts

    async def send(self, device: str, model: type[Message], **fields: object) -> None:
        """Publish through the device's link and wait until the hub has stored it (its own batch)."""
        stored = self.hub.ingest.stats.stored
        self.devices[device].emit(model, time=self.clock.now(), **fields)
        await until(lambda: self.hub.ingest.stats.stored > stored)

    def exit_alerts_ever(self) -> int:
        return self.hub.db.execute("SELECT COUNT(*) FROM alerts WHERE kind = 'unpaid_item_exit'").fetchone()[0]

    async def let_time_pass(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.hub.ingest.tick()


async def until(check, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    async def loop() -> None:
        while not check():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(loop(), timeout)


@pytest.fixture
async def shop(broker: BrokerHandle, tmp_path: Path) -> AsyncIterator[Shop]:
    db_path = tmp_path / "hub.sqlite"
    db = reference_database(tmp_path)
    db.close()
    clock = ManualClock(T0)
    hub_id = f"hub-grace-{tmp_path.name[-12:]}".replace("_", "-")
    config = HubConfig(store=STORE, hub_id=hub_id, db=db_path, broker=broker.settings(),
                       fusion=FusionSettings(exit_grace_s=GRACE_S, check_every_s=3600))
    hub = HubService(config, clock=clock)
    alerts: list[HubAlert] = []
    listener = MqttLink(broker.settings(), store=STORE, device=f"{hub_id}-listener", kind="test")
    listener.subscribe(f"comptoir/v1/{STORE}/hub/{hub_id}/alerts", alerts.append)
    devices = {name: MqttLink(broker.settings(), store=STORE, device=f"{name}-{hub_id}", kind="test",
                              outbox=tmp_path / f"{name}.outbox", clock=clock) for name in ("reader", "gate", "till")}
    await hub.start_ingest()
    for link in (listener, *devices.values()):
        await link.start()
    assert await hub.link.wait_subscribed(10) and await listener.wait_subscribed(10)
    try:
        yield Shop(hub, clock, devices, alerts)
    finally:
        for link in (*devices.values(), listener):
            await link.stop(drain_timeout=1)
        await hub.stop()


async def _on_the_floor(shop: Shop, n: int) -> None:
    event = {"time": shop.clock.now(), "event": "arrived", "epc": epc(n), "gtin": NUTELLA, "location": "floor-a2"}
    await shop.send("reader", ZoneEvents, events=[event])


async def test_a_receipt_arriving_after_the_passage_in_a_later_batch_raises_no_alert(shop: Shop) -> None:
    await _on_the_floor(shop, 500)
    await shop.send("gate", GatePassage, gate="gate-1", direction="out", epc=epc(500), gtin=NUTELLA)
    assert shop.hub.ingest.fusion.items[epc(500)].state == "left"  # it went out, not yet paid for as far as we know
    await shop.let_time_pass(GRACE_S / 2)
    assert shop.exit_alerts_ever() == 0
    # the till's receipt, delayed in its outbox, comes in a later batch
    await shop.send("till", PosReceipt, lane="lane-1", receipt_id="R-late", total_cents=389,
                    lines=[{"gtin": NUTELLA, "quantity": 1, "unit_price_cents": 389, "epcs": [epc(500)]}])
    await shop.let_time_pass(GRACE_S * 3)
    assert shop.hub.ingest.fusion.items[epc(500)].state == "sold"
    assert shop.exit_alerts_ever() == 0, "an alert was raised (and withdrawn) for a paid item"
    assert not [a for a in shop.alerts if a.kind == "unpaid_item_exit"]


async def test_with_no_receipt_the_alert_is_raised_once_the_grace_is_over(shop: Shop) -> None:
    await _on_the_floor(shop, 501)
    await shop.send("gate", GatePassage, gate="gate-1", direction="out", epc=epc(501), gtin=NUTELLA)
    await shop.let_time_pass(GRACE_S - 0.5)
    assert shop.exit_alerts_ever() == 0
    await shop.let_time_pass(0.5)
    assert shop.exit_alerts_ever() == 1
    await until(lambda: [a for a in shop.alerts if a.kind == "unpaid_item_exit"])  # published through the broker
    alert = next(a for a in shop.alerts if a.kind == "unpaid_item_exit")
    assert alert.epc == epc(501) and alert.state == "raised"
    assert alert.text.startswith("Unpaid item passed the exit gate")
