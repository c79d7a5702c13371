"""``comptoir sim camera``: a live MJPEG shelf camera on the store world, or still renders for training."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path

import click
import numpy as np

from comptoir.clock import SimulatedClock
from comptoir.logs import setup_logging


def _size(value: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in value.lower().split("x"))
    except ValueError:
        raise click.BadParameter(f"{value!r}: write WIDTHxHEIGHT, e.g. 960x540") from None
    if not (64 <= w <= 4096 and 64 <= h <= 4096):
        raise click.BadParameter(f"{value!r}: width and height must be 64..4096")
    return w, h


@click.command("camera")
@click.option("--bay", "bay_id", default=None, help="planogram bay to film (default: the first; --render: all)")
@click.option("--world-seed", default=7, show_default=True, help="seed of the store world")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8081, show_default=True, help="HTTP port (0: any free port)")
@click.option("--fps", default=5.0, show_default=True)
@click.option("--size", default="960x540", show_default=True, help="frame size WIDTHxHEIGHT")
@click.option("--speed", default=60.0, show_default=True, help="simulated seconds per real second")
@click.option(
    "--slots-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="write the camera's slot calibration (for the edge agent) to this file",
)
@click.option("--render", "render_count", type=int, default=None, help="write N still images instead of serving")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None, help="folder for --render")
@click.option("--seed", default=0, show_default=True, help="seed of the renders (--render)")
@click.option("-v", "--verbose", count=True)
def camera(
    bay_id: str | None,
    world_seed: int,
    host: str,
    port: int,
    fps: float,
    size: str,
    speed: float,
    slots_out: Path | None,
    render_count: int | None,
    out: Path | None,
    seed: int,
    verbose: int,
) -> None:
    """A shelf camera filming one bay of the simulated shop.

    Serves http://HOST:PORT/stream.mjpg (and /snapshot.jpg, /slots.json,
    /truth.json); the world runs SPEED times faster than real time, shoppers
    pick items and staff restock. With --render N --out DIR, writes N still
    images with YOLO labels and DIR/slots.json (slot polygons, true facings).
    """
    from simulators.world import World

    setup_logging(verbose)
    frame_size = _size(size)
    world = World(seed=world_seed)
    if render_count is not None:
        if out is None:
            raise click.UsageError("--render needs --out DIR")
        written = render_stills(world, render_count, out, seed=seed, size=frame_size, bay_id=bay_id)
        click.echo(f"wrote {written} images with labels and slots.json to {out}")
        return
    asyncio.run(_serve(world, bay_id, host, port, fps, frame_size, speed, slots_out))


def render_stills(
    world,
    count: int,
    out: Path,
    *,
    seed: int,
    size: tuple[int, int],  # type: ignore[no-untyped-def]
    bay_id: str | None = None,
) -> int:
    """``count`` stills of the world's bays (or one bay), each with its own facings, angle, light and shoppers."""
    from rich.progress import track

    from simulators.camera.bay import random_facings, world_bay
    from simulators.camera.render import BayRenderer, Nuisance
    from simulators.camera.stills import write_stills

    bays = [world_bay(world, b) for b in ([bay_id] if bay_id else sorted(world.planogram.bays))]
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)

    def frames():  # type: ignore[no-untyped-def]
        for _ in range(count):
            bay = rng.choice(bays)
            renderer = BayRenderer(bay, size, geometry_seed=rng.randrange(1 << 30))
            yield renderer.render(random_facings(bay, rng), nrng, Nuisance())

    return write_stills(track(frames(), total=count, description="render", transient=True), out)


async def _serve(
    world,
    bay_id: str | None,
    host: str,
    port: int,
    fps: float,  # type: ignore[no-untyped-def]
    size: tuple[int, int],
    speed: float,
    slots_out: Path | None,
) -> None:
    from simulators.camera.live import WorldCamera

    bay_id = bay_id or sorted(world.planogram.bays)[0]
    cam = WorldCamera(world, bay_id, size=size, host=host, port=port, fps=fps).start()
    calibration = cam.server.calibration()
    if slots_out is not None:
        slots_out.write_text(json.dumps(calibration, indent=1))
    click.echo(
        f"camera {cam.bay.camera_id} films bay {bay_id}: {cam.server.url} "
        f"({len(calibration['slots'])} slots; calibration at /slots.json)"
    )
    clock = SimulatedClock(world.now, speed=speed)
    try:
        await world.run(clock)
    finally:
        cam.stop()
