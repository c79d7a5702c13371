"""The simulated scale weighs what the store world has on its weighing slot."""

from __future__ import annotations

import pytest

from simulators.scale.firmware import LoadCell, SimulatedFirmware
from simulators.scale.load import WorldShelf
from simulators.world import World, WorldParams


def settled_grams(load: WorldShelf, seconds: float = 3.0) -> float:
    firmware, cell = SimulatedFirmware(), LoadCell(noise_counts=0)
    firmware.boot(0.0)
    t = 0.0
    while t < seconds:
        t += 0.1
        firmware.sample(t, cell.read(load.grams()))
    assert firmware.stable and firmware.grams is not None
    return firmware.grams


def test_shelf_weight_follows_items_taken_and_restocked() -> None:
    world = World(seed=7, params=WorldParams(products=60, shopper_every_s=20.0))
    assert world.planogram.scales, "the planogram has weighing slots"
    scale_id = sorted(world.planogram.scales)[0]
    shelf = WorldShelf(world, scale_id, tray_grams=0.0)
    seen = {shelf.units}
    before = settled_grams(shelf)
    assert before == pytest.approx(shelf.units * shelf.unit_grams, abs=1.0)
    for _ in range(96):  # up to 8 simulated hours, in steps of 5 minutes
        world.advance(300)
        seen.add(shelf.units)
        if len(seen) >= 3:
            break
    assert len(seen) >= 3, "shoppers take from and staff restock the weighing slot"
    assert settled_grams(shelf) == pytest.approx(shelf.units * shelf.unit_grams, abs=1.0)


def test_an_unknown_scale_is_named() -> None:
    world = World(seed=7, params=WorldParams(products=60), movers=False)
    with pytest.raises(KeyError, match="no scale 'scale-nope'"):
        WorldShelf(world, "scale-nope")
