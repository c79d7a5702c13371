"""``comptoir sim scale``: a weighing shelf on a pseudo-terminal."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from pathlib import Path

import click

from comptoir.clock import SimulatedClock


def default_link(device: str) -> Path:
    return Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()) / f"comptoir-{device}.tty"


@click.command()
@click.option("--device", default=None, help="Names the default link path  [default: the world's scale id, or scale-1]")
@click.option(
    "--link",
    "link_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Stable path of the port (a symlink to the pty)  [default: $XDG_RUNTIME_DIR/comptoir-DEVICE.tty]",
)
@click.option(
    "--world",
    "world_seed",
    type=int,
    default=None,
    help="Weights from the store world with this seed (shoppers take, staff restock).",
)
@click.option("--scale-id", default=None, help="The world's weighing slot to simulate  [default: the first]")
@click.option("--speed", type=float, default=60.0, show_default=True, help="World time per real second.")
@click.option("--units", type=int, default=8, show_default=True, help="Without --world: items on the shelf.")
@click.option("--unit-grams", type=float, default=250.0, show_default=True, help="Without --world: one item's weight.")
@click.option("--tray-grams", type=float, default=350.0, show_default=True, help="The empty tray (TARE removes it).")
@click.option(
    "--noise",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Share of lines spoiled (bit flips, truncation, binary bursts, over-long, dropped).",
)
@click.option("--garbage", is_flag=True, help="Send only noise, as a wrong baud rate does.")
@click.option("--seed", type=int, default=1, show_default=True)
def scale(
    device: str | None,
    link_path: Path | None,
    world_seed: int | None,
    scale_id: str | None,
    speed: float,
    units: int,
    unit_grams: float,
    tray_grams: float,
    noise: float,
    garbage: bool,
    seed: int,
) -> None:
    """A serial shelf scale on a pseudo-terminal, speaking the firmware's protocol v1."""
    from simulators.scale.load import FixedLoad, ShelfLoad, WorldShelf
    from simulators.scale.noise import LineNoise
    from simulators.scale.pty_port import PtyPort
    from simulators.scale.simulator import ScaleSimulator

    async def main() -> None:
        nonlocal device, link_path
        world_task = None
        load: ShelfLoad
        if world_seed is not None:
            from simulators.world import World

            world = World(seed=world_seed)
            chosen = scale_id or sorted(world.planogram.scales)[0]
            try:
                shelf = WorldShelf(world, chosen, tray_grams=tray_grams)
            except KeyError as exc:
                raise click.ClickException(str(exc.args[0])) from None
            clock = SimulatedClock(world.now, speed=speed)
            world_task = asyncio.create_task(world.run(clock))
            load = shelf
            click.echo(
                f"world seed {world_seed}, {chosen}: {shelf.product.name} ({shelf.unit_grams:g} g), "
                f"{shelf.units} units now, {speed:g}x",
                err=True,
            )
            device = device or chosen
            unit = shelf.unit_grams
        else:
            load = FixedLoad(unit_grams=unit_grams, units=units, tray_grams=tray_grams)
            unit = unit_grams
        device = device or "scale-1"
        link_path = link_path or default_link(device)
        sim = ScaleSimulator(PtyPort(link_path), load, noise=LineNoise(noise, seed=seed), seed=seed)
        sim.garbage = garbage
        sim.plug()
        click.echo(
            f"scale on {link_path} (pty {sim.port.slave_name}); "
            f"bridge it: comptoir bridge --serial {link_path} --device {device} --unit-grams {unit:g}",
            err=True,
        )
        try:
            await sim.run()
        finally:
            if world_task is not None:
                world_task.cancel()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
