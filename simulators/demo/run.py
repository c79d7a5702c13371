"""One demo run: open the shop, follow the clock, sample the score, inject faults, close cleanly."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from typing import Any

from comptoir.link import BrokerSettings, MqttLink
from simulators.demo.backoffice import HttpDesk, run_back_office
from simulators.demo.faults import FAULTS
from simulators.demo.shop import SAMPLE_EVERY_S, STORE, DemoOptions, DemoShop
from simulators.pos.cli import run_till
from simulators.pos.till import Till
from simulators.score import HubClient, Scorer, Truth, meets_targets
from simulators.score.untagged import BackOffice, UntaggedAccuracy

TILL = "till-1"


async def run_demo(options: DemoOptions, say: Any = print) -> dict[str, Any] | None:
    """Run until ``options.duration_s`` of simulated time has passed (or for ever); the report, if timed."""
    shop = DemoShop(options, say)
    tasks: list[asyncio.Task[Any]] = []
    link: MqttLink | None = None
    try:
        say(f"starting the shop in {shop.workdir} (world seed {options.seed}, {len(shop.world.products)} products, "
            f"{len(shop.world.items)} tagged items, speed x{options.speed:g})")
        await shop.start()
        assert shop.devices is not None
        await shop.wait_devices()
        link = MqttLink(BrokerSettings(url=shop.broker_url), store=STORE, device=TILL, kind="pos",
                        outbox=shop.workdir / "state" / f"{TILL}.outbox.sqlite", clock=shop.clock)
        (shop.workdir / "state").mkdir(exist_ok=True)
        await link.start()
        till = Till(shop.world, link, lane=TILL)
        truth = Truth(shop.world, watched=shop.devices.watched_slots())
        untagged = UntaggedAccuracy(shop.world.untagged) if shop.world.untagged.products else None
        scorer = Scorer(truth, HubClient(shop.base_url, "demo", shop.password), untagged=untagged)
        office = BackOffice(shop.world.untagged, HttpDesk(shop.world, HubClient(shop.base_url, "demo", shop.password),
                                                          link, TILL))
        # the minutes spent starting processes are skipped: nothing happened in the shop while it was closed
        opened = shop.clock.now()
        shop.world.skip_to(opened)
        shop.devices.open()
        if untagged is not None:
            shop.world.untagged.count()  # the opening count of the untagged products: their book starts from it
            await office.drain()
            tasks.append(asyncio.create_task(run_back_office(office, shop.clock)))
        tasks.append(asyncio.create_task(follow_behind(shop)))
        tasks.append(asyncio.create_task(run_till(till, shop.clock, every_s=5.0)))
        for line in shop.urls():
            say(line)
        say(f"the shop opens at {opened:%H:%M} simulated; Ctrl-C stops everything")
        end = opened + timedelta(seconds=options.duration_s) if options.duration_s else None
        await _day(shop, scorer, opened, end, options, say)
        if end is None:
            return None
        await asyncio.sleep(3.0)  # the last events reach the hub
        await _sample(shop, scorer)
        score = await asyncio.to_thread(scorer.finish, shop.world.now)
        return {
            "score": score,
            "targets_met": meets_targets(score),
            "details": {**scorer.details(), "untagged_products": len(shop.world.untagged.products),
                        "untagged_recorded": office.done},
            "faults": shop.faults_done,
            "run": {"seed": options.seed, "speed": options.speed, "duration_s": options.duration_s,
                    "products": len(shop.world.products), "opened": opened.isoformat(),
                    "closed": shop.world.now.isoformat(), "receipts": till.receipts,
                    # how far (simulated s) the gate reader, which drives the world, fell behind the clock at worst:
                    # up to ``follow_behind``'s 60 s it loses nothing; beyond, the world moves on without it
                    "world_lag_max_s": round(shop.world_lag_max_s, 1)},
        }
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if link is not None:
            with contextlib.suppress(Exception):
                await link.flush(5.0)
                await link.stop()
                link.outbox.close()
        await shop.stop()


async def _sample(shop: DemoShop, scorer: Scorer) -> None:
    """One score sample: the hub's side over HTTP (the world goes on meanwhile), then the world's, compared."""
    since = shop.world.now
    hub = await asyncio.to_thread(scorer.fetch)
    scorer.compare(scorer.take_truth(since), hub)


async def follow_behind(shop: DemoShop, behind_s: float = 60.0, step_s: float = 1.0) -> None:
    """The gate reader's rounds drive the world; this keeps it going, at most ``behind_s`` behind the clock,
    when the gate is silent (a dropped connection) or lags a busy machine."""
    while True:
        now = shop.clock.now()
        shop.world_lag_max_s = max(shop.world_lag_max_s, (now - shop.world.now).total_seconds())
        shop.world.advance_to(now - timedelta(seconds=behind_s))
        await shop.clock.sleep(step_s)


async def _day(shop: DemoShop, scorer: Scorer, opened: datetime, end: datetime | None, options: DemoOptions,
               say: Any) -> None:
    clock = shop.clock
    next_sample = opened + timedelta(seconds=max(SAMPLE_EVERY_S, options.warmup_s))
    pending = sorted(FAULTS, key=lambda f: f.at) if options.faults and end is not None else []
    fault_tasks: list[asyncio.Task[Any]] = []
    while end is None or clock.now() < end:
        await asyncio.sleep(0.25)
        shop.check_children()
        now = clock.now()
        if pending and end is not None and now >= opened + (end - opened) * pending[0].at:
            fault = pending.pop(0)
            say(f"{now:%H:%M} fault: {fault.name}")
            shop.faults_done.append(fault.name)
            fault_tasks.append(asyncio.create_task(fault.run(shop)))  # type: ignore[arg-type]
        if now >= next_sample and (end is None or now < end):
            next_sample += timedelta(seconds=SAMPLE_EVERY_S)
            if end is not None:
                try:
                    await _sample(shop, scorer)
                except Exception as exc:  # a hub being restarted by a fault: this sample is skipped, said so
                    say(f"{now:%H:%M} sample skipped: {exc}")
    for task in fault_tasks:
        await task
