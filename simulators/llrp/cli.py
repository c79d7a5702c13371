"""``comptoir sim reader``: run the simulated LLRP reader."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path

import click

from comptoir.clock import SimulatedClock


async def serve(
    host: str,
    port: int,
    seed: int,
    speed: float,
    products: int | None,
    read_probability: float,
    cross_read: float,
    round_ms: int,
    replay: Path | None,
    blank_tags: int = 0,
    locked_tags: int = 0,
) -> None:
    if blank_tags:
        await serve_bench(host, port, blank_tags, locked_tags, round_ms)
        return
    from simulators.llrp.radio import RadioParams, WorldRadio
    from simulators.llrp.server import ReaderSimulator, load_replay
    from simulators.world import World, WorldParams, default_antennas

    clock = SimulatedClock(datetime.now(UTC).replace(microsecond=0), speed=speed)
    world = World(seed=seed, params=WorldParams(products=products), start=clock.now())
    antennas = default_antennas()
    radio = WorldRadio(world, antennas, RadioParams(read_probability, cross_read), seed=seed)
    simulator = ReaderSimulator(radio, clock=clock, round_ms=round_ms, replay=load_replay(replay) if replay else None)
    await simulator.start(host, port)
    click.echo(
        f"LLRP reader simulator on {host}:{simulator.port}: {len(world.items)} tagged items, speed x{speed}", err=True
    )
    for a in antennas:
        click.echo(f"  antenna {a.port}: {a.zone}", err=True)
    try:
        await asyncio.Event().wait()
    finally:
        await simulator.stop()


async def serve_bench(host: str, port: int, count: int, locked: int, round_ms: int) -> None:
    """An encoding bench: ``count`` blank tags on antenna 1, the last ``locked`` of them with a locked EPC bank."""
    from simulators.llrp.access import TagMemory
    from simulators.llrp.bench import EncodingBench
    from simulators.llrp.server import ReaderSimulator

    bench = EncodingBench.blank(count)
    memory = TagMemory(locked=set(bench.epcs[count - locked:]) if locked else set())
    simulator = ReaderSimulator(bench, round_ms=round_ms, memory=memory)
    await simulator.start(host, port)
    click.echo(f"LLRP reader simulator on {host}:{simulator.port}: an encoding bench of {count} blank tags on "
               f"antenna 1 ({locked} locked)", err=True)
    try:
        await asyncio.Event().wait()
    finally:
        await simulator.stop()


@click.command("reader")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5084, show_default=True, type=click.IntRange(0, 65535), help="LLRP port (0: any).")
@click.option("--seed", default=1, show_default=True, help="Seed of the store world and of the radio noise.")
@click.option(
    "--speed",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0.01),
    help="Simulated seconds per real second.",
)
@click.option("--products", type=click.IntRange(min=1), help="Use only this many catalog products (a smaller shop).")
@click.option("--read-probability", default=0.8, show_default=True, type=click.FloatRange(0, 1))
@click.option(
    "--cross-read",
    default=0.05,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Chance that a tag in a neighbouring zone is read.",
)
@click.option(
    "--round-ms", default=1000, show_default=True, type=click.IntRange(10, 60_000), help="Simulated inventory round."
)
@click.option(
    "--replay",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Serve the ROAccessReport-*.bytes recorded in this folder instead of the world.",
)
@click.option("--blank-tags", default=0, show_default=True, type=click.IntRange(0, 10_000),
              help="Serve an encoding bench of this many blank tags on antenna 1 instead of the world.")
@click.option("--locked-tags", default=0, show_default=True, type=click.IntRange(0, 10_000),
              help="Of the blank tags, this many (the last ones) refuse writes: their EPC bank is locked.")
def reader(
    host: str,
    port: int,
    seed: int,
    speed: float,
    products: int | None,
    read_probability: float,
    cross_read: float,
    round_ms: int,
    replay: Path | None,
    blank_tags: int,
    locked_tags: int,
) -> None:
    """A simulated RFID reader speaking LLRP 1.0.1 over TCP; its tags come from the store world.

    It runs C1G2 Read and Write AccessSpecs as a real reader does: a written tag answers with its new EPC.
    """
    if locked_tags > blank_tags:
        raise click.BadParameter(f"{locked_tags} locked of {blank_tags} blank tags", param_hint="--locked-tags")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(host, port, seed, speed, products, read_probability, cross_read, round_ms, replay,
                          blank_tags, locked_tags))
