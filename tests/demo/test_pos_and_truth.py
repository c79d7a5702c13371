"""The till simulator (receipts on MQTT through real mosquitto), the scorer's ground truth, and the demo's CLI."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from comptoir.contract import PosReceipt
from comptoir.link import MqttLink
from simulators.demo.cli import demo, parse_duration
from simulators.pos.till import Till
from simulators.score import Truth, meets_targets
from simulators.world import Status, World, WorldParams
from tests.conftest import BrokerHandle

pytestmark = pytest.mark.timeout(60)


async def test_till_publishes_the_worlds_payments_as_receipts(mqtt_broker: BrokerHandle, tmp_path: Path) -> None:
    world = World(seed=5, params=WorldParams(products=20, shopper_every_s=30, theft_rate=0.0))
    got: list[PosReceipt] = []
    arrived = asyncio.Event()

    def on_receipt(message: PosReceipt) -> None:
        got.append(message)
        arrived.set()

    listener = MqttLink(mqtt_broker.settings(), store="demo", device="listener", kind="test")
    listener.subscribe("comptoir/v1/demo/pos/#", on_receipt)
    await listener.start()
    assert await listener.wait_subscribed(10)
    link = MqttLink(mqtt_broker.settings(), store="demo", device="till-1", kind="pos", outbox=tmp_path / "o.sqlite")
    await link.start()
    till = Till(world, link, lane="till-1")
    paid: dict[str, str] = {}
    world.subscribe(lambda c: paid.__setitem__(c.epc, world.items[c.epc].gtin) if c.kind == "paid" else None)
    try:
        world.advance(1800)
        sent = till.flush()
        assert sent > 0 and till.flush() == 0  # each payment once
        async with asyncio.timeout(20):
            while sum(len(r.lines) for r in got) == 0 or len(got) < sent:
                arrived.clear()
                await arrived.wait()
        epcs = [e for r in got for line in r.lines for e in line.epcs]
        assert sorted(epcs) == sorted(paid)  # every paid item, on exactly one receipt
        for receipt in got:
            assert receipt.lane == "till-1" and receipt.device == "till-1"
            prices = {line.gtin: world.by_gtin[line.gtin].price_eur for line in receipt.lines}
            assert receipt.total_cents == sum(int(prices[line.gtin] * 100) * line.quantity for line in receipt.lines)
            for line in receipt.lines:
                assert line.quantity == len(line.epcs)
                assert Decimal(line.unit_price_cents) / 100 == prices[line.gtin]
                assert all(paid[e] == line.gtin for e in line.epcs)
        assert [r.seq for r in got] == sorted(r.seq for r in got)
    finally:
        await link.stop()
        await listener.stop()


def test_truth_follows_an_empty_shelf_episode() -> None:
    world = World(seed=2, params=WorldParams(products=10), movers=False)
    slot = next(iter(world.planogram.slots.values()))
    truth = Truth(world, watched={s.slot_id for s in world.planogram.slots.values()})
    gtin = slot.gtin
    assert gtin in truth.osa_gtins and not truth.empty_with_stock(gtin)
    others = [s for s in world.planogram.slots.values() if s.gtin == gtin]
    for s in others:
        while world.facings(s.slot_id):
            world.pick(s.slot_id)
    assert truth.empty_with_stock(gtin)  # the backroom still holds units
    assert [e.gtin for e in truth.episodes] == [gtin] and truth.episodes[0].end is None
    assert truth.empty_since(world.now, 0) == {gtin}
    world.advance(300)
    assert truth.empty_since(world.now, 120) == {gtin}
    on_hand = truth.on_hand()
    carried = sum(1 for i in world.items.values() if i.gtin == gtin and i.where.status == Status.CARRIED)
    assert carried > 0 and on_hand[gtin] == sum(1 for i in world.items.values() if i.gtin == gtin)


def test_truth_remembers_what_on_hand_was_within_the_hubs_latency() -> None:
    world = World(seed=4, params=WorldParams(products=10, shopper_every_s=30.0, theft_rate=0.2,
                                             delivery_every_s=900.0, dock_dwell_s=300.0))
    truth = Truth(world)
    checked = changed = 0
    for _ in range(40):  # 40 minutes of a busy shop: picks, payments, thefts, a delivery or two
        before = truth.on_hand()
        world.advance(60)
        now = truth.on_hand()
        recent = truth.on_hand_within(world.now, 60)
        for gtin, units in now.items():
            assert units in recent[gtin]  # kept up to date with every change...
            if before[gtin] != units:
                assert before[gtin] in recent[gtin]  # ...and what it was a minute ago is remembered
                changed += 1
            checked += 1
    assert changed > 10 and checked == 40 * len(world.products)
    assert truth.deliveries > 0 and any(e.stolen for e in truth.exits)


def test_a_closed_shop_skips_time_without_anything_happening() -> None:
    world = World(seed=5, params=WorldParams(products=10, shopper_every_s=20.0))
    truth = Truth(world)
    world.advance(600)
    exits = len(truth.exits)
    opened = world.now + timedelta(hours=1)
    where = world.ground_truth()
    world.skip_to(opened)
    assert world.now == opened and world.ground_truth() == where and len(truth.exits) == exits
    world.advance(600)  # and the day goes on from there as before
    assert len(truth.exits) > exits and all(e.time >= opened for e in truth.exits[exits:])


def test_targets_verdict() -> None:
    good = {"inventory_accuracy": 0.99, "osa_precision": 0.96, "osa_recall": 0.97, "osa_median_minutes": 1.5,
            "loss_recall": 0.95, "loss_false_per_1000": 0.0, "fill_rate": None, "messages_lost": 0}
    assert all(meets_targets(good).values())
    verdict = meets_targets({**good, "messages_lost": 1, "osa_median_minutes": 2.5, "loss_recall": None})
    assert not verdict["messages_lost"] and not verdict["osa_median_minutes"] and verdict["loss_recall"]


def test_durations_and_cli_errors() -> None:
    assert parse_duration("8h") == 8 * 3600
    assert parse_duration("1h30m") == 5400
    assert parse_duration("600") == 600
    with pytest.raises(click.BadParameter, match="8 hours"):
        parse_duration("8 hours")
    result = CliRunner().invoke(demo, ["--faults"])
    assert result.exit_code != 0 and "--faults needs --duration" in result.output
