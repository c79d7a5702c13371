"""A seeded synthetic dataset for the shelf detector, rendered by the camera simulator.

Random bays (shelves, slots, products, facings, camera angle) under the
training nuisances: light, colour cast, blur, noise, JPEG artefacts and
shoppers in front. The same seed gives the same images, so a dataset is
described by its command line, not shipped.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from simulators.camera.bay import BaySpec, random_bay, random_facings, world_bay
from simulators.camera.render import CLASS_NAMES, BayRenderer, Frame, Nuisance
from simulators.camera.stills import write_stills
from simulators.world import World

DEFAULT_SIZE = (960, 540)
WORLD_SEED = 7


def synthetic_frames(count: int, seed: int, size: tuple[int, int] = DEFAULT_SIZE, *, world_share: float = 0.5,
                     world_seed: int = WORLD_SEED, nuisance: Nuisance | None = None) -> Iterator[Frame]:
    """``count`` frames, each a bay seen from a new angle with new facings.

    ``world_share`` of them film the store world's own bays (the shop's
    planogram), the rest random bays (so the detector learns packages, not
    one layout).
    """
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    nuisance = nuisance or Nuisance()
    world = World(seed=world_seed, movers=False)
    bays = [world_bay(world, b) for b in sorted(world.planogram.bays)]
    for i in range(count):
        bay: BaySpec = rng.choice(bays) if rng.random() < world_share else random_bay(rng, bay_id=f"T{seed}-{i}")
        renderer = BayRenderer(bay, size, geometry_seed=rng.randrange(1 << 30))
        yield renderer.render(random_facings(bay, rng), nrng, nuisance)


def build_dataset(out: Path, *, train: int, val: int, seed: int, size: tuple[int, int] = DEFAULT_SIZE,
                  progress: bool = True) -> Path:
    """Render ``train`` + ``val`` images under ``out`` and write the ultralytics ``data.yaml``.

    Validation uses seed ``seed + 1``: never the same bays as training.
    """
    out = Path(out)
    parts = (("train", train, seed), ("val", val, seed + 1))
    for split, count, split_seed in parts:
        frames = synthetic_frames(count, split_seed, size)
        if progress:
            from rich.progress import track

            frames = track(frames, total=count, description=f"render {split}")
        write_stills(frames, out / split)
    data = out / "data.yaml"
    names = "".join(f"  {i}: {n}\n" for i, n in enumerate(CLASS_NAMES))
    data.write_text(f"path: {out.resolve()}\ntrain: train/images\nval: val/images\nnames:\n{names}")
    return data
