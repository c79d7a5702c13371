"""``comptoir sim pos``: a till lane publishing the store world's receipts over MQTT."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import click

from comptoir.clock import Clock, SimulatedClock, clock_from_env


async def run_till(till, clock: Clock, every_s: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    """Publish the receipts completed in each ``every_s`` of clock time, until cancelled."""
    try:
        while True:
            await clock.sleep(every_s)
            till.flush()
    finally:
        till.flush()


@click.command("pos")
@click.option("--broker", default="mqtt://127.0.0.1:1883", show_default=True, help="mqtt://HOST:PORT of the broker.")
@click.option("--store", default="demo", show_default=True, help="Store id (topics are comptoir/v1/<store>/...).")
@click.option("--lane", default="till-1", show_default=True, help="The till's device id (pos/<lane>/receipts).")
@click.option("--seed", default=1, show_default=True, help="Seed of the store world.")
@click.option("--products", type=click.IntRange(min=1), help="Use only this many catalog products (a smaller shop).")
@click.option("--speed", default=60.0, show_default=True, type=click.FloatRange(min=0.01),
              help="Simulated seconds per real second (ignored when COMPTOIR_SIM_CLOCK gives the clock).")
@click.option("--barcode-only", is_flag=True, help="Scan barcodes only: receipts carry GTINs, no EPCs.")
@click.option("--state-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("pos-state"),
              show_default=True, help="Where the till's outbox lives.")
def pos(broker: str, store: str, lane: str, seed: int, products: int | None, speed: float, barcode_only: bool,
        state_dir: Path) -> None:
    """A till lane: every payment in the store world becomes a PosReceipt on pos/<lane>/receipts."""
    from comptoir.link import BrokerSettings, MqttLink
    from simulators.pos.till import Till
    from simulators.world import World, WorldParams
    from simulators.world.world import DEFAULT_START

    try:
        settings = BrokerSettings(url=broker)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--broker") from None

    async def main() -> None:
        clock = clock_from_env()
        if not isinstance(clock, SimulatedClock):
            clock = SimulatedClock(DEFAULT_START, speed=speed)
        world = World(seed=seed, params=WorldParams(products=products), start=clock.now())
        state_dir.mkdir(parents=True, exist_ok=True)
        link = MqttLink(settings, store=store, device=lane, kind="pos", outbox=state_dir / f"{lane}.outbox.sqlite",
                        clock=clock)
        await link.start()
        till = Till(world, link, lane=lane, read_tags=not barcode_only)
        click.echo(f"till {lane}: receipts of world seed {seed} to {broker} (store {store})", err=True)
        world_task = asyncio.create_task(world.run(clock))
        try:
            await run_till(till, clock)
        finally:
            world_task.cancel()
            await link.stop()
            link.outbox.close()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
